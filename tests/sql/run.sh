#!/usr/bin/env bash
# Golden-file tests of SQL (pg_regress style): for each tests/sql/NAME.sql,
# a fresh database gets the data files its header names
# ("-- load: cpu.lp sensors.lp", from tests/sql/data/), then
# `stele sql --echo -f NAME.sql` runs it; its whole output (statements,
# results, errors) must equal NAME.out byte for byte.
#
#   tests/sql/run.sh STELE [NAME...]       compare
#   UPDATE=1 tests/sql/run.sh STELE NAME   rewrite NAME.out (review the diff!)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
stele=${1:?usage: run.sh STELE [NAME...]}
shift
names=("$@")
if ((${#names[@]} == 0)); then
	for f in "$here"/*.sql; do names+=("$(basename "$f" .sql)"); done
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/stele-sql.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failed=0
for n in "${names[@]}"; do
	sql="$here/$n.sql"
	db="$tmp/$n.db"
	loads=$(sed -n 's/^-- load: *//p' "$sql" | head -1)
	for l in $loads; do
		if ! "$stele" import --db "$db" --sync none "$here/data/$l" >"$tmp/$n.import" 2>&1; then
			echo "FAIL $n: import of $l failed:"; cat "$tmp/$n.import"; failed=1; continue 2
		fi
	done
	# Each test sees the same clock-free output: no now() in golden files.
	# Two threads whatever the machine, so that plans (and EXPLAIN) do
	# not depend on its CPUs, and parallel operators are exercised.
	"$stele" sql --db "$db" --echo --threads 2 -f "$sql" >"$tmp/$n.out" 2>&1
	if [ -n "${UPDATE:-}" ]; then
		cp "$tmp/$n.out" "$here/$n.out"
		echo "updated $n.out"
	elif ! diff -u "$here/$n.out" "$tmp/$n.out" >"$tmp/$n.diff"; then
		echo "FAIL $n:"; head -60 "$tmp/$n.diff"; failed=1
	else
		echo "ok   $n"
	fi
done
exit $failed
