"""The PostgreSQL listener with real clients: psql (its \\dt, \\d, errors with
positions), psycopg2 and psycopg 3 (parameters, text and binary formats,
types, errors, COPY), settings, the catalog queries of clients, the
extended protocol's portals. Results are compared exactly.

Run: STELE=build-asan/stele /usr/bin/python3 -m pytest -q tests/server/test_pg.py
"""
import datetime
import decimal
import io
import os
import subprocess

import psycopg
import psycopg2
import psycopg2.extensions
import pytest

UTC = datetime.timezone.utc

LP = (
    "cpu,host=a,region=eu usage=1.5,count=3i,ok=true,note=\"hi\" 1000000000\n"
    "cpu,host=b,region=us usage=2.25,count=4i,ok=false 2000000000\n"
    "cpu,host=a,region=eu usage=0.125,count=5i,ok=true 3000500000\n"
    "mem,host=a free=10i,big=18446744073709551615u 1000000000\n"
)


@pytest.fixture
def srv(make_server):
    s = make_server()
    r = s.write(LP)
    assert r.status_code == 204, r.text
    return s


def dsn(s, db="db", user="tester", **kw):
    d = "host=127.0.0.1 port=%d dbname=%s user=%s" % (s.pg_port, db, user)
    for k, v in kw.items():
        d += " %s=%s" % (k, v)
    return d


def psql(s, *cmds, db="db", user="tester", password=None, check=True):
    args = ["psql", "-X", "-h", "127.0.0.1", "-p", str(s.pg_port), "-U", user, "-d", db]
    for c in cmds:
        args += ["-c", c]
    env = dict(os.environ, PGCONNECT_TIMEOUT="10")
    if password:
        env["PGPASSWORD"] = password
    r = subprocess.run(args, capture_output=True, text=True, env=env, timeout=60)
    if check:
        assert r.returncode == 0, r.stderr
    return r


# ---- psql ----

def test_psql_dt(srv):
    out = psql(srv, "\\dt").stdout
    assert out == (
        "       List of relations\n"
        " Schema | Name | Type  | Owner \n"
        "--------+------+-------+-------\n"
        " public | cpu  | table | stele\n"
        " public | mem  | table | stele\n"
        "(2 rows)\n\n")
    assert psql(srv, "\\dt c*").stdout == (
        "       List of relations\n"
        " Schema | Name | Type  | Owner \n"
        "--------+------+-------+-------\n"
        " public | cpu  | table | stele\n"
        "(1 row)\n\n")
    assert psql(srv, "\\d").stdout == psql(srv, "\\dt").stdout


def test_psql_d_table(srv):
    out = psql(srv, "\\d cpu").stdout
    assert out == (
        "                         Table \"public.cpu\"\n"
        " Column |           Type           | Collation | Nullable | Default \n"
        "--------+--------------------------+-----------+----------+---------\n"
        " ts     | timestamp with time zone |           | not null | \n"
        " host   | text                     |           |          | \n"
        " region | text                     |           |          | \n"
        " usage  | double precision         |           |          | \n"
        " count  | bigint                   |           |          | \n"
        " ok     | boolean                  |           |          | \n"
        " note   | text                     |           |          | \n"
        "\n")
    plus = psql(srv, "\\d+ mem").stdout
    assert " ts     | timestamp with time zone |           | not null |         | plain    " in plus
    assert "| time" in plus and "| tag" in plus and "| field" in plus
    assert " big    | numeric " in plus
    r = psql(srv, "\\d nope", check=False)
    assert r.stderr == "Did not find any relation named \"nope\".\n"


def test_psql_list_databases(srv):
    srv.write("x v=1 1\n", db="other")
    out = psql(srv, "\\l").stdout
    lines = out.splitlines()
    assert lines[1].split("|")[0].strip() == "Name"
    assert [l.split("|")[0].strip() for l in lines[3:5]] == ["db", "other"]
    assert lines[-1] == "(2 rows)" or lines[-2] == "(2 rows)"


