#!/usr/bin/env bash
# tests/fuzz/merge.sh [TARGET...]: shrinks each target's corpus after a long
# make fuzz, before it is committed. Named inputs (seeds, regress-*: anything
# whose name is not a 40-digit hash) are kept as they are; of libFuzzer's own
# (hash-named) inputs only those that add coverage beyond the named ones and
# each other stay (libFuzzer's -merge=1). Needs build-fuzz/ (make fuzz).
set -euo pipefail
cd "$(dirname "$0")/../.."
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for bin in build-fuzz/fuzz/fuzz_*; do targets+=("$(basename "$bin" | sed 's/^fuzz_//')"); done
fi
for t in "${targets[@]}"; do
	bin=build-fuzz/fuzz/fuzz_$t
	corpus=tests/fuzz/corpus/$t
	[ -x "$bin" ] || { echo "no $bin; run make fuzz first" >&2; exit 2; }
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/stele-merge.XXXXXX")
	find "$corpus" -maxdepth 1 -regextype posix-extended -type f ! -regex '.*/[0-9a-f]{40}' -exec cp {} "$tmp"/ \;
	named=$(ls "$tmp" | wc -l)
	before=$(ls "$corpus" | wc -l)
	if ! "$bin" -merge=1 -max_len=65536 -rss_limit_mb=2048 -timeout=10 "$tmp" "$corpus" \
		>"build-fuzz/merge_$t.log" 2>&1; then
		echo "$t: merge failed; see build-fuzz/merge_$t.log" >&2
		rm -rf "$tmp"
		exit 1
	fi
	find "$corpus" -maxdepth 1 -regextype posix-extended -type f -regex '.*/[0-9a-f]{40}' -delete
	find "$tmp" -maxdepth 1 -regextype posix-extended -type f -regex '.*/[0-9a-f]{40}' -exec mv {} "$corpus"/ \;
	rm -rf "$tmp"
	echo "$t: $before inputs -> $(ls "$corpus" | wc -l) ($named named, kept as they are)"
done
