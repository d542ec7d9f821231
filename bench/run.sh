#!/usr/bin/env bash
# The benchmark suite behind `make bench` (see bench/README.md).
#
#   bench/run.sh           the standard run, 100 hosts x 1 day, then the iot stage
#                          (bench/run_iot.sh, 100 trucks x 1 day); writes docs/BENCHMARKS.md
#   bench/run.sh --full    the two larger sizes (make bench-full), one after the
#                          other: --size 1000x1d, then --size 100000x10m (high
#                          cardinality); each writes its own docs/BENCHMARKS-N-hosts.md
#   bench/run.sh --size HOSTSxDURATION [--doc FILE]
#                          the devops stages alone (data, Stele's import,
#                          VictoriaMetrics, HTTP ingest, queries) at that size,
#                          without the million-series, parser and iot stages
#   bench/run.sh --smoke   tiny sizes, Stele only, checks answers, writes nothing
#   bench/run.sh [--full] --only ingest
#                          the data and the HTTP ingest stage only; the report
#                          goes to bench/out/BENCHMARKS-ingest.md, not docs/
#
# Every figure in docs/BENCHMARKS.md comes from this script's measurements in
# one run on one machine; peers run on 127.0.0.1 with throwaway directories.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=$ROOT/bench/out
STELE=$ROOT/build/stele
GEN=$ROOT/build/bench/gen_devops
BQ=$ROOT/build/bench/bench_query
LOADH=$ROOT/build/bench/load_http
PY=/usr/bin/python3
RESULTS=$OUT/results.env
VM_PORT=${VM_PORT:-18428}
CH_PORT=${CH_PORT:-18123}         # ClickHouse HTTP; its native port is the next one
INFLUX_PORT=${INFLUX_PORT:-18086} # InfluxDB HTTP; its RPC port is the next one
STELE_HTTP_PORT=${STELE_HTTP_PORT:-18480} # stele serve --http, in the HTTP ingest stage
DISCARD_PORT=${DISCARD_PORT:-18490}       # load_http --discard, the same
HTTP_INFLUX_PORT=${HTTP_INFLUX_PORT:-18486} # InfluxDB there, and the next one
# The query benchmark's rule (bench/README.md, "How latency is measured"):
# instances per query type, untimed runs first (the first keeps the answer),
# timed runs, and the seconds after which an instance's timed runs stop
# (after at least 3).
Q_INSTANCES=${Q_INSTANCES:-5}
Q_WARMUP=${Q_WARMUP:-2}
Q_RUNS=${Q_RUNS:-10}
Q_MAX_SECONDS=${Q_MAX_SECONDS:-2}
# The iot stage (bench/run_iot.sh, bench/README-iot.md): trucks (1 day, every
# 10 s) and instances of each query type with parameters, the same in the
# standard run and with --full: InfluxDB's slowest iot queries take 8 to 10 s
# a run at 100 trucks, so ten times as many would add most of an hour
IOT_TRUCKS=${IOT_TRUCKS:-100}
IOT_INSTANCES=${IOT_INSTANCES:-3}
SMOKE=0
FULL=0
ONLY=""
SIZE=""
DOC=$ROOT/docs/BENCHMARKS.md
usage() { echo "usage: bench/run.sh [--smoke | --full | --size HOSTSxDURATION [--doc FILE]] [--only ingest]" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case "$1" in
	--smoke) SMOKE=1 ;;
	--full) FULL=1 ;;
	--size) [ $# -ge 2 ] || usage; SIZE=$2; shift ;;
	--doc) [ $# -ge 2 ] || usage; DOC=$2; shift ;;
	--only) [ $# -ge 2 ] || usage; ONLY=$2; shift ;;
	--only=*) ONLY=${1#--only=} ;;
	*) usage ;;
	esac
	shift
done
[ "$SMOKE$FULL" != 11 ] || usage
[ -z "$SIZE" ] || [ "$SMOKE$FULL" = 00 ] || usage
[[ -z "$SIZE" || "$SIZE" =~ ^[1-9][0-9]*x[1-9][0-9]*[smhd]$ ]] || usage
# --full: the two larger sizes, each a run of its own with its own report
# (the standard size, with the iot stage, is make bench)
if [ $FULL = 1 ] && [ -z "$ONLY" ]; then
	t0=$(date +%s)
	for size in 1000x1d 100000x10m; do
		printf '\n==== bench/run.sh --size %s (make bench-full)\n' "$size"
		FULL_RUN=1 "$0" --size "$size" --doc "$ROOT/docs/BENCHMARKS-${size%%x*}-hosts.md"
	done
	echo "make bench-full: done in $(($(date +%s) - t0)) s"
	exit 0
