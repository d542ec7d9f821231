#!/usr/bin/env bash
# Runs every integration test (tests/integration/test_*.sh) against the
# release build and the ASan build. Each test gets STELE (the binary) and a
# fresh TMP directory, and fails by exiting non-zero.
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
failed=0
for t in tests/integration/test_*.sh; do
	[ -e "$t" ] || continue
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/stele-it.XXXXXX")
	start=$(date +%s)
	if STELE="$root/build/stele" STELE_ASAN="$root/build-asan/stele" TMP="$tmp" \
		ROOT="$root" bash "$t" >"$tmp.log" 2>&1; then
		echo "PASS $(basename "$t") ($(($(date +%s) - start))s)"
		rm -rf "$tmp" "$tmp.log"
	else
		echo "FAIL $(basename "$t"); its output:"
		tail -50 "$tmp.log"
		failed=1
	fi
done
exit $failed