def test_psql_query_and_error_position(srv):
    out = psql(srv, "SELECT host, usage, ok, ts FROM cpu ORDER BY ts").stdout
    assert out == (
        " host | usage | ok |             ts              \n"
        "------+-------+----+-----------------------------\n"
        " a    |   1.5 | t  | 1970-01-01 00:00:01+00\n"
        " b    |  2.25 | f  | 1970-01-01 00:00:02+00\n"
        " a    | 0.125 | t  | 1970-01-01 00:00:03.0005+00\n"
        "(3 rows)\n\n")
    r = psql(srv, "SELECT host, usge FROM cpu", check=False)
    assert r.returncode == 1
    assert r.stderr == (
        "ERROR:  column \"usge\" does not exist\n"
        "LINE 1: SELECT host, usge FROM cpu\n"
        "                     ^\n")
    # Several statements in one Query: positions count from its start.
    r = psql(srv, "SELECT 1; SELECT nope FROM cpu", check=False)
    assert "LINE 1: SELECT 1; SELECT nope FROM cpu\n" in r.stderr
    assert r.stderr.endswith("\n" + " " * len("LINE 1: SELECT 1; SELECT ") + "^\n")
    assert r.stdout == " ?column? \n----------\n        1\n(1 row)\n\n"


def test_psql_settings_and_functions(srv):
    out = psql(srv, "SHOW DateStyle", "SET datestyle TO 'ISO, DMY'", "SHOW datestyle",
               "SELECT current_setting('server_version_num')::int/100 AS version",
               "SELECT version()").stdout
    assert out.split("\n\n")[0] == " DateStyle \n-----------\n ISO, MDY\n(1 row)"
    assert "SET\n DateStyle \n-----------\n ISO, DMY\n(1 row)" in out
    assert " version \n---------\n    1500\n(1 row)" in out
    assert "PostgreSQL 15.0 (Stele)" in out
    r = psql(srv, "SET DateStyle = 'German'", check=False)
    assert "invalid value for parameter \"DateStyle\"" in r.stderr
    r = psql(srv, "SHOW no_such_thing", check=False)
    assert r.stderr.startswith("ERROR:  unrecognized configuration parameter \"no_such_thing\"")


def test_psql_empty_and_transaction(srv):
    assert psql(srv, ";").stdout == ""
    out = psql(srv, "BEGIN", "SELECT count(*) FROM cpu", "COMMIT").stdout
    assert out == "BEGIN\n count \n-------\n     3\n(1 row)\n\nCOMMIT\n"


# ---- psycopg2 ----

def test_psycopg2_types_and_params(srv):
    with psycopg2.connect(dsn(srv)) as conn:
        cur = conn.cursor()
        cur.execute("SELECT ts, host, usage, count, ok, note FROM cpu WHERE host = %s AND "
                    "usage > %s ORDER BY ts", ("a", 0.1))
        assert cur.fetchall() == [
            (datetime.datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC), "a", 1.5, 3, True, "hi"),
            (datetime.datetime(1970, 1, 1, 0, 0, 3, 500, tzinfo=UTC), "a", 0.125, 5, True, None),
        ]
        assert [d.name for d in cur.description] == ["ts", "host", "usage", "count", "ok", "note"]
        assert [d.type_code for d in cur.description] == [1184, 25, 701, 20, 16, 25]
        cur.execute("SELECT big, free FROM mem")
        assert cur.fetchall() == [(decimal.Decimal("18446744073709551615"), 10)]
        cur.execute("SELECT ts - ts + interval '90 seconds' AS iv FROM cpu LIMIT 1")
        assert cur.fetchall() == [(datetime.timedelta(seconds=90),)]
        # A value is never read as SQL.
        cur.execute("SELECT count(*) FROM cpu WHERE host = %s", ("a' OR '1'='1",))
        assert cur.fetchall() == [(0,)]
        cur.execute("SELECT count(*) FROM cpu WHERE ts > %s",
                    (datetime.datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC),))
        assert cur.fetchall() == [(2,)]


