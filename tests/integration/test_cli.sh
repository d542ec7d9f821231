#!/usr/bin/env bash
# The stele command's interface: exit codes, messages, and the exact output
# of import, dump (with time ranges and precision), stats --json, inspect,
# and --recover on a damaged WAL.
set -euo pipefail
S=$STELE
cd "$TMP"
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_exit() { # expect_exit CODE CMD...
	local want=$1; shift
	set +e; "$@" >out.txt 2>err.txt; local got=$?; set -e
	[ "$got" = "$want" ] || fail "exit $got, want $want: $* -- $(cat err.txt)"
}
has() { grep -qF -- "$2" "$1" || fail "$1 lacks: $2 -- it has: $(cat "$1")"; }

# Usage errors: exit 2.
expect_exit 2 "$S"
has err.txt "usage: stele COMMAND"
expect_exit 2 "$S" frobnicate
has err.txt 'stele: unknown command "frobnicate"'
expect_exit 2 "$S" import x.lp
has err.txt "usage: stele import --db PATH"
expect_exit 2 "$S" import --db db --sync sometimes x.lp
has err.txt 'invalid sync policy "sometimes"'
expect_exit 2 "$S" import --db db --precision h x.lp
has err.txt 'invalid precision "h"'
expect_exit 2 "$S" dump --db db
has err.txt "usage: stele dump"
expect_exit 2 "$S" dump --db db --table t --from yesterday
has err.txt 'invalid timestamp "yesterday"'

# A missing database or input: exit 3.
expect_exit 3 "$S" dump --db nope --table t
has err.txt 'stele dump: database "nope" does not exist'
expect_exit 3 "$S" import --db db missing.lp
has err.txt 'could not open "missing.lp"'

# Import: good lines written, bad ones reported with line and column.
cat >in.lp <<'LP'
# sensors
temp,room=kitchen,floor=1 c=21.5,ok=true 1700000000
temp,room=hall c=19.25 1700000010

temp,room=kitchen c=22i 1700000020
temp,room=kitchen,floor=1 c=22.125 1700000020
LP
expect_exit 1 "$S" import --db db --precision s in.lp
has out.txt "3 lines written, 1 rejected"
has err.txt 'line 5, column 19: column "c" of table "temp" is double, but the line gives bigint'

# Dump: canonical series keys, fields in column order, nanoseconds.
expect_exit 0 "$S" dump --db db --table temp
cat >want.txt <<'LP'
temp,floor=1,room=kitchen c=21.5,ok=true 1700000000000000000
temp,floor=1,room=kitchen c=22.125 1700000020000000000
temp,room=hall c=19.25 1700000010000000000
LP
diff want.txt out.txt || fail "dump differs"
# --from is inclusive, --to exclusive; RFC 3339 or nanoseconds.
expect_exit 0 "$S" dump --db db --table temp --from 2023-11-14T22:13:30Z --to 1700000020000000000
echo "temp,room=hall c=19.25 1700000010000000000" >want.txt
diff want.txt out.txt || fail "dump --from --to differs"
expect_exit 3 "$S" dump --db db --table nope
has err.txt 'stele dump: table "nope" does not exist'

# Stats: exact counts (JSON), and the text form names codecs.
expect_exit 0 "$S" stats --db db --json
/usr/bin/python3 - out.txt <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["series"] == 2, s
assert s["rows"] == 3, s
t = s["tables"][0]
assert t["name"] == "temp" and t["series"] == 2 and t["rows"] == 3, t
cols = {c["name"]: c for c in t["columns"]}
assert list(cols) == ["ts", "floor", "room", "c", "ok"], list(cols)
assert cols["room"]["kind"] == "tag" and cols["room"]["distinct_values"] == 2
assert cols["c"]["type"] == "double" and cols["c"]["values"] == 3, cols["c"]
assert cols["ok"]["type"] == "boolean" and cols["ok"]["values"] == 1, cols["ok"]
assert s["values"] == 4, s
assert s["bytes_on_disk"] > 0 and s["bytes_per_value"] == round(s["bytes_on_disk"] / 4, 4)
PY
expect_exit 0 "$S" stats --db db
has out.txt "table temp"
has out.txt "bytes per value"

# Inspect: every file kind, checksums checked; not a Stele file: exit 3.
seg=$(ls db/data/*/*/*.seg | head -1)
expect_exit 0 "$S" inspect "$seg"
has out.txt "block checksums and content digest: ok"
expect_exit 0 "$S" inspect db/MANIFEST
has out.txt 'table 0 "temp"'
expect_exit 0 "$S" inspect db/series.dat
has out.txt "checksum ok"
wal=$(ls db/wal/*.wal | tail -1)
expect_exit 0 "$S" inspect "$wal"
has out.txt "WAL file"
expect_exit 3 "$S" inspect in.lp
has err.txt "is not a Stele file"

# --recover is accepted everywhere a database is opened (damaged WALs are
# tested through the C API in tests/unit/test_recovery.c).
expect_exit 0 "$S" dump --db db --table temp --recover
[ "$(wc -l <out.txt)" = 3 ] || fail "dump --recover: $(cat out.txt)"
expect_exit 0 "$S" stats --db db --recover
printf 'temp,room=hall c=18.5 1700000030\n' >more.lp
expect_exit 0 "$S" import --db db --recover --precision s more.lp
has out.txt "1 lines written, 0 rejected"
echo "cli ok"
