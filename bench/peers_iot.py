"""The peers of the iot query benchmark: ClickHouse 18.16, InfluxDB 1.6 and
PostgreSQL 15 loaded with gen_iot's two tables (bench/README-iot.md,
"Peers"). The servers are started, queried, timed and stopped by
bench/peers.py's machinery (Server, Http, run_queries, its configurations
and settings); what is here is what the iot data needs: its conversion,
its two tables, its load checks, and InfluxDB answers mapped onto the
query's columns.

    /usr/bin/python3 bench/peers_iot.py tsv LP DIR
        converts gen_iot line protocol into DIR/readings.tsv and
        DIR/diagnostics.tsv (the rows ClickHouse and PostgreSQL load) and
        DIR/counts.json (rows and values per table, as every system must
        hold them)

    /usr/bin/python3 bench/peers_iot.py SYSTEM --dir DIR --data DIR --queries FILE
        --meta QUERIES.json [--lp LP] [--port P] [--warmup W] [--runs R]
        [--max-seconds S] --out RESULTS --info INFO

        SYSTEM is clickhouse, influxdb or postgres; the rest as in
        bench/peers.py (--data is the conversion's DIR, whose counts.json
        the load is checked against; InfluxDB loads --lp).

Exit status: 0; 1 when the system failed (the reason is in INFO as
SYSTEM_status=failed: ...); 2 on bad usage.
"""

import argparse
import atexit
import datetime
import http.client
import json
import os
import pwd
import signal
import subprocess
import sys
import time
import urllib.parse

import peers
import results
from peers import Http, PeerError, Server, log, run_queries, wait_for

TAGS = ["name", "fleet", "driver", "model", "device_version"]
MODEL_FIELDS = ["load_capacity", "fuel_capacity", "nominal_fuel_consumption"]
FIELDS = {
    "readings": ["latitude", "longitude", "elevation", "velocity", "heading", "grade",
                 "fuel_consumption"],
    "diagnostics": ["fuel_state", "current_load", "status"],
}
INT_FIELDS = {"status"}
TABLES = ["readings", "diagnostics"]


def columns(table):
    """The value columns of a table after its time, in the TSV's order."""
    return TAGS + MODEL_FIELDS + FIELDS[table]


# ---- the data for ClickHouse and PostgreSQL ------------------------------------------