def test_psycopg2_errors(srv):
    conn = psycopg2.connect(dsn(srv))
    cur = conn.cursor()
    for sql, code, pos in [("SELECT usge FROM cpu", "42703", "8"),
                           ("SELECT * FROM nope", "42P01", "15"),
                           ("SELECT 1 +", "42601", "11")]:
        with pytest.raises(psycopg2.Error) as e:
            cur.execute(sql)
        assert e.value.pgcode == code, (sql, e.value.pgerror)
        assert e.value.diag.statement_position == pos, sql
        # psycopg2 opened a transaction (BEGIN); the error failed it.
        assert conn.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_INERROR
        with pytest.raises(psycopg2.errors.InFailedSqlTransaction):
            cur.execute("SELECT 1")
        conn.rollback()
    cur.execute("SELECT 1")
    assert cur.fetchall() == [(1,)]
    conn.close()


def test_psycopg2_copy(srv):
    conn = psycopg2.connect(dsn(srv))
    conn.autocommit = True
    cur = conn.cursor()
    cur.copy_expert("COPY cpu FROM STDIN", io.StringIO(
        "2020-01-01 00:00:00\tc\tap\t7.5\t1\tt\ttab\\there\n"
        "2020-01-01 00:00:01+00\tc\tap\t\\N\t2\tf\t\\N\n"))
    assert cur.rowcount == 2
    cur.copy_expert("COPY cpu (ts, host, usage, count, note) FROM STDIN WITH (FORMAT csv, "
                    "HEADER)",
                    io.StringIO("ts,host,usage,count,note\n"
                                "2020-01-01 00:00:02,\"d,x\",-1e-3,,\n"
                                "2020-01-01 00:00:03,\"\",,6,\"\"\n"
                                "2020-01-01 00:00:04,e,4,\"7\",\"multi\nline \"\"q\"\"\"\n"))
    assert cur.rowcount == 3
    cur.execute("SELECT ts, host, region, usage, count, ok, note FROM cpu "
                "WHERE ts >= '2020-01-01' ORDER BY ts")
    t0 = datetime.datetime(2020, 1, 1, tzinfo=UTC)
    assert cur.fetchall() == [
        (t0, "c", "ap", 7.5, 1, True, "tab\there"),
        (t0 + datetime.timedelta(seconds=1), "c", "ap", None, 2, False, None),
        (t0 + datetime.timedelta(seconds=2), "d,x", None, -0.001, None, None, None),
        (t0 + datetime.timedelta(seconds=3), None, None, None, 6, None, ""),
        (t0 + datetime.timedelta(seconds=4), "e", None, 4.0, 7, None, 'multi\nline "q"'),
    ]
    # A tag cannot hold a line break (line protocol has no way to say it).
    with pytest.raises(psycopg2.errors.InvalidTextRepresentation) as e:
        cur.copy_expert("COPY cpu (ts, host, usage) FROM STDIN CSV",
                        io.StringIO("2021-01-01 00:00:00,\"a\nb\",1\n"))
    assert e.value.diag.context == "COPY cpu, line 1, column host"
    # A bad row names its line and column; nothing of it is written.
    with pytest.raises(psycopg2.errors.InvalidTextRepresentation) as e:
        cur.copy_expert("COPY cpu (ts, host, usage) FROM STDIN",
                        io.StringIO("2021-01-01 00:00:00\te\t1\n2021-01-01 00:00:01\te\tabc\n"))
    assert e.value.pgerror.startswith(
        "ERROR:  invalid input syntax for type double precision: \"abc\"")
    assert e.value.diag.context == "COPY cpu, line 2, column usage: \"abc\""
    with pytest.raises(psycopg2.errors.UndefinedTable):
        cur.copy_expert("COPY nope FROM STDIN", io.StringIO("x\n"))
    with pytest.raises(psycopg2.errors.UndefinedColumn):
        cur.copy_expert("COPY cpu (ts, nope) FROM STDIN", io.StringIO("x\n"))
    cur.execute("SELECT count(*) FROM cpu WHERE ts >= '2021-01-01'")
    assert cur.fetchall() == [(0,)]
    # The session goes on.
    cur.execute("SELECT count(*) FROM cpu")
    assert cur.fetchall() == [(8,)]
    conn.close()


# ---- psycopg 3 ----