fi
[ $FULL = 0 ] || SIZE=1000x1d  # --full --only ingest
case "$ONLY" in
"") ;;
ingest) [ $SMOKE = 0 ] || usage; RESULTS=$OUT/results-ingest.env ;;
*) usage ;;
esac
# HTTP ingest: runs per system and worker count, each on a fresh server, the
# median kept (one at 1,000 hosts, where InfluxDB alone takes minutes a
# run); a run during which other processes used 0.2 cores or more is
# repeated, up to twice as many runs in all (bench/ingest.py)
HTTP_RUNS=${HTTP_RUNS:-$([ -n "$SIZE" ] && echo 1 || echo 3)}

mkdir -p "$OUT"
run_start=$(date +%s)
vm_pid=""
# Stops whatever this run started that is still running: VictoriaMetrics,
# and a server that peers.py or ingest.py could not stop (its pid file
# remains).
cleanup() {
	if [ -n "$vm_pid" ] && kill -0 "$vm_pid" 2>/dev/null; then
		kill "$vm_pid" 2>/dev/null || true
		wait "$vm_pid" 2>/dev/null || true
	fi
	local f pid
	for f in "$OUT"/peer-*/server.pid "$OUT"/ingest/*/server.pid "$OUT"/iot/peer-*/server.pid; do
		[ -e "$f" ] || continue
		pid=$(cat "$f")
		# only a process group that peers.py or ingest.py started: its
		# leader still runs one of their commands
		if [ -n "$pid" ] && grep -qaE 'clickhouse|influxd|postgres|victoria-metrics|stele|load_http' \
			"/proc/$pid/cmdline" 2>/dev/null; then
			kill -TERM -- "-$pid" 2>/dev/null || true
			for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
			kill -KILL -- "-$pid" 2>/dev/null || true
		fi
		rm -f "$f"
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { printf '\n== %s\n' "$*"; }
result() { printf '%s=%s\n' "$1" "$2" >>"$RESULTS"; printf '   %-28s %s\n' "$1" "$2"; }
: >"$RESULTS"

for tool in "$STELE" "$GEN" "$BQ" "$LOADH"; do
	[ -x "$tool" ] || { echo "bench: $tool is missing; run make first" >&2; exit 1; }
done

# ---- data -----------------------------------------------------------------
if [ $SMOKE = 1 ]; then HOSTS=5; DUR=10m; elif [ -n "$SIZE" ]; then HOSTS=${SIZE%%x*}; DUR=${SIZE#*x}; else HOSTS=100; DUR=1d; fi
dur_s=$(awk -v d="$DUR" 'BEGIN { n = substr(d, 1, length(d) - 1); u = substr(d, length(d));
	print n * (u == "d" ? 86400 : u == "h" ? 3600 : u == "m" ? 60 : 1) }')
# at 100,000 hosts InfluxDB and PostgreSQL take seconds a query: two
# instances of each type rather than five
[ "$HOSTS" -lt 100000 ] || Q_INSTANCES=${Q_INSTANCES_HC:-2}
DATA=$OUT/devops-${HOSTS}x${DUR}.lp
step "generating devops cpu-only data: $HOSTS hosts x $DUR, every 10 s, seed 123"
"$GEN" --hosts "$HOSTS" --duration "$DUR" --out "$DATA"
rows=$(wc -l <"$DATA")
bytes=$(stat -c %s "$DATA")
sum1=$(md5sum <"$DATA" | cut -d' ' -f1)
sum2=$("$GEN" --hosts "$HOSTS" --duration "$DUR" | md5sum | cut -d' ' -f1)
[ "$sum1" = "$sum2" ] || { echo "bench: the generator is not deterministic" >&2; exit 1; }
want_rows=$((HOSTS * dur_s / 10))
[ "$rows" = "$want_rows" ] || { echo "bench: $rows rows generated, expected $want_rows" >&2; exit 1; }
bad=$(grep -cvE '^cpu,hostname=host_[0-9]+,region=[a-z0-9-]+,datacenter=[a-z0-9-]+,rack=[0-9]+,os=[A-Za-z0-9.]+,arch=x(64|86),team=[A-Z]+,service=[0-9]+,service_version=[01],service_environment=[a-z]+ usage_user=[0-9]+i,usage_system=[0-9]+i,usage_idle=[0-9]+i,usage_nice=[0-9]+i,usage_iowait=[0-9]+i,usage_irq=[0-9]+i,usage_softirq=[0-9]+i,usage_steal=[0-9]+i,usage_guest=[0-9]+i,usage_guest_nice=[0-9]+i [0-9]{19}$' "$DATA" || true)
[ "$bad" = 0 ] || { echo "bench: $bad generated lines have an unexpected shape" >&2; exit 1; }
result data_hosts "$HOSTS"
result data_duration "$DUR"
result data_duration_s "$dur_s"
result data_rows "$rows"
result data_bytes "$bytes"
result data_md5 "$sum1"

# ---- HTTP ingest ----------------------------------------------------------
# http_ingest SYSTEMS BATCH_LINES [PORTS]: the data file POSTed to /write by
# build/bench/load_http with 1 and with 2 client workers, to each system of
# SYSTEMS (discard,stele,victoriametrics,influxdb), each started fresh for
# each run and checked to hold every row and value (bench/ingest.py,
# bench/README.md "HTTP ingest"). A peer that fails is reported; the
# discard server or Stele failing fails the run.
http_ingest() {
	local info=$OUT/ingest.env rc=0 runs=(--runs "$HTTP_RUNS" --max-runs $((2 * HTTP_RUNS)))
	[ $SMOKE = 0 ] || runs=(--smoke --runs 1 --max-runs 1)
	local ports=${3:-discard=$DISCARD_PORT,stele=$STELE_HTTP_PORT,victoriametrics=$VM_PORT,influxdb=$HTTP_INFLUX_PORT}
	: >"$info"
	$PY bench/ingest.py --load "$LOADH" --stele "$STELE" --lp "$DATA" --rows "$rows" \
		--values $((rows * 10)) --dir "$OUT/ingest" --info "$info" --systems "$1" \
		--workers 1,2 --batch-lines "$2" --ports "$ports" "${runs[@]}" || rc=$?
	# the smoke run keeps what was checked, not the figures
	while IFS= read -r line; do
		[ $SMOKE = 0 ] || [[ $line == http_*_status=* ]] || continue
		result "${line%%=*}" "${line#*=}"
	done <"$info"
	rm -rf "$OUT/ingest" "$info"
	[ $rc = 0 ] || { echo "bench: the HTTP ingest into the discard server or Stele failed" >&2; exit 1; }
}

# ---- the machine ----------------------------------------------------------
machine_facts() {
	result machine_cpu "$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
	result machine_cores "$(nproc)"
	result machine_mem_gib "$(awk '/MemTotal/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)"
	result machine_kernel "$(uname -r)"
	result stele_version "$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)"
	result vm_version "$(dpkg-query -W -f='${Version}' victoria-metrics 2>/dev/null || echo '?')"
	result run_date "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	result run_wall_s "$(($(date +%s) - run_start))"
}

if [ "$ONLY" = ingest ]; then
	step "HTTP ingest only: load_http, ${HTTP_BATCH:-5000}-line batches, 1 and 2 workers"
	http_ingest discard,stele,victoriametrics,influxdb "${HTTP_BATCH:-5000}"
	machine_facts
	result run_command "bench/run.sh$([ $FULL = 1 ] && echo ' --full') --only ingest"
	step "writing bench/out/BENCHMARKS-ingest.md and bench/out/bench-ingest.png (docs/ is left alone)"
	$PY "$ROOT/bench/report.py" "$RESULTS" "$OUT/BENCHMARKS-ingest.md"
	echo "done"
	exit 0
fi

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
	# The query suite at a tiny size: 10 hosts x 13 h every 30 s (so that
	# every query type's window fits), two instances of each query type
	# through bench_query, answers compared with reference.py's brute-force
	# evaluation of the same queries over the line protocol. No timings.
	step "Stele: the query set through bench_query, answers against bench/reference.py"
	SQ=$OUT/smoke-queries
	rm -rf "$SQ" "$OUT/stele-qdb" && mkdir -p "$SQ"
	"$GEN" --hosts 10 --duration 13h --interval 30s --out "$SQ/data.lp"
	[ "$(wc -l <"$SQ/data.lp")" = 15600 ] || { echo "bench: the query smoke data has $(wc -l <"$SQ/data.lp") rows" >&2; exit 1; }
	"$STELE" import --db "$OUT/stele-qdb" --sync none "$SQ/data.lp" >/dev/null
	$PY bench/queries.py --hosts 10 --duration 13h --instances 2 --out "$SQ"
	"$BQ" --db "$OUT/stele-qdb" --queries "$SQ/stele.tsv" --warmup 0 --runs 0 --out "$SQ/stele.res"
	# the runner under ASan+UBSan too, when that build is there (make test):
	# clean exit, no leaks, the same answers
	if [ -x "$ROOT/build-asan/bench/bench_query" ]; then
		"$ROOT/build-asan/bench/bench_query" --db "$OUT/stele-qdb" --queries "$SQ/stele.tsv" \
			--warmup 0 --runs 1 --out "$SQ/stele-asan.res"
		cmp -s <(grep -v '^query' "$SQ/stele.res") <(grep -v '^query' "$SQ/stele-asan.res") ||
			{ echo "bench: bench_query's answers differ between the release and the ASan build" >&2; exit 1; }
		echo "   bench_query under ASan+UBSan: the same answers, no leaks"
	fi
	$PY bench/reference.py "$SQ/data.lp" "$SQ/queries.json" "$SQ/reference.res"
	$PY bench/answers.py "$SQ/queries.json" stele="$SQ/stele.res" reference="$SQ/reference.res"
	# Two answers checked by hand as well, from the file with awk: how many
	# rows have usage_user > 90, and the greatest usage_system of host_7.
	fields='{ n = split($2, kv, ","); for (i = 1; i <= n; i++) { split(kv[i], p, "="); v[p[1]] = p[2] + 0 } }'
	want_hot=$(awk "$fields"' v["usage_user"] > 90 { c++ } END { print c + 0 }' "$SQ/data.lp")
	want_max=$(awk "$fields"' /^cpu,hostname=host_7,/ && v["usage_system"] > m { m = v["usage_system"] } END { print m + 0 }' "$SQ/data.lp")
	got=$("$STELE" sql --db "$OUT/stele-qdb" --read-only --format csv "SELECT count(*) FROM cpu WHERE usage_user > 90" | tail -1)
	[ "$got" = "$want_hot" ] || { echo "bench: Stele counts $got rows with usage_user > 90, awk $want_hot" >&2; exit 1; }
	got=$("$STELE" sql --db "$OUT/stele-qdb" --read-only --format csv "SELECT max(usage_system) FROM cpu WHERE hostname = 'host_7'" | tail -1)
	[ "$got" = "$want_max" ] || { echo "bench: Stele's max(usage_system) of host_7 is $got, awk's $want_max" >&2; exit 1; }
	printf '   %s rows with usage_user > 90 and max(usage_system) %s for host_7, as awk finds them\n' "$want_hot" "$want_max"
	rm -rf "$SQ" "$OUT/stele-qdb"

	# The HTTP load client: every form of response its parser reads, from its
	# own discard server, whose counts of requests, lines and bytes must be
	# what the client sent; a failure it must report; line protocol whose
	# rows are not one per newline. Then the ingest stage itself, tiny,
	# against the discard server and stele serve: rows and values, no times.
	step "HTTP ingest: load_http against its discard server (every response form), then stele serve"
	LH=$OUT/smoke-http
	rm -rf "$LH" && mkdir -p "$LH"
	nb=$(((rows + 6) / 7))
	lh_check() { # lh_check LOAD_HTTP MODE: 2 workers, 7-row batches
		"$1" --against-discard --discard-mode "$2" --file "$DATA" --workers 2 --batch-lines 7 \
			--quiet --out "$LH/$2.env" ||
			{ echo "bench: load_http against its discard server (mode $2) failed" >&2; exit 1; }
		grep -qx "rows=$rows" "$LH/$2.env" && grep -qx "values=$((rows * 10))" "$LH/$2.env" &&
			grep -qx "batches=$nb" "$LH/$2.env" && grep -qx "bytes=$bytes" "$LH/$2.env" ||
			{ echo "bench: load_http (mode $2) counted: $(paste -sd' ' "$LH/$2.env")" >&2; exit 1; }
	}
	for mode in ok length chunked continue close drop; do lh_check "$LOADH" "$mode"; done
	grep -qx "non204=$nb" "$LH/chunked.env" && grep -qx "non204=$nb" "$LH/length.env" &&
		grep -qx "non204=0" "$LH/continue.env" ||
		{ echo "bench: load_http miscounted the 200 and 204 answers" >&2; exit 1; }
	# drop: the second request on every connection is not answered, so all
	# but the batches that a fresh connection carried went twice
	reconn=$(sed -n 's/^reconnects=//p' "$LH/drop.env")
	[ "$reconn" -ge $((nb / 2 - 2)) ] ||
		{ echo "bench: load_http reconnected $reconn times against a dropping server" >&2; exit 1; }
	rc=0
	"$LOADH" --against-discard --discard-mode error --file "$DATA" --workers 2 --batch-lines 7 \
		--quiet 2>"$LH/error.txt" || rc=$?
	[ $rc = 1 ] && grep -qE '^load_http: batch [0-9]+ \(lines [0-9]+-[0-9]+, [0-9]+ bytes\): HTTP 400 Bad Request$' "$LH/error.txt" &&
		grep -qxF '  {"error":"the discard server'"'"'s error mode"}' "$LH/error.txt" ||
		{ echo "bench: load_http did not report a 400 as it should (status $rc):" >&2; cat "$LH/error.txt" >&2; exit 1; }
	printf '%s\n' '# a comment, then a blank line' '' 'm,t=a\ b f=1i,g="x y, z" 1' 'm f="one' \
		'two",h=2 2' '' 'm\,n f=1 3' >"$LH/tricky.lp"
	"$LOADH" --against-discard --file "$LH/tricky.lp" --batch-lines 1 --workers 2 --quiet --out "$LH/tricky.env"
	[ "$(grep -E '^(rows|values|lines|batches)=' "$LH/tricky.env" | paste -sd' ')" = "rows=3 values=5 lines=7 batches=3" ] ||
		{ echo "bench: load_http cut or counted tricky line protocol wrongly: $(paste -sd' ' "$LH/tricky.env")" >&2; exit 1; }
	echo "   the discard server's answers (204, 200 with a length, chunked, 100 then 204, Connection: close, dropped) all read, counts agreed; a 400 reported with its body"
	# the client under ASan+UBSan too, when that build is there (make test)
	if [ -x "$ROOT/build-asan/bench/load_http" ]; then
		for mode in ok chunked drop; do lh_check "$ROOT/build-asan/bench/load_http" "$mode"; done
		echo "   load_http under ASan+UBSan: the same counts, no leaks"
	fi
	http_ingest discard,stele 50 auto
	grep -qx 'http_stele_status=ok' "$RESULTS" ||
		echo "   (Stele's HTTP ingest: $(sed -n 's/^http_stele_status=//p' "$RESULTS"))"
	rm -rf "$LH"
	step "smoke run passed (answers checked, no timings written)"
	exit 0
fi

# ---- Stele: a million series ----------------------------------------------
if [ -z "$SIZE" ]; then
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
fi

# ---- parser microbenchmark ------------------------------------------------
if [ -z "$SIZE" ] && [ -x "$ROOT/build/bench/bench_lp" ]; then
	step "line-protocol parser, one core"
	"$ROOT/build/bench/bench_lp" | tee "$OUT/bench_lp.txt"
	lpnum() { awk -v pat="$1" 'index($0, pat) { for (i = 1; i <= NF; i++) if ($(i + 1) == "MB/s") v = $i } END { print v }' "$OUT/bench_lp.txt"; }
	result lp_mb_per_s_host_1m "$(lpnum "host-major, 1 MiB")"
	result lp_mb_per_s_host_4m "$(lpnum "host-major, 4 MiB")"
	result lp_mb_per_s_time_1m "$(lpnum "time-major, 1 MiB")"
	result lp_mb_per_s_time_4m "$(lpnum "time-major, 4 MiB")"
fi

# ---- hot paths beside the memory bandwidth ---------------------------------
# The codecs (bench_codec: bits per value, encode and decode MB/s), a scan of
# the devops day on one thread, and the machine's memory bandwidth in the
# same run (bench/membw), so the distance to the physical limit is visible.
if [ -z "$SIZE" ] && [ -x "$ROOT/build/bench/membw" ] && [ -x "$ROOT/build/bench/bench_codec" ]; then
	step "hot paths, one core: the codecs, a scan of the day, beside the memory bandwidth"
	"$ROOT/build/bench/membw" --mib 1024 >"$OUT/membw-1.txt" 2>/dev/null
	"$ROOT/build/bench/membw" --mib 1024 --threads "$(nproc)" >"$OUT/membw-n.txt" 2>/dev/null
	for w in read write copy; do
		result "mem_${w}_gbps_1" "$(sed -n "s/^${w}_gbps=//p" "$OUT/membw-1.txt")"
		result "mem_${w}_gbps_all" "$(sed -n "s/^${w}_gbps=//p" "$OUT/membw-n.txt")"
	done
	"$ROOT/build/bench/bench_codec" --quick >"$OUT/bench_codec.txt"
	result codec_bench_file "$OUT/bench_codec.txt"
	# sums of expressions, so that block statistics cannot answer them and
	# every value is decoded: one field, and all ten
	all10="usage_user + usage_system + usage_idle + usage_nice + usage_iowait + usage_irq + usage_softirq + usage_steal + usage_guest + usage_guest_nice"
	printf 'scan-1\tSELECT sum(usage_user + 1) FROM cpu\nscan-10\tSELECT sum(%s) FROM cpu\nscan-ts\tSELECT max(ts + interval '"'"'1 second'"'"') FROM cpu\n' "$all10" >"$OUT/scan.tsv"
	"$BQ" --db "$OUT/stele-db" --queries "$OUT/scan.tsv" --threads 1 --warmup 2 --runs 10 \
		--out "$OUT/scan.res" >/dev/null
	for q in scan-1 scan-10 scan-ts; do
		ms=$(awk -F'\t' -v q="$q" '$1 == "query" && $2 == q { print $3 }' "$OUT/scan.res")
		result "scan_ms_${q#scan-}" "$ms"
	done
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

step "HTTP ingest: load_http to a discard server, Stele (stele serve, --sync always), VictoriaMetrics, InfluxDB 1.6; 5,000-line batches, 1 and 2 workers"
http_ingest discard,stele,victoriametrics,influxdb 5000

# ---- queries: TSBS devops, Stele beside ClickHouse, InfluxDB, PostgreSQL ---
# The same data in every system, the same queries in each one's language
# (bench/queries.py), the same rule for warm-up and timed runs; every
# answer checked against every other system's before any timing counts.
QD=$OUT/queries
step "queries: $Q_INSTANCES instances of each of 15 TSBS devops query types, seed 321"
rm -rf "$QD" && mkdir -p "$QD"
$PY bench/queries.py --hosts "$HOSTS" --duration "$DUR" --instances "$Q_INSTANCES" --out "$QD"
result q_hosts "$HOSTS"
result q_count "$(grep -vc '^#' "$QD/stele.tsv")"
result q_instances "$Q_INSTANCES"
result q_warmup "$Q_WARMUP"
result q_runs "$Q_RUNS"
result q_max_seconds "$Q_MAX_SECONDS"
q_start=$(date +%s)

step "Stele: bench_query on the database imported above (read-only)"
"$BQ" --db "$OUT/stele-db" --queries "$QD/stele.tsv" --warmup "$Q_WARMUP" --runs "$Q_RUNS" \
	--max-seconds "$Q_MAX_SECONDS" --out "$QD/stele.res"
$PY bench/results.py summary "$QD/stele.res"
result q_results_stele "$QD/stele.res"
checked=(stele="$QD/stele.res")

step "ClickHouse and PostgreSQL load tab-separated rows: converting the line protocol"
$PY bench/peers.py tsv "$DATA" "$OUT/devops.tsv"

# peer NAME QUERIES ARGS...: one peer from start to stop; its facts go into
# the results, its failure is reported (in docs/BENCHMARKS.md too), not hidden
peer() {
	local name=$1 queries=$2; shift 2
	local dir=$OUT/peer-$name
	rm -rf "$dir"
	: >"$QD/$name.env"
	if $PY bench/peers.py "$name" --dir "$dir" --rows "$rows" --queries "$QD/$queries" \
		--warmup "$Q_WARMUP" --runs "$Q_RUNS" --max-seconds "$Q_MAX_SECONDS" \
		--out "$QD/$name.res" --info "$QD/$name.env" "$@"; then
		result "q_results_$name" "$QD/$name.res"
		checked+=("$name=$QD/$name.res")
	fi
	while IFS= read -r line; do result "${line%%=*}" "${line#*=}"; done <"$QD/$name.env"
	rm -rf "$dir"
}
step "ClickHouse 18.16: clickhouse-server on 127.0.0.1:$CH_PORT/$((CH_PORT + 1)), MergeTree ORDER BY (hostname, time)"
command -v clickhouse-server >/dev/null || { echo "bench: clickhouse-server is not installed (scripts/deps.sh)" >&2; exit 1; }
result clickhouse_package "$(dpkg-query -W -f='${Version}' clickhouse-server)"
peer clickhouse clickhouse.tsv --tsv "$OUT/devops.tsv" --port "$CH_PORT"
step "PostgreSQL 15: a throwaway cluster on a unix socket, indexes on (hostname, ts) and (ts)"
result postgres_package "$(dpkg-query -W -f='${Version}' postgresql-15)"
peer postgres postgres.tsv --tsv "$OUT/devops.tsv"
rm -f "$OUT/devops.tsv"
step "InfluxDB 1.6: influxd on 127.0.0.1:$INFLUX_PORT/$((INFLUX_PORT + 1)), line protocol over /write"
command -v influxd >/dev/null || { echo "bench: influxd is not installed (scripts/deps.sh)" >&2; exit 1; }
result influxdb_package "$(dpkg-query -W -f='${Version}' influxdb)"
peer influxdb influxql.tsv --lp "$DATA" --port "$INFLUX_PORT"

step "answer check: every system's answer to every query, before any timing is reported"
$PY bench/answers.py "$QD/queries.json" "${checked[@]}" --unordered influxdb --summary "$RESULTS"
result q_systems "$(printf '%s\n' "${checked[@]}" | cut -d= -f1 | paste -sd, -)"
result q_wall_s "$(($(date +%s) - q_start))"

# ---- queries: TSBS iot (trucks), the same four systems ------------------------
# bench/run_iot.sh as a stage of this run (bench/README-iot.md): its own data
# (gen_iot, TSBS's disorder), Stele's import, the peers loaded and queried as
# above, every answer checked, the timings. Its KEY=VALUE lines (every key
# starts with iot_) are appended to the results. A peer that fails there is
# reported as not measured; Stele failing, or answers that disagree, fail it
# and so this run. Not in --smoke (tests/integration/test_bench_iot_smoke.sh
# covers the stage).
IOT_RESULTS=$OUT/iot-results.env
if [ -z "$SIZE" ]; then
step "iot: bench/run_iot.sh, $IOT_TRUCKS trucks x 1 day, $IOT_INSTANCES instances of each query type with parameters"
rm -f "$IOT_RESULTS"
Q_WARMUP=$Q_WARMUP Q_RUNS=$Q_RUNS Q_MAX_SECONDS=$Q_MAX_SECONDS CH_PORT=$CH_PORT INFLUX_PORT=$INFLUX_PORT \
	bench/run_iot.sh --trucks "$IOT_TRUCKS" --duration 1d --instances "$IOT_INSTANCES" "$IOT_RESULTS" ||
	{ echo "bench: the iot stage failed (Stele, the data, or answers that disagree; see above)" >&2; exit 1; }
grep -q '^iot_q_results_stele=' "$IOT_RESULTS" ||
	{ echo "bench: the iot stage wrote no results for Stele" >&2; exit 1; }
cat "$IOT_RESULTS" >>"$RESULTS"
rm -f "$IOT_RESULTS"
fi

machine_facts
if [ -z "$SIZE" ]; then
	result run_command "make bench (bench/run.sh)"
elif [ "${FULL_RUN:-0}" = 1 ]; then
	result run_command "make bench-full (bench/run.sh --full), its stage bench/run.sh --size $SIZE --doc ${DOC#"$ROOT"/}"
else
	result run_command "bench/run.sh --size $SIZE --doc ${DOC#"$ROOT"/}"
fi

step "writing ${DOC#"$ROOT"/} and its charts"
$PY "$ROOT/bench/report.py" "$RESULTS" "$DOC"
echo "done"
