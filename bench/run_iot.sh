#!/usr/bin/env bash
# The iot (trucks) query benchmark, a stage of its own (bench/README-iot.md):
# gen_iot's data in Stele, ClickHouse 18.16, PostgreSQL 15 and InfluxDB 1.6,
# the twelve TSBS iot query types in each one's language, every answer
# checked against every other system's, then the timings kept.
#
#   bench/run_iot.sh [--trucks N] [--duration D] [--interval D] [--instances K]
#                    [--systems LIST] [--reference] RESULTS
#
# Defaults: 100 trucks x 1 day every 10 s, 3 instances of each query type
# with parameters, all four systems. RESULTS receives KEY=VALUE lines, every
# key starting with `iot_` (so that bench/run.sh can append them to its own
# results): the data, Stele's import, each peer's version, load and status,
# the answer check, and iot_q_results_SYSTEM, the path of each system's
# answers and timings in bench/results.py's format (under bench/out/iot/).
# --reference adds bench/reference_iot.py's brute-force answers to the
# check (small data only: it holds every point in memory, in Python). LIST
# is a comma-separated subset of stele,clickhouse,postgres,influxdb (Stele
# is always run). The same timing rule as bench/run.sh's query benchmark:
# Q_WARMUP (2) untimed runs, Q_RUNS (10) timed ones, fewer (at least 3) once
# they have taken Q_MAX_SECONDS (2) s. Peers run on 127.0.0.1 with
# throwaway directories, one after another; a peer that fails is reported
# (its status in RESULTS) and left out; answers that disagree fail the run.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=$ROOT/bench/out/iot
STELE=$ROOT/build/stele
GEN=$ROOT/build/bench/gen_iot
BQ=$ROOT/build/bench/bench_query
PY=/usr/bin/python3
CH_PORT=${CH_PORT:-18123}         # ClickHouse HTTP; its native port is the next one
INFLUX_PORT=${INFLUX_PORT:-18086} # InfluxDB HTTP; its RPC port is the next one
Q_WARMUP=${Q_WARMUP:-2}
Q_RUNS=${Q_RUNS:-10}
Q_MAX_SECONDS=${Q_MAX_SECONDS:-2}
IMPORT_RUNS=${IMPORT_RUNS:-1}
TRUCKS=100
DUR=1d
INTERVAL=10s
INSTANCES=${Q_INSTANCES:-3}
SYSTEMS=stele,clickhouse,postgres,influxdb
REFERENCE=0
RESULTS=""
usage() {
	echo "usage: bench/run_iot.sh [--trucks N] [--duration D] [--interval D] [--instances K]" \
		"[--systems LIST] [--reference] RESULTS" >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case "$1" in
	--trucks | --duration | --interval | --instances | --systems)
		[ $# -ge 2 ] || usage
		case "$1" in
		--trucks) TRUCKS=$2 ;;
		--duration) DUR=$2 ;;
		--interval) INTERVAL=$2 ;;
		--instances) INSTANCES=$2 ;;
		--systems) SYSTEMS=$2 ;;
		esac
		shift
		;;
	--reference) REFERENCE=1 ;;
	-*) usage ;;
	*) [ -z "$RESULTS" ] || usage; RESULTS=$1 ;;
	esac
	shift
done
[ -n "$RESULTS" ] || usage
case "$RESULTS" in /*) ;; *) RESULTS=$(pwd)/$RESULTS ;; esac
for s in ${SYSTEMS//,/ }; do
	case "$s" in stele | clickhouse | postgres | influxdb) ;; *) usage ;; esac
done
wants() { [[ ",$SYSTEMS," == *",$1,"* ]]; }

mkdir -p "$OUT" "$(dirname "$RESULTS")"
run_start=$(date +%s)
# Stops a server that peers_iot.py could not stop (its pid file remains),
# only when the process group's leader still runs one of the peers.
cleanup() {
	local f pid
	for f in "$OUT"/peer-*/server.pid; do
		[ -e "$f" ] || continue
		pid=$(cat "$f")
		if [ -n "$pid" ] && grep -qaE 'clickhouse|influxd|postgres' "/proc/$pid/cmdline" 2>/dev/null; then
			kill -TERM -- "-$pid" 2>/dev/null || true
			for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
			kill -KILL -- "-$pid" 2>/dev/null || true
		fi
		rm -f "$f"
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { printf '\n== iot: %s\n' "$*"; }
result() { printf 'iot_%s=%s\n' "$1" "$2" >>"$RESULTS"; printf '   %-32s %s\n' "iot_$1" "$2"; }
: >"$RESULTS"
for tool in "$STELE" "$GEN" "$BQ"; do
	[ -x "$tool" ] || { echo "bench: $tool is missing; run make first" >&2; exit 1; }