def test_psycopg3_text_and_binary(srv):
    with psycopg.connect(dsn(srv), autocommit=True) as conn:
        for binary in (False, True):
            cur = conn.cursor(binary=binary)
            cur.execute("SELECT ts, host, usage, count, ok FROM cpu WHERE host = %s AND "
                        "count >= %s ORDER BY ts", ("a", 3))
            assert cur.fetchall() == [
                (datetime.datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC), "a", 1.5, 3, True),
                (datetime.datetime(1970, 1, 1, 0, 0, 3, 500, tzinfo=UTC), "a", 0.125, 5, True),
            ], binary
            cur.execute("SELECT %s::bigint + 1, %s, %s, %s, %s", (41, "x", True, 2.5,
                                                              datetime.timedelta(minutes=3)))
            assert cur.fetchall() == [(42, "x", True, 2.5, datetime.timedelta(minutes=3))]
            t = datetime.datetime(1970, 1, 1, 0, 0, 2, tzinfo=UTC)
            cur.execute("SELECT host FROM cpu WHERE ts = %s", (t,))
            assert cur.fetchall() == [("b",)]
            cur.execute("SELECT big FROM mem")
            assert cur.fetchall() == [(decimal.Decimal("18446744073709551615"),)]
            cur.execute("SELECT NULL, %s::bigint", (None,))
            assert cur.fetchall() == [(None, None)]
        cur = conn.cursor()
        cur.execute("SELECT host FROM cpu WHERE ts > %s ORDER BY ts", ("1970-01-01 00:00:01.5",))
        assert cur.fetchall() == [("b",), ("a",)]


def test_psycopg3_errors_and_server_side_binding(srv):
    with psycopg.connect(dsn(srv), autocommit=True) as conn:
        for sql, code, pos in [("SELECT usge FROM cpu", "42703", "8"),
                               ("SELECT * FROM nope WHERE x = %s", "42P01", "15"),
                               ("SELECT 1 +", "42601", "11")]:
            with pytest.raises(psycopg.Error) as e:
                conn.execute(sql, (1,) if "%s" in sql else None)
            assert e.value.sqlstate == code, sql
            assert e.value.diag.statement_position == pos, sql
        with pytest.raises(psycopg.errors.DataError):
            conn.execute("SELECT host FROM cpu WHERE ts > %s", ("yesterday",))
        # Prepared statements (psycopg prepares after 5 runs) and params.
        for i in range(8):
            row = conn.execute("SELECT count(*) FROM cpu WHERE count > %s", (i,),
                               prepare=i > 3).fetchone()
            assert row == (len([c for c in (3, 4, 5) if c > i]),)
        cur = conn.cursor()
        cur.execute("SELECT host, ok FROM cpu WHERE count = %s", (4,), binary=True)
        assert cur.fetchall() == [("b", False)]
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_psycopg3_copy_and_typeinfo(srv):
    with psycopg.connect(dsn(srv), autocommit=True) as conn:
        cur = conn.cursor()
        t0 = datetime.datetime(2022, 3, 4, 5, 6, 7, 123456, tzinfo=UTC)
        with cur.copy("COPY cpu (ts, host, usage, count, ok) FROM STDIN") as cp:
            cp.write_row((t0, "p", 1.25, 7, True))
            cp.write_row((t0 + datetime.timedelta(seconds=1), "q\tr", None, -8, False))
        assert cur.rowcount == 2
        cur.execute("SELECT ts, host, usage, count, ok FROM cpu WHERE ts >= %s ORDER BY ts", (t0,))
        assert cur.fetchall() == [(t0, "p", 1.25, 7, True),
                                  (t0 + datetime.timedelta(seconds=1), "q\tr", None, -8, False)]
        from psycopg.types import TypeInfo
        info = TypeInfo.fetch(conn, "timestamptz")
        assert (info.name, info.oid, info.array_oid) == ("timestamptz", 1184, 1185)
        assert TypeInfo.fetch(conn, "no_such_type") is None


