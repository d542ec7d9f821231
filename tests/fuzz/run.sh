#!/usr/bin/env bash
# make fuzz: runs every libFuzzer target (build-fuzz/fuzz/fuzz_*) for
# SECONDS each over its corpus, keeping what it finds new there. A crash
# leaves its reproducer in tests/fuzz/crashes/ and fails the run.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
mkdir -p tests/fuzz/crashes
status=0
for bin in build-fuzz/fuzz/fuzz_*; do
	name=$(basename "$bin")
	target=${name#fuzz_}
	corpus=tests/fuzz/corpus/$target
	mkdir -p "$corpus"
	echo "== $name, ${seconds}s, corpus $corpus ($(ls "$corpus" | wc -l) inputs)"
	if ! "$bin" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
		-artifact_prefix=tests/fuzz/crashes/"$target"- "$corpus" 2>"build-fuzz/$name.log"; then
		echo "$name failed; see build-fuzz/$name.log and tests/fuzz/crashes/"
		tail -30 "build-fuzz/$name.log"
		status=1
	else
		grep -E "^#[0-9]+.*DONE|stat::number_of_executed_units" "build-fuzz/$name.log" | tail -1
	fi
done
exit $status
