#!/usr/bin/env bash
# The iot (trucks) benchmark at a tiny size, Stele only, no timings
# (bench/README-iot.md, "Smoke test"): gen_iot is deterministic and writes
# what its statistics say; Stele imports every point and holds the rows and
# values it must; every query of bench/queries_iot.py through bench_query
# gives the answer that bench/reference_iot.py computes by brute force from
# the line protocol, and every query type has a non-empty answer somewhere,
# so that no comparison is vacuous. A few seconds.
set -euo pipefail
cd "$ROOT"
PY=/usr/bin/python3
GEN=$ROOT/build/bench/gen_iot
BQ=$ROOT/build/bench/bench_query
for tool in "$STELE" "$GEN" "$BQ"; do
	[ -x "$tool" ] || { echo "iot smoke: $tool is missing; build first" >&2; exit 1; }
done
D=$TMP/iot
mkdir -p "$D"

# 10 trucks x 2 days every 90 s: 1,920 ticks, 38,400 points before the
# disorder (about 34,000 lines); with query seed 17
# every query type has at least one non-empty answer (checked below)
"$GEN" --trucks 10 --duration 2d --interval 90s --out "$D/data.lp" --stats "$D/gen.env"
[ "$("$GEN" --trucks 10 --duration 2d --interval 90s | md5sum)" = "$(md5sum <"$D/data.lp")" ] ||
	{ echo "iot smoke: gen_iot is not deterministic" >&2; exit 1; }
stat() { sed -n "s/^$1=//p" "$D/gen.env"; }
lines=$(wc -l <"$D/data.lp")
[ "$(stat points_generated)" = $((10 * 1920 * 2)) ] &&
	[ $(($(stat rows_readings) + $(stat rows_diagnostics))) = "$lines" ] &&
	[ $(($(stat points_generated) - $(stat points_missing))) = "$lines" ] ||
	{ echo "iot smoke: gen_iot's statistics do not add up: $(paste -sd' ' "$D/gen.env")" >&2; exit 1; }
[ "$(grep -c '^readings,' "$D/data.lp")" = "$(stat rows_readings)" ] ||
	{ echo "iot smoke: the readings lines are not what gen_iot counted" >&2; exit 1; }
# the disorder is there: missing batches and points, late points behind
# their own truck's later ones, absent fields and tags
for k in batches_missing batches_late points_missing points_late fields_nulled tags_nulled \
	points_behind_their_series; do
	[ "$(stat $k)" -gt 0 ] || { echo "iot smoke: gen_iot made no $k" >&2; exit 1; }
done
# every line well-formed: the tags in TSBS's order (any one may be absent),
# then the model's numbers and the measurement's fields (any one absent)
tagre='(,name=truck_[0-9]+)?(,fleet=(East|West|North|South))?(,driver=(Derek|Rodney|Albert|Andy|Seth|Trish))?(,model=(F-150|G-2000|H-2))?(,device_version=v[0-9.]+)?'
bad=$(grep -cvE "^(readings|diagnostics)$tagre [a-z_]+=-?[0-9.]+i?(,[a-z_]+=-?[0-9.]+i?)* [0-9]{19}\$" "$D/data.lp" || true)
[ "$bad" = 0 ] || { echo "iot smoke: $bad generated lines have an unexpected shape" >&2; exit 1; }
# a late point keeps its time: a truck's timestamps, as a set, are
# every tick's that was not lost (no time is ever written twice)
dups=$(grep -o '^readings,name=truck_3,[^ ]* [^ ]* [0-9]*' "$D/data.lp" | awk '{ print $3 }' | sort | uniq -d | wc -l)
[ "$dups" = 0 ] || { echo "iot smoke: truck_3 has $dups readings timestamps twice" >&2; exit 1; }

"$STELE" import --db "$D/db" --sync none "$D/data.lp" >"$D/import.log"
grep -q "^$lines lines written, 0 rejected" "$D/import.log" ||
	{ echo "iot smoke: Stele did not import every line: $(cat "$D/import.log")" >&2; exit 1; }
$PY bench/peers_iot.py tsv "$D/data.lp" "$D/tsv" >/dev/null
read -r want_rows want_values < <($PY -c '
import json, sys
c = json.load(open(sys.argv[1]))
print(sum(t["series_rows"] for t in c.values()), sum(t["series_values"] for t in c.values()))' "$D/tsv/counts.json")
"$STELE" stats --db "$D/db" --json >"$D/stats.json"
read -r rows values < <($PY -c '
import json, sys
s = json.load(open(sys.argv[1]))
print(s["rows"], s["values"])' "$D/stats.json")
[ "$rows $values" = "$want_rows $want_values" ] ||
	{ echo "iot smoke: Stele holds $rows rows and $values values, expected $want_rows and $want_values" >&2; exit 1; }

$PY bench/queries_iot.py --trucks 10 --duration 2d --instances 4 --seed 17 --out "$D/q" >/dev/null
"$BQ" --db "$D/db" --queries "$D/q/stele.tsv" --warmup 0 --runs 0 --out "$D/stele.res"
if [ -x "$ROOT/build-asan/bench/bench_query" ]; then
	"$ROOT/build-asan/bench/bench_query" --db "$D/db" --queries "$D/q/stele.tsv" \
		--warmup 0 --runs 1 --out "$D/stele-asan.res"
	cmp -s <(grep -v '^query' "$D/stele.res") <(grep -v '^query' "$D/stele-asan.res") ||
		{ echo "iot smoke: bench_query's answers differ between the release and the ASan build" >&2; exit 1; }
fi
$PY bench/reference_iot.py "$D/data.lp" "$D/q/queries.json" "$D/reference.res"
(cd bench && $PY answers.py "$D/q/queries.json" stele="$D/stele.res" reference="$D/reference.res")
# no vacuous comparison: every type has rows in some instance, and the
# answers compared are all of them (30 queries: 6 types x 4 + 6 x 1)
empty=$(awk -F'\t' '$1 == "query" { split($2, a, "#"); n[a[1]] += $5 } END { for (t in n) if (!n[t]) print t }' "$D/stele.res")
[ -z "$empty" ] || { echo "iot smoke: no rows at all for: $empty" >&2; exit 1; }
[ "$(grep -c '^query' "$D/stele.res")" = 30 ] ||
	{ echo "iot smoke: bench_query answered $(grep -c '^query' "$D/stele.res") queries, expected 30" >&2; exit 1; }
# one answer by hand from the file with awk: the readings of truck_7 with
# a velocity, Stele's count of them
want=$(grep '^readings,name=truck_7,' "$D/data.lp" | grep -c 'velocity=' || true)
got=$("$STELE" sql --db "$D/db" --read-only --format csv "SELECT count(velocity) FROM readings WHERE name = 'truck_7'" | tail -1)
[ "$got" = "$want" ] || { echo "iot smoke: Stele counts $got velocities of truck_7, grep $want" >&2; exit 1; }
echo "iot smoke: $lines points, 30 queries, answers equal to the reference"