def test_extended_protocol_portals(srv):
    """Execute with a row limit suspends the portal; the next goes on."""
    import select
    import socket
    import struct

    def msg(t, body=b""):
        return t + struct.pack("!I", len(body) + 4) + body

    s = socket.create_connection(("127.0.0.1", srv.pg_port))
    body = struct.pack("!I", 196608) + b"user\0tester\0database\0db\0\0"
    s.sendall(struct.pack("!I", len(body) + 4) + body)
    buf = b""

    def read_until(kind):
        nonlocal buf
        out = []
        while True:
            while len(buf) >= 5 and len(buf) >= 1 + struct.unpack("!I", buf[1:5])[0]:
                n = struct.unpack("!I", buf[1:5])[0]
                m = (buf[0:1], buf[5:1 + n])
                buf = buf[1 + n:]
                out.append(m)
                if m[0] == kind:
                    return out
            r, _, _ = select.select([s], [], [], 10)
            assert r, "timeout"
            d = s.recv(65536)
            assert d, "closed"
            buf += d

    read_until(b"Z")
    q = b"SELECT host FROM cpu WHERE usage > $1 ORDER BY ts\0"
    s.sendall(msg(b"P", b"st\0" + q + struct.pack("!HI", 1, 701)) +
              msg(b"D", b"Sst\0") +
              msg(b"B", b"\0st\0" + struct.pack("!HH", 0, 1) + struct.pack("!I", 3) + b"0.1" +
                  struct.pack("!H", 0)) +
              msg(b"E", b"\0" + struct.pack("!I", 2)) +
              msg(b"E", b"\0" + struct.pack("!I", 2)) +
              msg(b"S"))
    got = read_until(b"Z")
    kinds = [k for k, _ in got]
    assert kinds == [b"1", b"t", b"T", b"2", b"D", b"D", b"s", b"D", b"C", b"Z"], kinds
    assert got[1][1] == struct.pack("!HI", 1, 701)
    rows = [b[6:].decode() for k, b in got if k == b"D"]
    assert rows == ["a", "b", "a"]
    assert got[8][1] == b"SELECT 1\0"
    # An error skips to Sync; the named statement survives.
    s.sendall(msg(b"B", b"\0nope\0" + struct.pack("!HHH", 0, 0, 0)) +
              msg(b"E", b"\0" + struct.pack("!I", 0)) + msg(b"S"))
    got = read_until(b"Z")
    assert [k for k, _ in got] == [b"E", b"Z"]
    assert b"C26000\0" in got[0][1]
    s.sendall(msg(b"X"))
    s.close()


def test_many_statements_in_one_query(srv):
    with psycopg2.connect(dsn(srv)) as conn:
        conn.autocommit = True
        cur = conn.cursor()
        cur.execute("SELECT 1; SELECT 2 AS two; SET application_name = 'x'; "
                    "SHOW application_name")
        assert cur.fetchall() == [("x",)]
        assert cur.description[0].name == "application_name"


GRAFANA_SCHEMA = """
          quote_ident(table_schema) IN (
          SELECT
            CASE WHEN trim(s[i]) = '"$user"' THEN user ELSE trim(s[i]) END
          FROM
            generate_series(
              array_lower(string_to_array(current_setting('search_path'),','),1),
              array_upper(string_to_array(current_setting('search_path'),','),1)
            ) as i,
            string_to_array(current_setting('search_path'),',') s
          )"""

# Grafana's PostgreSQL data source (postgresMetaQuery.ts), as it sends them.
GRAFANA = [
    ("SELECT current_setting('server_version_num')::int/100 as version",
     ["version"], [(1500,)]),
    ("SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'", ["extversion"], []),
    ("""SELECT schema_name AS "name"
    FROM information_schema.schemata
    WHERE schema_name NOT IN ('information_schema',
                              'pg_catalog',
                              'pg_toast',
                              '_timescaledb_cache',
                              '_timescaledb_catalog',
                              '_timescaledb_internal',
                              '_timescaledb_config',
                              'timescaledb_information',
                              'timescaledb_experimental')
    ORDER BY schema_name""", ["name"], [("public",)]),
    ("""SELECT quote_ident(table_name) AS "table"
      FROM information_schema.tables
      WHERE quote_ident(table_schema) = 'public'
      ORDER BY 1""", ["table"], [("cpu",), ("mem",)]),
    ("""SELECT
    CASE WHEN %s
      THEN quote_ident(table_name)
      ELSE quote_ident(table_schema) || '.' || quote_ident(table_name)
    END AS "table"
    FROM information_schema.tables
    WHERE quote_ident(table_schema) NOT IN ('information_schema',
                             'pg_catalog',
                             '_timescaledb_cache',
                             '_timescaledb_catalog',
                             '_timescaledb_internal',
                             '_timescaledb_config',
                             'timescaledb_information',
                             'timescaledb_experimental')
    ORDER BY CASE WHEN %s THEN 0 ELSE 1 END, 1""" % (GRAFANA_SCHEMA, GRAFANA_SCHEMA),
     ["table"], [("cpu",), ("mem",)]),
    ("""SELECT quote_ident(column_name) AS "column", data_type AS "type"
    FROM information_schema.columns
    WHERE
      CASE WHEN array_length(parse_ident('mem'),1) = 2
        THEN quote_ident(table_schema) = (parse_ident('mem'))[1]
          AND quote_ident(table_name) = (parse_ident('mem'))[2]
        ELSE quote_ident(table_name) = 'mem'
          AND %s
      END""" % GRAFANA_SCHEMA, ["column", "type"],
     [("ts", "timestamp without time zone"), ("host", "character varying"),
      ("free", "bigint"), ("big", "ubigint")]),
]


