#!/usr/bin/env bash
# make fuzz: runs every libFuzzer target (build-fuzz/fuzz/fuzz_*) for
# SECONDS each over its corpus, keeping what it finds new there, FUZZ_JOBS
# targets at a time (default 1; one core each). A crash leaves its reproducer
# in tests/fuzz/crashes/ and fails the run. FUZZ_TARGETS="lp sql" picks
# targets. Each target's last status line (executions, coverage) is printed
# at its end and kept in build-fuzz/fuzz_<target>.log.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
jobs=${FUZZ_JOBS:-1}
mkdir -p tests/fuzz/crashes
bins=()
if [ -n "${FUZZ_TARGETS:-}" ]; then
	for t in $FUZZ_TARGETS; do
		[ -x "build-fuzz/fuzz/fuzz_$t" ] || { echo "no target fuzz_$t in build-fuzz/fuzz/" >&2; exit 2; }
		bins+=("build-fuzz/fuzz/fuzz_$t")
	done
else
	bins=(build-fuzz/fuzz/fuzz_*)
fi

# one target: its exit status is the run's verdict for it
fuzz_one() {
	local bin=$1 name target corpus
	name=$(basename "$bin")
	target=${name#fuzz_}
	corpus=tests/fuzz/corpus/$target
	mkdir -p "$corpus"
	echo "== $name, ${seconds}s, corpus $corpus ($(ls "$corpus" | wc -l) inputs)"
	if ! "$bin" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
		-print_final_stats=1 -artifact_prefix=tests/fuzz/crashes/"$target"- "$corpus" \
		2>"build-fuzz/$name.log"; then
		echo "$name failed; see build-fuzz/$name.log and tests/fuzz/crashes/"
		tail -30 "build-fuzz/$name.log"
		return 1
	fi
	echo "$name: $(grep -E "stat::number_of_executed_units" "build-fuzz/$name.log" | tail -1)," \
		"$(grep -E "^#[0-9]+" "build-fuzz/$name.log" | tail -1)"
}

status=0
running=0
for bin in "${bins[@]}"; do
	fuzz_one "$bin" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n || status=1
		running=$((running - 1))
	fi
done
while [ "$running" -gt 0 ]; do
	wait -n || status=1
	running=$((running - 1))
done
exit $status
