#!/usr/bin/env bash
# The benchmark suite behind `make bench` (see bench/README.md).
#
#   bench/run.sh           the standard run; writes docs/BENCHMARKS.md
#   bench/run.sh --smoke   tiny sizes, Stele only, checks answers, writes nothing
#
# Every figure in docs/BENCHMARKS.md comes from this script's measurements in
# one run on one machine; peers run on 127.0.0.1 with throwaway directories.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=$ROOT/bench/out
STELE=$ROOT/build/stele
GEN=$ROOT/build/bench/gen_devops
RESULTS=$OUT/results.env
VM_PORT=${VM_PORT:-18428}
SMOKE=0
[ "${1:-}" = "--smoke" ] && SMOKE=1

mkdir -p "$OUT"
vm_pid=""
cleanup() {
	if [ -n "$vm_pid" ] && kill -0 "$vm_pid" 2>/dev/null; then
		kill "$vm_pid" 2>/dev/null || true
		wait "$vm_pid" 2>/dev/null || true
	fi
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }
result() { printf '%s=%s\n' "$1" "$2" >>"$RESULTS"; printf '   %-28s %s\n' "$1" "$2"; }
: >"$RESULTS"

for tool in "$STELE" "$GEN"; do
	[ -x "$tool" ] || { echo "bench: $tool is missing; run make first" >&2; exit 1; }
done

# ---- data -----------------------------------------------------------------
if [ $SMOKE = 1 ]; then HOSTS=5; DUR=10m; else HOSTS=100; DUR=1d; fi
DATA=$OUT/devops-${HOSTS}x${DUR}.lp
step "generating devops cpu-only data: $HOSTS hosts x $DUR, every 10 s, seed 123"
"$GEN" --hosts "$HOSTS" --duration "$DUR" --out "$DATA"
rows=$(wc -l <"$DATA")
bytes=$(stat -c %s "$DATA")
sum1=$(md5sum <"$DATA" | cut -d' ' -f1)
sum2=$("$GEN" --hosts "$HOSTS" --duration "$DUR" | md5sum | cut -d' ' -f1)
[ "$sum1" = "$sum2" ] || { echo "bench: the generator is not deterministic" >&2; exit 1; }
want_rows=$((HOSTS * $( [ "$DUR" = 1d ] && echo 8640 || echo 60 )))
[ "$rows" = "$want_rows" ] || { echo "bench: $rows rows generated, expected $want_rows" >&2; exit 1; }
bad=$(grep -cvE '^cpu,hostname=host_[0-9]+,region=[a-z0-9-]+,datacenter=[a-z0-9-]+,rack=[0-9]+,os=[A-Za-z0-9.]+,arch=x(64|86),team=[A-Z]+,service=[0-9]+,service_version=[01],service_environment=[a-z]+ usage_user=[0-9]+i,usage_system=[0-9]+i,usage_idle=[0-9]+i,usage_nice=[0-9]+i,usage_iowait=[0-9]+i,usage_irq=[0-9]+i,usage_softirq=[0-9]+i,usage_steal=[0-9]+i,usage_guest=[0-9]+i,usage_guest_nice=[0-9]+i [0-9]{19}$' "$DATA" || true)
[ "$bad" = 0 ] || { echo "bench: $bad generated lines have an unexpected shape" >&2; exit 1; }
result data_rows "$rows"
result data_bytes "$bytes"
result data_md5 "$sum1"