def test_grafana_metadata_queries(srv):
    conn = psycopg2.connect(dsn(srv))
    cur = conn.cursor()
    for sql, names, rows in GRAFANA:
        cur.execute(sql)
        assert [d.name for d in cur.description] == names, sql
        assert cur.fetchall() == rows, sql
    conn.close()
    # The extended protocol, as pgx sends them (prepared, described).
    with psycopg.connect(dsn(srv), autocommit=True) as c3:
        for sql, names, rows in GRAFANA:
            cur = c3.execute(sql, prepare=True)
            assert [d.name for d in cur.description] == names, sql
            assert cur.fetchall() == rows, sql
        # A time series query with Grafana's macros expanded.
        cur = c3.execute("SELECT time_bucket('1 second', ts) AS \"time\", avg(usage) AS usage "
                         "FROM cpu WHERE ts BETWEEN '1970-01-01T00:00:00Z' AND "
                         "'1970-01-01T00:01:00Z' GROUP BY 1 ORDER BY 1")
        assert cur.fetchall() == [
            (datetime.datetime(1970, 1, 1, 0, 0, s, tzinfo=UTC), u)
            for s, u in [(1, 1.5), (2, 2.25), (3, 0.125)]]


def test_psycopg3_pipeline_and_transactions(srv):
    with psycopg.connect(dsn(srv)) as conn:
        with conn.pipeline():
            a = conn.execute("SELECT count(*) FROM cpu")
            b = conn.execute("SELECT %s::bigint * 2", (21,))
        assert (a.fetchall(), b.fetchall()) == ([(3,)], [(42,)])
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS
        conn.commit()
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        with pytest.raises(psycopg.errors.UndefinedColumn):
            conn.execute("SELECT nope FROM cpu")
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.INERROR
        conn.rollback()
        with conn.transaction():
            assert conn.execute("SELECT 5").fetchone() == (5,)
        assert conn.execute("SHOW TimeZone").fetchone() == ("UTC",)