done

# ---- data -----------------------------------------------------------------
DATA=$OUT/iot-${TRUCKS}x${DUR}.lp
step "generating iot data: $TRUCKS trucks x $DUR, every $INTERVAL, seed 123, TSBS's disorder"
gen=("$GEN" --trucks "$TRUCKS" --duration "$DUR" --interval "$INTERVAL")
"${gen[@]}" --out "$DATA" --stats "$OUT/gen.env"
sum1=$(md5sum <"$DATA" | cut -d' ' -f1)
sum2=$("${gen[@]}" | md5sum | cut -d' ' -f1)
[ "$sum1" = "$sum2" ] || { echo "bench: gen_iot is not deterministic" >&2; exit 1; }
rows=$(wc -l <"$DATA")
tagre='(,name=truck_[0-9]+)?(,fleet=(East|West|North|South))?(,driver=(Derek|Rodney|Albert|Andy|Seth|Trish))?(,model=(F-150|G-2000|H-2))?(,device_version=v[0-9.]+)?'
bad=$(grep -cvE "^(readings|diagnostics)$tagre [a-z_]+=-?[0-9.]+i?(,[a-z_]+=-?[0-9.]+i?)* [0-9]{19}\$" "$DATA" || true)
[ "$bad" = 0 ] || { echo "bench: $bad generated lines have an unexpected shape" >&2; exit 1; }
result data_trucks "$TRUCKS"
result data_duration "$DUR"
result data_interval "$INTERVAL"
result data_lines "$rows"
result data_bytes "$(stat -c %s "$DATA")"
result data_md5 "$sum1"
while IFS= read -r line; do result "gen_${line%%=*}" "${line#*=}"; done <"$OUT/gen.env"
[ "$(sed -n 's/^rows_readings=//p' "$OUT/gen.env")" = "$(grep -c '^readings,' "$DATA")" ] ||
	{ echo "bench: gen_iot's row count is not the file's" >&2; exit 1; }