# ---- Stele ----------------------------------------------------------------
# time -v output: wall clock and peak RSS of one command.
timed() { # timed LOGFILE CMD...
	local log=$1; shift
	/usr/bin/time -v "$@" 2>"$log.time" >"$log"
}
wall_of() { awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$1"; }
rss_of() { awk -F': ' '/Maximum resident set size/ { print $2 }' "$1"; }

RUNS=$([ $SMOKE = 1 ] && echo 1 || echo 3)
step "Stele: import with --sync interval=100ms, $RUNS runs"
walls=()
rss_max=0
for run in $(seq "$RUNS"); do
	db=$OUT/stele-db
	rm -rf "$db"
	timed "$OUT/stele-import.log" "$STELE" import --db "$db" --sync interval=100ms "$DATA"
	w=$(wall_of "$OUT/stele-import.log.time")
	r=$(rss_of "$OUT/stele-import.log.time")
	walls+=("$w")
	[ "$r" -gt "$rss_max" ] && rss_max=$r
	printf '   run %d: %s s, peak RSS %s KiB: %s\n' "$run" "$w" "$r" "$(cat "$OUT/stele-import.log")"
	grep -q "^$rows lines written, 0 rejected" "$OUT/stele-import.log" ||
		{ echo "bench: Stele did not import every line" >&2; exit 1; }
done
wall=$(printf '%s\n' "${walls[@]}" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
"$STELE" stats --db "$OUT/stele-db" --json >"$OUT/stele-stats.json"
read -r s_disk s_rows s_values s_bpv < <(/usr/bin/python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
print(s["bytes_on_disk"], s["rows"], s["values"], s["bytes_per_value"])' "$OUT/stele-stats.json")
[ "$s_rows" = "$rows" ] && [ "$s_values" = $((rows * 10)) ] ||
	{ echo "bench: Stele holds $s_rows rows and $s_values values, expected $rows and $((rows * 10))" >&2; exit 1; }
# Answers: the dump of one host is exactly that host's input lines.
"$STELE" dump --db "$OUT/stele-db" --table cpu | grep '^cpu,arch=[^ ]*,hostname=host_1,' | wc -l >"$OUT/host1.count"
[ "$(cat "$OUT/host1.count")" = $((rows / HOSTS)) ] ||
	{ echo "bench: dump of host_1 has $(cat "$OUT/host1.count") rows" >&2; exit 1; }
result stele_import_s "$wall"
result stele_rows_per_s "$(awk -v r="$rows" -v w="$wall" 'BEGIN { printf "%.0f", r / w }')"
result stele_mb_per_s "$(awk -v b="$bytes" -v w="$wall" 'BEGIN { printf "%.1f", b / w / 1e6 }')"
result stele_peak_rss_kib "$rss_max"
result stele_bytes_on_disk "$s_disk"
result stele_bytes_per_value "$s_bpv"

if [ $SMOKE = 1 ]; then
	step "smoke run passed (answers checked, no timings written)"
	exit 0
fi

# ---- Stele: a million series ----------------------------------------------
step "Stele: 1,000,000 series, one row each (memory bound of the series index)"
HC=$OUT/devops-1000000x10s.lp
"$GEN" --hosts 1000000 --duration 10s --out "$HC"
rm -rf "$OUT/stele-hc"
timed "$OUT/stele-hc.log" "$STELE" import --db "$OUT/stele-hc" --sync interval=100ms "$HC"
grep -q "^1000000 lines written, 0 rejected" "$OUT/stele-hc.log" ||
	{ echo "bench: the million-series import failed: $(cat "$OUT/stele-hc.log")" >&2; exit 1; }
result hc_import_s "$(wall_of "$OUT/stele-hc.log.time")"
result hc_peak_rss_kib "$(rss_of "$OUT/stele-hc.log.time")"
"$STELE" stats --db "$OUT/stele-hc" --json >"$OUT/stele-hc.json"
result hc_series "$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["series"])' "$OUT/stele-hc.json")"
rm -f "$HC"

# ---- parser microbenchmark ------------------------------------------------
if [ -x "$ROOT/build/bench/bench_lp" ]; then
	step "line-protocol parser, one core"
	"$ROOT/build/bench/bench_lp" | tee "$OUT/bench_lp.txt"
	lpnum() { awk -v pat="$1" 'index($0, pat) { for (i = 1; i <= NF; i++) if ($(i + 1) == "MB/s") v = $i } END { print v }' "$OUT/bench_lp.txt"; }
	result lp_mb_per_s_host_1m "$(lpnum "host-major, 1 MiB")"
	result lp_mb_per_s_host_4m "$(lpnum "host-major, 4 MiB")"
	result lp_mb_per_s_time_1m "$(lpnum "time-major, 1 MiB")"
	result lp_mb_per_s_time_4m "$(lpnum "time-major, 4 MiB")"
fi

# ---- VictoriaMetrics ------------------------------------------------------
step "VictoriaMetrics: the same file over its InfluxDB /write endpoint"
command -v victoria-metrics >/dev/null || { echo "bench: victoria-metrics is not installed (scripts/deps.sh)" >&2; exit 1; }
vmdir=$OUT/vm-data
rm -rf "$vmdir"
victoria-metrics -storageDataPath="$vmdir" -retentionPeriod=100y \
	-httpListenAddr=127.0.0.1:$VM_PORT -loggerLevel=ERROR >"$OUT/vm.log" 2>&1 &
vm_pid=$!
for _ in $(seq 100); do
	curl -sf "http://127.0.0.1:$VM_PORT/health" >/dev/null 2>&1 && break
	sleep 0.1
done
rm -rf "$OUT/vm-chunks" && mkdir -p "$OUT/vm-chunks"
split -C 8M "$DATA" "$OUT/vm-chunks/c."
t0=$(date +%s.%N)
for c in "$OUT"/vm-chunks/c.*; do
	curl -sf --data-binary @"$c" "http://127.0.0.1:$VM_PORT/write" >/dev/null
done
curl -sf "http://127.0.0.1:$VM_PORT/internal/force_flush" >/dev/null
t1=$(date +%s.%N)
vm_wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
# Answers: VictoriaMetrics holds the same number of points.
vm_count=$(curl -sf "http://127.0.0.1:$VM_PORT/api/v1/query" \
	--data-urlencode 'query=sum(count_over_time(cpu_usage_user[3d]))' \
	--data-urlencode 'time=2016-01-03T00:00:00Z' |
	/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["result"][0]["value"][1])')
[ "$vm_count" = "$rows" ] || { echo "bench: VictoriaMetrics holds $vm_count usage_user points, expected $rows" >&2; exit 1; }
# Let it settle: merge the partition, wait for the size to stop changing.
curl -sf "http://127.0.0.1:$VM_PORT/internal/force_merge?partition_prefix=2016_01" >/dev/null || true
prev=0
for _ in $(seq 60); do
	sleep 1
	cur=$(du -sb "$vmdir" | cut -f1)
	[ "$cur" = "$prev" ] && break
	prev=$cur
done
vm_rss=$(awk '/VmHWM/ { print $2 }' /proc/$vm_pid/status)
kill -INT "$vm_pid"
wait "$vm_pid" 2>/dev/null || true
vm_pid=""
vm_disk=$(du -sb "$vmdir" | cut -f1)
result vm_import_s "$vm_wall"
result vm_rows_per_s "$(awk -v r="$rows" -v w="$vm_wall" 'BEGIN { printf "%.0f", r / w }')"
result vm_mb_per_s "$(awk -v b="$bytes" -v w="$vm_wall" 'BEGIN { printf "%.1f", b / w / 1e6 }')"
result vm_peak_rss_kib "$vm_rss"
result vm_bytes_on_disk "$vm_disk"
result vm_bytes_per_value "$(awk -v d="$vm_disk" -v r="$rows" 'BEGIN { printf "%.4f", d / (r * 10) }')"
rm -rf "$OUT/vm-chunks"

# ---- the machine ----------------------------------------------------------
result machine_cpu "$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
result machine_cores "$(nproc)"
result machine_mem_gib "$(awk '/MemTotal/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)"
result machine_kernel "$(uname -r)"
result stele_version "$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)"
result vm_version "$(dpkg-query -W -f='${Version}' victoria-metrics)"
result run_date "$(date -u +%Y-%m-%dT%H:%M:%SZ)"

step "writing docs/BENCHMARKS.md"
/usr/bin/python3 "$ROOT/bench/report.py" "$RESULTS" "$ROOT/docs/BENCHMARKS.md"
echo "done"