def test_session_statements(srv):
    conn = psycopg2.connect(dsn(srv, application_name="app1"))
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("SHOW application_name")
    assert cur.fetchall() == [("app1",)]
    cur.execute("SET SESSION statement_timeout TO 5000")
    assert cur.statusmessage == "SET"
    cur.execute("SHOW statement_timeout")
    assert cur.fetchall() == [("5s",)]
    cur.execute("RESET statement_timeout")
    cur.execute("SHOW statement_timeout")
    assert cur.fetchall() == [("0",)]
    cur.execute("SET search_path TO public, \"$user\"")
    cur.execute("SHOW search_path")
    assert cur.fetchall() == [('public, "$user"',)]
    cur.execute("SET TIME ZONE 'Europe/Berlin'")
    assert conn.get_parameter_status("TimeZone") == "Europe/Berlin"
    # Instants stay right: values carry their offset.
    cur.execute("SELECT ts FROM cpu ORDER BY ts LIMIT 1")
    assert cur.fetchall() == [(datetime.datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC),)]
    cur.execute("SET client_encoding = 'UTF8'")
    with pytest.raises(psycopg2.Error) as e:
        cur.execute("SET client_encoding = 'LATIN1'")
    assert e.value.pgcode == "22023"
    with pytest.raises(psycopg2.Error) as e:
        cur.execute("SET server_version = '9.6'")
    assert e.value.pgcode == "55P02"
    cur.execute("SET my.custom = 'x'")
    cur.execute("SELECT current_setting('my.custom'), current_setting('nope', true)")
    assert cur.fetchall() == [("x", None)]
    cur.execute("DISCARD ALL")
    assert cur.statusmessage == "DISCARD ALL"
    cur.execute("SHOW application_name")
    assert cur.fetchall() == [("",)]
    with pytest.raises(psycopg2.Error) as e:
        cur.execute("DEALLOCATE nope")
    assert e.value.pgcode == "26000"
    conn.close()
    with psycopg.connect(dsn(srv), autocommit=True) as c3:
        with pytest.raises(psycopg.errors.QueryCanceled) as e:
            with c3.cursor().copy("COPY cpu (ts, host, usage) FROM STDIN") as cp:
                cp.write_row(("2030-01-01", "zz", 1))
                raise ValueError("stop")
        assert str(e.value).startswith("COPY from stdin failed: ")
        assert c3.execute("SELECT count(*) FROM cpu WHERE host = 'zz'").fetchone() == (0,)
        assert c3.execute("SHOW DateStyle", binary=True).fetchone() == ("ISO, MDY",)


def test_copy_then_more_statements_in_one_query(srv):
    """What follows a COPY in a Query message runs after CopyDone."""
    import socket
    import struct

    def msg(t, body=b""):
        return t + struct.pack("!I", len(body) + 4) + body

    def read_until(sock, kinds, buf=b""):
        out = []
        while True:
            while len(buf) >= 5 and len(buf) >= 1 + struct.unpack("!I", buf[1:5])[0]:
                n = struct.unpack("!I", buf[1:5])[0]
                out.append((buf[0:1], buf[5:1 + n]))
                buf = buf[1 + n:]
                if out[-1][0] in kinds:
                    return out
            d = sock.recv(65536)
            assert d
            buf += d

    s = socket.create_connection(("127.0.0.1", srv.pg_port), timeout=10)
    body = struct.pack("!I", 196608) + b"user\0tester\0database\0db\0\0"
    s.sendall(struct.pack("!I", len(body) + 4) + body)
    read_until(s, {b"Z"})
    s.sendall(msg(b"Q", b"COPY cpu (ts, host, usage) FROM STDIN; "
                        b"SELECT count(*) FROM cpu WHERE host = 'r'\0"))
    got = read_until(s, {b"G"})
    assert got == [(b"G", b"\0" + struct.pack("!HHHH", 3, 0, 0, 0))]
    s.sendall(msg(b"d", b"2020-01-01 00:00:00\tr\t1\n2020-01-01 00:00:01\tr") +
              msg(b"d", b"\t2\n\\.\nignored after the end marker\n") + msg(b"c"))
    got = read_until(s, {b"Z"})
    assert [k for k, _ in got] == [b"C", b"T", b"D", b"C", b"Z"]
    assert got[0][1] == b"COPY 2\0"
    assert got[2][1] == struct.pack("!HI", 1, 1) + b"2"
    # An error in COPY drops the rest of the Query.
    s.sendall(msg(b"Q", b"COPY cpu (ts, host, usage) FROM STDIN; SELECT 1\0"))
    read_until(s, {b"G"})
    s.sendall(msg(b"d", b"bad\tr\t1\n") + msg(b"d", b"more\n") + msg(b"c"))
    got = read_until(s, {b"Z"})
    assert [k for k, _ in got] == [b"E", b"Z"]
    assert b"C22007\0" in got[0][1] and b"WCOPY cpu, line 1, column ts: \"bad\"\0" in got[0][1]
    s.sendall(msg(b"Q", b"SELECT count(*) FROM cpu WHERE host = 'r'\0"))
    got = read_until(s, {b"Z"})
    assert [k for k, _ in got] == [b"T", b"D", b"C", b"Z"]
    s.sendall(msg(b"X"))
    s.close()
