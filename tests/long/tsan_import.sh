#!/usr/bin/env bash
# The importer's threads (workers that read, parse and commit in order, the
# background flush in two threads, the WAL syncer) under ThreadSanitizer:
# any data race fails the run.
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d "${TMPDIR:-/tmp}/stele-tsan.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
build/bench/gen_devops --hosts 100 --duration 12h --out "$tmp/in.lp"
for sync in always interval=10ms none; do
	TSAN_OPTIONS="halt_on_error=1 exitcode=66" build-tsan/stele import --db "$tmp/db-${sync%%=*}" \
		--sync "$sync" --memtable 8M --batch 256K "$tmp/in.lp"
done
# The default memtable holds the whole file: the flush at close writes the
# large table in two threads.
TSAN_OPTIONS="halt_on_error=1 exitcode=66" build-tsan/stele import --db "$tmp/db-big" "$tmp/in.lp"
echo "tsan import ok"
