#!/usr/bin/python3
"""A stand-in for the `stele` command, backed by PostgreSQL, to test the
differential harness before `stele sql` exists (run.py --stele-cmd pg).

  fake_stele.py import --db DIR [--sync X] [--precision ns] FILE...
  fake_stele.py sql --db DIR --format csv "STATEMENT"

`import` parses the line protocol itself (lineproto.py: Stele's schema on
write, later-wins merging) and loads it into the PostgreSQL database named by
$STELE_FAKE_PG (JSON connection parameters), in series-major order (as Stele
stores rows), which differs from the reference side's load order, so that
queries whose result order is not fixed by their ORDER BY show up
($STELE_FAKE_SHUFFLE=SEED loads in a random order instead, for checking the
corpus further). DIR only records where the data went.

`sql` translates Stele's extensions (queries.to_pg), runs the statement with
hash aggregation off (another plan shape than the reference side's) and
prints CSV as PostgreSQL's COPY writes it; on error `ERROR: message` on
stderr and exit status 3, as `stele sql` does.
"""

import io
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

PG_TYPES = {"timestamp": "timestamp", "varchar": "text", "double": "double precision",
            "bigint": "bigint", "ubigint": "numeric(20)", "boolean": "boolean"}


def usage():
    sys.stderr.write(__doc__)
    sys.exit(2)


def opts(argv, takes):
    """Splits argv into {option: value} and positional arguments."""
    o, pos, i = {}, [], 0
    while i < len(argv):
        a = argv[i]
        if a.startswith("--"):
            if a in takes:
                if i + 1 >= len(argv):
                    usage()
                o[a] = argv[i + 1]
                i += 2
                continue
            sys.stderr.write("stele: unknown option %s\n" % a)
            sys.exit(2)
        pos.append(a)
        i += 1
    return o, pos


def csv_cell(v, typ):
    if v is None:
        return ""
    if typ == "timestamp":
        import gen
        if v % 1000:
            raise ValueError("timestamp %d has nanoseconds; PostgreSQL keeps microseconds" % v)
        return gen.ts_text(v // 1000)
    if typ == "boolean":
        return "t" if v else "f"
    if typ == "double":
        return repr(v)
    if typ in ("bigint", "ubigint"):
        return str(v)
    return '"' + v.replace('"', '""') + '"'


def cmd_import(argv):
    import lineproto
    import psycopg2
    o, files = opts(argv, {"--db", "--sync", "--precision", "--memtable", "--batch"})
    if "--db" not in o or not files:
        usage()
    if o.get("--precision", "ns") != "ns":
        sys.stderr.write("stele import: the fake takes --precision ns only\n")
        return 2
    text = "".join(open(f, encoding="utf-8").read() for f in files)
    try:
        tables = lineproto.load(text)
    except lineproto.LpError as e:
        sys.stderr.write("stele import: %s\n" % e)
        return 1
    dsn = json.loads(os.environ["STELE_FAKE_PG"])
    conn = psycopg2.connect(**dsn)
    conn.autocommit = True
    cur = conn.cursor()
    for t in tables.values():
        cur.execute("DROP TABLE IF EXISTS %s" % t.name)
        cur.execute("CREATE TABLE %s (%s)" % (t.name, ", ".join(
            "%s %s" % (n, PG_TYPES[typ]) for n, typ, _ in t.columns)))
        buf = io.StringIO()
        types = [c[1] for c in t.columns]
        keys = sorted(t.rows, key=lambda k: (k[0], k[1]))
        if os.environ.get("STELE_FAKE_SHUFFLE"):
            import random
            random.Random(os.environ["STELE_FAKE_SHUFFLE"]).shuffle(keys)
        for (skey, ts) in keys:
            row = t.rows[(skey, ts)]
            cells = [csv_cell(ts, "timestamp")] + [csv_cell(row.get(c), types[c])
                                                   for c in range(1, len(types))]
            buf.write(",".join(cells) + "\n")
        buf.seek(0)
        cur.copy_expert("COPY %s FROM STDIN WITH (FORMAT csv)" % t.name, buf)
        cur.execute("ANALYZE %s" % t.name)
    os.makedirs(o["--db"], exist_ok=True)
    with open(os.path.join(o["--db"], "fake-stele.json"), "w") as f:
        json.dump(dsn, f)
    conn.close()
    return 0


def cmd_sql(argv):
    import psycopg2
    import queries
    o, pos = opts(argv, {"--db", "--format"})
    if "--db" not in o or len(pos) != 1 or o.get("--format", "csv") != "csv":
        usage()
    with open(os.path.join(o["--db"], "fake-stele.json")) as f:
        dsn = json.load(f)
    try:
        sql = queries.to_pg(pos[0])
    except ValueError as e:
        sys.stderr.write("ERROR: %s\n" % e)
        return 3
    conn = psycopg2.connect(options="-c enable_hashagg=off", **dsn)
    conn.autocommit = True
    buf = io.StringIO()
    try:
        conn.cursor().copy_expert("COPY (%s) TO STDOUT WITH (FORMAT csv, HEADER)" % sql, buf)
    except psycopg2.Error as e:
        sys.stderr.write("ERROR: %s\n" % (e.pgerror or str(e)).strip().replace("ERROR:  ", ""))
        return 3
    finally:
        conn.close()
    sys.stdout.write(buf.getvalue())
    return 0


def main():
    if len(sys.argv) < 2:
        usage()
    cmd, rest = sys.argv[1], sys.argv[2:]
    if cmd == "import":
        return cmd_import(rest)
    if cmd == "sql":
        return cmd_sql(rest)
    usage()


if __name__ == "__main__":
    sys.exit(main())