def lp_to_tsv(lp, out_dir):
    """One TSV per table: the time as 'YYYY-MM-DD HH:MM:SS' (UTC; the data is
    on whole seconds), then columns(table), an absent tag or field as \\N.
    Returns the counts: per table its rows and field values, and the rows
    and values a system holds that merges points of one series and time
    (InfluxDB, Stele: the later point wins field by field). Only rows
    without a `name` can share a series and a time (a truck has one point
    per table and time), and no query reads them."""
    os.makedirs(out_dir, exist_ok=True)
    outs = {t: open(os.path.join(out_dir, t + ".tsv"), "w", encoding="ascii") for t in TABLES}
    idx = {t: {c: i for i, c in enumerate(columns(t))} for t in TABLES}
    counts = {t: {"rows": 0, "values": 0, "series_rows": 0, "series_values": 0} for t in TABLES}
    nameless = {}
    stamps = {}
    bufs = {t: [] for t in TABLES}
    n = 0
    try:
        with open(lp, encoding="ascii") as f:
            for line in f:
                n += 1
                head, fields, ts = line.rstrip("\n").split(" ")
                parts = head.split(",")
                table = parts[0]
                if table not in idx:
                    raise PeerError("line %d: unknown measurement %r" % (n, table))
                ix = idx[table]
                row = ["\\N"] * len(ix)
                for kv in parts[1:]:
                    k, v = kv.split("=", 1)
                    row[ix[k]] = v
                nvals = 0
                for kv in fields.split(","):
                    k, v = kv.split("=", 1)
                    if k in INT_FIELDS:
                        if not v.endswith("i"):
                            raise PeerError("line %d: %s is not an integer" % (n, k))
                        v = v[:-1]
                    row[ix[k]] = v
                    nvals += 1
                t = stamps.get(ts)
                if t is None:
                    ns = int(ts)
                    if ns % 10**9:
                        raise PeerError("line %d: a timestamp with a fraction of a second" % n)
                    t = datetime.datetime.fromtimestamp(ns // 10**9, datetime.timezone.utc) \
                        .strftime("%Y-%m-%d %H:%M:%S")
                    stamps[ts] = t
                c = counts[table]
                c["rows"] += 1
                c["values"] += nvals
                if row[0] == "\\N":
                    key = (table, ts, tuple(row[:len(TAGS)]))
                    have = nameless.setdefault(key, set())
                    fieldset = {i for i in range(len(TAGS), len(row)) if row[i] != "\\N"}
                    if have:
                        c["series_rows"] -= 1
                        c["series_values"] -= len(have & fieldset)
                    have |= fieldset
                c["series_rows"] += 1
                c["series_values"] += nvals
                b = bufs[table]
                b.append(t + "\t" + "\t".join(row) + "\n")
                if len(b) >= 10000:
                    outs[table].writelines(b)
                    b.clear()
        for t in TABLES:
            outs[t].writelines(bufs[t])
    except (ValueError, KeyError) as e:
        raise PeerError("line %d has an unexpected shape: %s" % (n, e))
    finally:
        for o in outs.values():
            o.close()
    with open(os.path.join(out_dir, "counts.json"), "w") as f:
        json.dump(counts, f, indent=1)
        f.write("\n")
    return counts


def read_counts(data_dir):
    with open(os.path.join(data_dir, "counts.json")) as f:
        return json.load(f)


# ---- ClickHouse -----------------------------------------------------------------------

def ch_table(table):
    # Every tag and field Nullable (a point may lack any of them); the key
    # (truck, time) with the nameless rows first, since 18.16 allows no
    # Nullable column in a sorting key.
    cols = ["time DateTime"] + ["%s Nullable(String)" % t for t in TAGS] + \
        ["%s Nullable(%s)" % (c, "Int64" if c in INT_FIELDS else "Float64")
         for c in MODEL_FIELDS + FIELDS[table]]
    return ("CREATE TABLE %s (%s) ENGINE = MergeTree() PARTITION BY toDate(time) "
            "ORDER BY (ifNull(name, ''), time)" % (table, ", ".join(cols)))


def clickhouse(a, info):
    http_port, tcp_port = a.port, a.port + 1
    for p in (http_port, tcp_port):
        if not peers.port_free(p):
            raise PeerError("port 127.0.0.1:%d is in use" % p)
    for sub in ("data", "tmp", "user_files", "format_schemas"):
        os.makedirs(os.path.join(a.dir, sub), exist_ok=True)
    conf = os.path.join(a.dir, "config.xml")
    with open(conf, "w") as f:
        f.write(peers.CH_CONFIG.format(dir=a.dir, http_port=http_port, tcp_port=tcp_port))
    with open(os.path.join(a.dir, "users.xml"), "w") as f:
        f.write(peers.CH_USERS)
    srv = Server(["clickhouse-server", "--config-file=" + conf],
                 os.path.join(a.dir, "stdout.log"), os.path.join(a.dir, "server.pid"))
    h = Http(http_port)

    def q(sql, fmt="TabSeparated"):
        status, _, body, t = h.request("POST", "/", body=(sql + " FORMAT " + fmt
                                                           if fmt else sql).encode())
        if status != 200:
            raise PeerError(body.decode(errors="replace").strip()[:600])
        return body.decode(), t

    counts = read_counts(a.data)
    try:
        srv.start()
        atexit.register(srv.stop)
        wait_for("clickhouse-server", lambda: h.request("GET", "/ping")[2] == b"Ok.\n", 60, srv)
        info["clickhouse_version"] = q("SELECT version()")[0].strip()
        log("ClickHouse %s on 127.0.0.1:%d (HTTP), :%d (native)" % (
            info["clickhouse_version"], http_port, tcp_port))
        t0 = time.time()
        for table in TABLES:
            q(ch_table(table), None)
            with open(os.path.join(a.data, table + ".tsv"), "rb") as f:
                p = subprocess.run(["clickhouse-client", "--host", "127.0.0.1", "--port",
                                    str(tcp_port), "--query",
                                    "INSERT INTO %s FORMAT TabSeparated" % table],
                                   stdin=f, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            if p.returncode:
                raise PeerError("clickhouse-client INSERT INTO %s failed: %s"
                                % (table, p.stdout.decode()[-600:]))
        t1 = time.time()
        # one part per partition before querying, as peers.py does for cpu:
        # wait for background merges, OPTIMIZE FINAL, repeat (at most 10 min)
        while True:
            while int(q("SELECT count() FROM system.merges WHERE table IN ('readings', "
                        "'diagnostics')")[0]) and time.time() - t1 < 600:
                time.sleep(0.5)
            for table in TABLES:
                q("OPTIMIZE TABLE %s FINAL" % table, None)
            parts, partitions = (int(x) for x in q(
                "SELECT count(), uniqExact(table, partition) FROM system.parts "
                "WHERE table IN ('readings', 'diagnostics') AND active")[0].split())
            if parts == partitions or time.time() - t1 > 600:
                break
            time.sleep(0.5)
        t2 = time.time()
        info["clickhouse_parts"] = str(parts)
        for table in TABLES:
            n = int(q("SELECT count() FROM %s" % table)[0])
            if n != counts[table]["rows"]:
                raise PeerError("ClickHouse holds %d rows of %s, expected %d"
                                % (n, table, counts[table]["rows"]))
        info["clickhouse_load_s"] = "%.1f" % (t1 - t0)
        info["clickhouse_optimize_s"] = "%.1f" % (t2 - t1)
        log("loaded %d rows in %.1f s (clickhouse-client, TabSeparated), merged into %d parts "
            "by OPTIMIZE FINAL in %.1f s" % (sum(counts[t]["rows"] for t in TABLES), t1 - t0,
                                             parts, t2 - t1))

        def execute(sql):
            status, _, body, t = h.request(
                "POST", "/", body=(sql + " FORMAT TabSeparatedWithNamesAndTypes").encode())
            if status != 200:
                raise PeerError(body.decode(errors="replace").strip()[:600])
            lines = body.decode().split("\n")
            if lines and lines[-1] == "":
                lines.pop()
            names = [results.unescape(x) for x in lines[0].split("\t")]
            types = lines[1].split("\t")
            rows = [[results.unescape(x) for x in ln.split("\t")] for ln in lines[2:]]
            return t, list(zip(names, types)), rows

        run_queries("clickhouse", peers.read_queries(a.queries), execute, a, a.out)
    finally:
        h.close()
        srv.stop()


# ---- InfluxDB ------------------------------------------------------------------------

UNSUPPORTED = "UNSUPPORTED: "


def influx_shapes(queries_path, meta_path):
    """{query text: shape} (instances with the same text have the same shape)."""
    with open(meta_path) as f:
        by_id = {q["id"]: q for q in json.load(f)["queries"]}
    return {text: by_id[qid] for qid, text in peers.read_queries(queries_path)}


def influx_answer(shape, cols, rows):
    """InfluxDB's `time` column as the query's one timestamp column, or
    dropped when the answer has none (an aggregate without GROUP BY time()
    carries the start of its range, a subquery's rows the time of theirs)."""
    if not cols or cols[0][0] != "time":
        return cols, rows
    ts_cols = [n for n, k in shape["cols"] if k == "ts"]
    if len(ts_cols) == 1:
        return [(ts_cols[0], "time")] + cols[1:], rows
    return cols[1:], [r[1:] for r in rows]


def influxdb(a, info):
    http_port, rpc_port = a.port, a.port + 1
    for p in (http_port, rpc_port):
        if not peers.port_free(p):
            raise PeerError("port 127.0.0.1:%d is in use" % p)
    conf = os.path.join(a.dir, "influxdb.conf")
    with open(conf, "w") as f:
        f.write(peers.INFLUX_CONFIG.format(dir=a.dir, http_port=http_port, rpc_port=rpc_port))
    srv = Server(["influxd", "-config", conf], os.path.join(a.dir, "server.log"),
                 os.path.join(a.dir, "server.pid"))
    h = Http(http_port)
    counts = read_counts(a.data)
    shapes = influx_shapes(a.queries, a.meta)

    def query(q, db="benchmark", method="GET"):
        path = "/query?" + urllib.parse.urlencode({"db": db, "epoch": "ns", "q": q})
        status, r, body, t = h.request(method, path)
        if status != 200:
            raise PeerError("HTTP %d: %s" % (status, body.decode(errors="replace")[:600]))
        doc = json.loads(body)
        for res in doc.get("results", []):
            if "error" in res:
                raise PeerError(res["error"])
        if "error" in doc:
            raise PeerError(doc["error"])
        return doc, t, r

    try:
        srv.start()
        atexit.register(srv.stop)
        wait_for("influxd", lambda: h.request("GET", "/ping")[0] == 204, 60, srv)
        _, _, r = query("SHOW DATABASES", db="")
        info["influxdb_version"] = r.getheader("X-Influxdb-Version", "?")
        log("InfluxDB %s on 127.0.0.1:%d (HTTP)" % (info["influxdb_version"], http_port))
        query("CREATE DATABASE benchmark", db="", method="POST")
        # the line protocol as it is, in batches of 10,000 lines (TSBS's
        # default), one client, as peers.py loads cpu
        t0 = time.time()
        with open(a.lp, "rb") as f:
            batch = []
            for line in f:
                batch.append(line)
                if len(batch) == 10000:
                    peers.influx_write(h, b"".join(batch))
                    batch = []
            if batch:
                peers.influx_write(h, b"".join(batch))
        t1 = time.time()
        # InfluxDB counts values per field: their sum is the table's values
        for table in TABLES:
            doc, _, _ = query('SELECT count(*) FROM "%s"' % table)
            s = doc["results"][0]["series"][0]
            n = sum(v for v in s["values"][0][1:] if v)
            want = counts[table]["series_values"]
            if n != want:
                raise PeerError("InfluxDB holds %d values of %s, expected %d" % (n, table, want))
        prev, t2 = -1, time.time()
        for _ in range(60):
            cur = peers.du(os.path.join(a.dir, "data"))
            if cur == prev:
                break
            prev = cur
            time.sleep(1)
        info["influxdb_load_s"] = "%.1f" % (t1 - t0)
        info["influxdb_bytes_on_disk"] = str(peers.du(os.path.join(a.dir, "data")) +
                                             peers.du(os.path.join(a.dir, "wal")))
        log("loaded %d values in %.1f s (HTTP /write, 10,000 lines a request), settled in %.0f s"
            % (sum(counts[t]["series_values"] for t in TABLES), t1 - t0, time.time() - t2))

        def execute(q):
            if q.startswith(UNSUPPORTED):
                raise PeerError("not measured: " + q[len(UNSUPPORTED):])
            doc, t, _ = query(q)
            cols, rows = peers.influx_rows(doc)
            cols, rows = influx_answer(shapes[q], cols, rows)
            return t, cols, rows

        run_queries("influxdb", peers.read_queries(a.queries), execute, a, a.out)
    finally:
        h.close()
        srv.stop()


# ---- PostgreSQL ----------------------------------------------------------------------

def pg_table(table):
    cols = ["ts timestamptz NOT NULL"] + ["%s text" % t for t in TAGS] + \
        ["%s %s" % (c, "bigint" if c in INT_FIELDS else "double precision")
         for c in MODEL_FIELDS + FIELDS[table]]
    return "CREATE TABLE %s (%s)" % (table, ", ".join(cols))


def postgres(a, info):
    """A throwaway cluster as peers.py starts one for cpu (initdb, its
    settings, the server as the postgres user when run as root)."""
    import psycopg2
    import psycopg2.extensions as ext
    as_root = os.geteuid() == 0
    sock = os.path.join(a.dir, "s")
    data = os.path.join(a.dir, "data")
    os.makedirs(sock, exist_ok=True)
    user = None
    if as_root:
        try:
            pw = pwd.getpwnam("postgres")
        except KeyError:
            raise PeerError("running as root and there is no `postgres` user to run PostgreSQL as")
        for d in (a.dir, sock):
            os.chown(d, pw.pw_uid, pw.pw_gid)
        user = "postgres"
        if subprocess.run(["runuser", "-u", "postgres", "--", "test", "-w", a.dir]).returncode:
            raise PeerError("the postgres user cannot reach %s (every directory above it needs "
                            "o+x)" % a.dir)
    os.chmod(a.dir, 0o700)

    def cmd(argv):
        return (["runuser", "-u", "postgres", "--"] + argv) if as_root else argv

    p = subprocess.run(cmd([os.path.join(peers.PG_BINDIR, "initdb"), "-D", data, "-U",
                            "postgres", "-A", "trust", "--locale=C", "--encoding=UTF8",
                            "--no-sync", "--no-instructions"]),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode:
        raise PeerError("initdb failed: " + p.stdout[-1500:])
    with open(os.path.join(data, "postgresql.conf"), "a") as f:
        f.write("\n# bench/peers_iot.py (peers.py's settings)\n")
        for k, v in dict(peers.PG_SETTINGS, unix_socket_directories="'%s'" % sock).items():
            f.write("%s = %s\n" % (k, v))
    srv = Server([os.path.join(peers.PG_BINDIR, "postgres"), "-D", data],
                 os.path.join(a.dir, "server.log"), os.path.join(a.dir, "server.pid"), user=user,
                 stop_cmd=cmd([os.path.join(peers.PG_BINDIR, "pg_ctl"), "-D", data, "-m", "fast",
                               "-w", "-t", "30", "stop"]))
    conn = None
    counts = read_counts(a.data)

    def connect():
        c = psycopg2.connect(host=sock, port=5432, user="postgres", dbname="postgres")
        c.autocommit = True
        return c

    try:
        srv.start()
        atexit.register(srv.stop)

        def ready():
            try:
                connect().close()
                return True
            except psycopg2.OperationalError:
                return False
        wait_for("postgres", ready, 60, srv)
        conn = connect()
        cur = conn.cursor()
        cur.execute("SHOW server_version")
        info["postgres_version"] = cur.fetchone()[0]
        log("PostgreSQL %s on the unix socket %s (no TCP)" % (info["postgres_version"], sock))
        t0 = time.time()
        for table in TABLES:
            cur.execute(pg_table(table))
            with open(os.path.join(a.data, table + ".tsv"), encoding="ascii") as f:
                cur.copy_expert("COPY %s FROM STDIN" % table, f, size=1 << 20)
        t1 = time.time()
        size = 0
        for table in TABLES:
            cur.execute("CREATE INDEX %s_name_ts ON %s (name, ts)" % (table, table))
            cur.execute("CREATE INDEX %s_ts ON %s (ts)" % (table, table))
            cur.execute("VACUUM ANALYZE %s" % table)
            cur.execute("SELECT count(*) FROM %s" % table)
            n = cur.fetchone()[0]
            if n != counts[table]["rows"]:
                raise PeerError("PostgreSQL holds %d rows of %s, expected %d"
                                % (n, table, counts[table]["rows"]))
            cur.execute("SELECT pg_total_relation_size('%s')" % table)
            size += cur.fetchone()[0]
        t2 = time.time()
        info["postgres_bytes_on_disk"] = str(size)
        info["postgres_load_s"] = "%.1f" % (t1 - t0)
        info["postgres_index_s"] = "%.1f" % (t2 - t1)
        log("loaded %d rows in %.1f s (COPY), indexes and VACUUM ANALYZE %.1f s"
            % (sum(counts[t]["rows"] for t in TABLES), t1 - t0, t2 - t1))
        as_text = ext.new_type((16, 20, 21, 23, 700, 701, 1700, 1082, 1114, 1184, 1186),
                               "BENCH_TEXT", lambda v, c: v)
        ext.register_type(as_text, conn)
        names = {}
        cur.execute("SELECT oid, typname FROM pg_type")
        for oid, name in cur.fetchall():
            names[int(oid)] = name

        def execute(sql):
            t0 = time.perf_counter()
            try:
                cur.execute(sql)
                rows = cur.fetchall()
            except psycopg2.Error as e:
                raise PeerError((e.pgerror or str(e)).strip())
            t = time.perf_counter() - t0
            cols = [(d.name, names.get(d.type_code, str(d.type_code))) for d in cur.description]
            return t, cols, [list(r) for r in rows]

        run_queries("postgres", peers.read_queries(a.queries), execute, a, a.out)
    finally:
        if conn is not None:
            conn.close()
        srv.stop()


# ---- main ----------------------------------------------------------------------------

SYSTEMS = {"clickhouse": clickhouse, "influxdb": influxdb, "postgres": postgres}


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "tsv":
        try:
            c = lp_to_tsv(sys.argv[2], sys.argv[3])
        except (PeerError, OSError) as e:
            print("bench: %s" % e, file=sys.stderr)
            return 1
        print("   %s" % ", ".join("%s: %d rows, %d values" % (t, c[t]["rows"], c[t]["values"])
                                  for t in TABLES))
        return 0
    ap = argparse.ArgumentParser(usage=__doc__)
    ap.add_argument("system", choices=sorted(SYSTEMS))
    ap.add_argument("--dir", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--queries", required=True)
    ap.add_argument("--meta", required=True)
    ap.add_argument("--lp")
    ap.add_argument("--port", type=int)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--max-seconds", type=float, default=0)
    ap.add_argument("--out", required=True)
    ap.add_argument("--info", required=True)
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()
    a.dir = os.path.abspath(a.dir)
    if a.port is None:
        a.port = peers.DEFAULT_PORTS[a.system]
    if a.warmup < 1:
        a.warmup = 1
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, lambda *_: sys.exit(1))
    info = {}
    status = "ok"
    try:
        os.makedirs(a.dir, exist_ok=True)
        SYSTEMS[a.system](a, info)
    except (PeerError, OSError, http.client.HTTPException, ValueError) as e:
        status = "failed: " + " ".join(("%s: %s" % (type(e).__name__, e) if not
                                        isinstance(e, PeerError) else str(e)).split())[:800]
        print("bench: %s failed: %s" % (a.system, e), file=sys.stderr)
    except (KeyboardInterrupt, SystemExit):
        status = "failed: interrupted"
        raise
    except BaseException as e:
        status = "failed: %s: %s (a bug in bench/peers_iot.py?)" % (type(e).__name__, e)
        raise
    finally:
        info[a.system + "_status"] = status
        with open(a.info, "a") as f:
            for k, v in info.items():
                f.write("%s=%s\n" % (k, v))
    return 0 if status == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