step "converting the line protocol into the rows ClickHouse and PostgreSQL load, and counting"
TSV=$OUT/tsv
$PY bench/peers_iot.py tsv "$DATA" "$TSV"
read -r want_rows want_values < <($PY -c '
import json, sys
c = json.load(open(sys.argv[1]))
print(sum(t["series_rows"] for t in c.values()), sum(t["series_values"] for t in c.values()))' "$TSV/counts.json")

# ---- Stele ----------------------------------------------------------------
timed() { # timed LOGFILE CMD...
	local log=$1; shift
	/usr/bin/time -v "$@" 2>"$log.time" >"$log"
}
wall_of() { awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$1"; }
rss_of() { awk -F': ' '/Maximum resident set size/ { print $2 }' "$1"; }

step "Stele: import with --sync interval=100ms, $IMPORT_RUNS run(s)"
DB=$OUT/stele-db
walls=()
rss_max=0
for run in $(seq "$IMPORT_RUNS"); do
	rm -rf "$DB"
	timed "$OUT/stele-import.log" "$STELE" import --db "$DB" --sync interval=100ms "$DATA"
	w=$(wall_of "$OUT/stele-import.log.time")
	r=$(rss_of "$OUT/stele-import.log.time")
	walls+=("$w")
	[ "$r" -gt "$rss_max" ] && rss_max=$r
	printf '   run %d: %s s, peak RSS %s KiB: %s\n' "$run" "$w" "$r" "$(cat "$OUT/stele-import.log")"
	grep -q "^$rows lines written, 0 rejected" "$OUT/stele-import.log" ||
		{ echo "bench: Stele did not import every line" >&2; exit 1; }
done
wall=$(printf '%s\n' "${walls[@]}" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
"$STELE" stats --db "$DB" --json >"$OUT/stele-stats.json"
read -r s_disk s_rows s_values s_bpv < <($PY -c '
import json, sys
s = json.load(open(sys.argv[1]))
print(s["bytes_on_disk"], s["rows"], s["values"], s["bytes_per_value"])' "$OUT/stele-stats.json")
# Stele merges points of one series and time (InfluxDB's rule); only
# nameless points can meet so, and peers_iot.py counted what remains
[ "$s_rows $s_values" = "$want_rows $want_values" ] ||
	{ echo "bench: Stele holds $s_rows rows and $s_values values, expected $want_rows and $want_values" >&2; exit 1; }
result stele_import_s "$wall"
result stele_rows_per_s "$(awk -v r="$rows" -v w="$wall" 'BEGIN { printf "%.0f", r / w }')"
result stele_peak_rss_kib "$rss_max"
result stele_rows "$s_rows"
result stele_values "$s_values"
result stele_bytes_on_disk "$s_disk"
result stele_bytes_per_value "$s_bpv"

# ---- queries ----------------------------------------------------------------
QD=$OUT/queries
step "queries: 12 TSBS iot query types, $INSTANCES instances of each with parameters, seed 321"
rm -rf "$QD" && mkdir -p "$QD"
$PY bench/queries_iot.py --trucks "$TRUCKS" --duration "$DUR" --instances "$INSTANCES" --out "$QD"
result q_trucks "$TRUCKS"
result q_count "$(grep -vc '^#' "$QD/stele.tsv")"
result q_instances "$INSTANCES"
result q_warmup "$Q_WARMUP"
result q_runs "$Q_RUNS"
result q_max_seconds "$Q_MAX_SECONDS"
q_start=$(date +%s)

step "Stele: bench_query on the database imported above (read-only)"
"$BQ" --db "$DB" --queries "$QD/stele.tsv" --warmup "$Q_WARMUP" --runs "$Q_RUNS" \
	--max-seconds "$Q_MAX_SECONDS" --out "$QD/stele.res"
$PY bench/results.py summary "$QD/stele.res"
result q_results_stele "$QD/stele.res"
checked=(stele="$QD/stele.res")

# peer NAME QUERIES ARGS...: one peer from start to stop (bench/peers_iot.py)
peer() {
	local name=$1 queries=$2; shift 2
	local dir=$OUT/peer-$name
	rm -rf "$dir"
	: >"$QD/$name.env"
	if $PY bench/peers_iot.py "$name" --dir "$dir" --data "$TSV" --queries "$QD/$queries" \
		--meta "$QD/queries.json" --warmup "$Q_WARMUP" --runs "$Q_RUNS" \
		--max-seconds "$Q_MAX_SECONDS" --out "$QD/$name.res" --info "$QD/$name.env" "$@"; then
		result "q_results_$name" "$QD/$name.res"
		checked+=("$name=$QD/$name.res")
	fi
	while IFS= read -r line; do result "${line%%=*}" "${line#*=}"; done <"$QD/$name.env"
	rm -rf "$dir"
}
package() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo '?'; }
if wants clickhouse; then
	step "ClickHouse 18.16 on 127.0.0.1:$CH_PORT/$((CH_PORT + 1)), two MergeTree tables"
	result clickhouse_package "$(package clickhouse-server)"
	if command -v clickhouse-server >/dev/null; then
		peer clickhouse clickhouse.tsv --port "$CH_PORT"
	else
		result clickhouse_status "failed: clickhouse-server is not installed (scripts/deps.sh)"
	fi
fi
if wants postgres; then
	step "PostgreSQL 15: a throwaway cluster on a unix socket, indexes on (name, ts) and (ts)"
	result postgres_package "$(package postgresql-15)"
	if [ -x /usr/lib/postgresql/15/bin/postgres ]; then
		peer postgres postgres.tsv
	else
		result postgres_status "failed: postgresql-15 is not installed (scripts/deps.sh)"
	fi
fi
rm -f "$TSV"/*.tsv
if wants influxdb; then
	step "InfluxDB 1.6 on 127.0.0.1:$INFLUX_PORT/$((INFLUX_PORT + 1)), line protocol over /write"
	result influxdb_package "$(package influxdb)"
	if command -v influxd >/dev/null; then
		peer influxdb influxql.tsv --lp "$DATA" --port "$INFLUX_PORT"
	else
		result influxdb_status "failed: influxd is not installed (scripts/deps.sh)"
	fi
fi
if [ $REFERENCE = 1 ]; then
	step "bench/reference_iot.py: every answer by brute force from the line protocol"
	$PY bench/reference_iot.py "$DATA" "$QD/queries.json" "$QD/reference.res"
	checked+=("reference=$QD/reference.res")
fi

step "answer check: every system's answer to every query, before any timing is kept"
: >"$QD/answers.env"
(cd bench && $PY answers.py "$QD/queries.json" "${checked[@]}" --unordered influxdb \
	--summary "$QD/answers.env")
while IFS= read -r line; do result "${line%%=*}" "${line#*=}"; done <"$QD/answers.env"
result q_systems "$(printf '%s\n' "${checked[@]}" | cut -d= -f1 | grep -vx reference | paste -sd, -)"
result q_wall_s "$(($(date +%s) - q_start))"
result run_wall_s "$(($(date +%s) - run_start))"
result run_date "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "iot: done; results in $RESULTS"
