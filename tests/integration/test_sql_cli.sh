#!/usr/bin/env bash
# stele sql: formats, scripts from a file and from stdin, exit codes, the
# read-only mode beside a reader, and usage errors.
set -euo pipefail
S=$STELE
cd "$TMP"
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_exit() { # expect_exit CODE CMD...
	local want=$1; shift
	set +e; "$@" >out.txt 2>err.txt; local got=$?; set -e
	[ "$got" = "$want" ] || fail "exit $got, want $want: $* -- $(cat err.txt)"
}
same() { # same FILE EXPECTED-TEXT
	printf '%s' "$2" | diff -u - "$1" >/dev/null || { diff -u <(printf '%s' "$2") "$1"; fail "$1 differs"; }
}

expect_exit 2 "$S" sql
grep -qF "usage: stele sql --db PATH" err.txt || fail "no usage: $(cat err.txt)"
expect_exit 2 "$S" sql --db db --format xml "SELECT 1"
grep -qF -- "--format must be table, csv or json" err.txt || fail "$(cat err.txt)"

printf 'm,dev=a v=1.5,n=2i,s="x,y" 1451606400000000000\nm,dev=b v=-2,s="" 1451606410000000000\n' >m.lp
"$S" import --db db m.lp >/dev/null

expect_exit 0 "$S" sql --db db --format csv "SELECT dev, v, n, s FROM m ORDER BY dev"
same out.txt 'dev,v,n,s
a,1.5,2,"x,y"
b,-2,,""
'
expect_exit 0 "$S" sql --db db --format json "SELECT dev, v, n, s, v > 0 AS pos, ts FROM m ORDER BY dev"
same out.txt '[
{"dev":"a","v":1.5,"n":2,"s":"x,y","pos":true,"ts":"2016-01-01 00:00:00"},
{"dev":"b","v":-2,"n":null,"s":"","pos":false,"ts":"2016-01-01 00:00:10"}
]
'
expect_exit 0 "$S" sql --db db "SELECT count(*) AS n FROM m"
same out.txt ' n
---
 2
(1 row)

'
# A failing statement: the message on stderr, exit 3.
expect_exit 3 "$S" sql --db db "SELECT nope FROM m"
same err.txt 'ERROR:  column "nope" does not exist at character 8
'
# A script from stdin: every statement runs; one failure makes exit 3.
printf 'SELECT 1 AS a;\nSELECT nope;\nSELECT 2 AS b;\n' | { set +e; "$S" sql --db db --format csv >out.txt 2>err.txt; echo $? >rc.txt; }
[ "$(cat rc.txt)" = 3 ] || fail "script exit $(cat rc.txt)"
same out.txt 'a
1
b
2
'
grep -qF 'column "nope" does not exist' err.txt || fail "$(cat err.txt)"
# A script from a file, with --echo.
printf -- '-- a comment\nSELECT 40 + 2 AS answer;\n' >q.sql
expect_exit 0 "$S" sql --db db --echo -f q.sql
same out.txt '-- a comment
SELECT 40 + 2 AS answer;
 answer
--------
     42
(1 row)

'
expect_exit 3 "$S" sql --db db -f missing.sql
grep -qF 'could not read "missing.sql"' err.txt || fail "$(cat err.txt)"
# Two read-only readers share the database.
"$S" sql --db db --read-only "SELECT count(*) FROM m" >/dev/null &
"$S" sql --db db --read-only "SELECT count(*) FROM m" >/dev/null
wait
# Writes through SQL are durable: a new process sees them.
expect_exit 0 "$S" sql --db db "INSERT INTO m (ts, dev, v) VALUES ('2016-01-01 00:01:00', 'c', 7)"
same out.txt 'INSERT 0 1
'
expect_exit 0 "$S" sql --db db --format csv "SELECT dev, v FROM m WHERE dev = 'c'"
same out.txt 'dev,v
c,7
'
echo ok
