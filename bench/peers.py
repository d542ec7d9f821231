"""The peers of the query benchmark: ClickHouse 18.16, InfluxDB 1.6 and
PostgreSQL 15, each started here on 127.0.0.1 (PostgreSQL: a unix socket
only) with a throwaway data directory, loaded with the benchmark's data,
queried, and stopped (bench/README.md, "Peers").

    /usr/bin/python3 bench/peers.py tsv LP TSV
        converts gen_devops line protocol into the tab-separated rows that
        ClickHouse and PostgreSQL load (time, the tags by name, the fields)

    /usr/bin/python3 bench/peers.py SYSTEM --dir DIR --rows N --queries FILE
        [--lp LP] [--tsv TSV] [--warmup W] [--runs R] [--max-seconds S]
        --out RESULTS --info INFO

        SYSTEM is clickhouse, influxdb or postgres. Starts it with its data
        under DIR, loads the data (influxdb: LP; the others: TSV), checks
        that it holds N rows, runs every query of FILE (ID<TAB>QUERY) under
        the same rule as bench_query (one untimed run that keeps the
        answer and counts as the first warm-up, the rest of W warm-ups, then
        R timed runs, fewer, but at least 3, once they have taken S seconds
        together), writes the answers and timings to RESULTS in the format
        of results.py and KEY=VALUE facts (version, load time, status) to
        INFO, and stops the server, also on errors and signals. The server's
        pid is kept in DIR/server.pid meanwhile, for run.sh's clean-up.

Latency is what a client sees over one kept-alive connection: ClickHouse
and InfluxDB over HTTP (the request sent until the whole body is read),
PostgreSQL through psycopg2 (execute and fetchall, values left as text).
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
import socket
import subprocess
import sys
import time
import urllib.parse

import results

TAGS_SORTED = ["arch", "datacenter", "hostname", "os", "rack", "region", "service",
               "service_environment", "service_version", "team"]
METRICS = ["usage_user", "usage_system", "usage_idle", "usage_nice", "usage_iowait",
           "usage_irq", "usage_softirq", "usage_steal", "usage_guest", "usage_guest_nice"]


class PeerError(RuntimeError):
    pass


def log(msg):
    print("   " + msg, flush=True)


# ---- the data for ClickHouse and PostgreSQL ----------------------------------------

def lp_to_tsv(lp, tsv):
    """One row per line: the time as 'YYYY-MM-DD HH:MM:SS' (UTC; the data
    is on whole seconds), the ten tags in TAGS_SORTED order, the ten fields
    in METRICS order. Only gen_devops's shape is accepted."""
    stamps = {}
    n = 0
    with open(lp, encoding="ascii") as f, open(tsv, "w", encoding="ascii") as out:
        buf = []
        for line in f:
            head, fields, ts = line.rstrip("\n").split(" ")
            tags = dict(kv.split("=", 1) for kv in head.split(",")[1:])
            vals = [kv.split("=", 1) for kv in fields.split(",")]
            if [k for k, _ in vals] != METRICS or sorted(tags) != TAGS_SORTED:
                raise PeerError("line %d has an unexpected shape" % (n + 1))
            t = stamps.get(ts)
            if t is None:
                ns = int(ts)
                if ns % 10**9:
                    raise PeerError("line %d: a timestamp with a fraction of a second" % (n + 1))
                t = datetime.datetime.fromtimestamp(ns // 10**9, datetime.timezone.utc) \
                    .strftime("%Y-%m-%d %H:%M:%S")
                stamps[ts] = t
            buf.append("\t".join([t] + [tags[k] for k in TAGS_SORTED] +
                                 [v.rstrip("i") for _, v in vals]) + "\n")
            n += 1
            if len(buf) >= 10000:
                out.writelines(buf)
                buf = []
        out.writelines(buf)
    return n


# ---- common ---------------------------------------------------------------------

def port_free(port):
    s = socket.socket()
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def read_queries(path):
    qs = []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line and not line.startswith("#"):
                qid, q = line.split("\t", 1)
                qs.append((qid, q))
    return qs


def du(path):
    total = 0
    for dp, _, fs in os.walk(path):
        for name in fs:
            try:
                total += os.lstat(os.path.join(dp, name)).st_size
            except OSError:
                pass
    return total


class Server:
    """A server process in its own session, stopped by stop(): stop_cmd
    when given (else SIGTERM to its process group), then SIGKILL to the
    group after `grace` seconds."""

    def __init__(self, argv, logpath, pidfile, user=None, stop_cmd=None):
        self.argv, self.logpath, self.pidfile, self.user = argv, logpath, pidfile, user
        self.stop_cmd = stop_cmd
        self.p = None

    def start(self):
        out = open(self.logpath, "ab")
        argv = self.argv
        if self.user:
            argv = ["runuser", "-u", self.user, "--"] + argv
        self.p = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, start_new_session=True)
        out.close()
        with open(self.pidfile, "w") as f:
            f.write("%d\n" % self.p.pid)

    def alive(self):
        return self.p is not None and self.p.poll() is None

    def stop(self, grace=30):
        """Returns the server's exit status (None if it was not running)."""
        if self.p is None:
            return None
        if self.p.poll() is None:
            try:
                if self.stop_cmd:
                    subprocess.run(self.stop_cmd, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, timeout=grace)
                else:
                    os.killpg(self.p.pid, signal.SIGTERM)
            except (OSError, subprocess.TimeoutExpired):
                pass
            try:
                self.p.wait(grace)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.p.pid, signal.SIGKILL)
                except OSError:
                    pass
                self.p.wait()
        rc = self.p.returncode
        self.p = None
        try:
            os.unlink(self.pidfile)
        except OSError:
            pass
        return rc

    def log_tail(self, n=15):
        try:
            with open(self.logpath, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""


class Http:
    """One kept-alive HTTP connection to 127.0.0.1:port."""

    def __init__(self, port, timeout=600):
        self.port, self.timeout = port, timeout
        self.c = None

    def request(self, method, path, body=None, headers=None):
        """(status, headers, body bytes, seconds from sending to the last byte)."""
        for attempt in (0, 1):
            fresh = self.c is None
            try:
                if fresh:
                    self.c = http.client.HTTPConnection("127.0.0.1", self.port,
                                                        timeout=self.timeout)
                    self.c.connect()
                t0 = time.perf_counter()
                self.c.request(method, path, body=body, headers=headers or {})
                r = self.c.getresponse()
                data = r.read()
                t = time.perf_counter() - t0
                if r.getheader("Connection", "").lower() == "close":
                    self.close()
                return r.status, r, data, t
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # the server closed an idle kept-alive connection: once more
                # on a new one (this attempt's time is not kept)
                self.close()
                if attempt or fresh:
                    raise
            except BaseException:
                # any other failure leaves the connection in an unknown
                # state: the next request starts a new one
                self.close()
                raise

    def close(self):
        if self.c is not None:
            self.c.close()
            self.c = None


def wait_for(what, fn, timeout, server):
    t0 = time.time()
    while time.time() - t0 < timeout:
        if not server.alive():
            raise PeerError("%s exited while starting:\n%s" % (what, server.log_tail()))
        try:
            if fn():
                return
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.2)
    raise PeerError("%s did not answer within %d s:\n%s" % (what, timeout, server.log_tail()))


def run_queries(name, queries, execute, a, out):
    """Runs every query under bench_query's rule; execute(q) returns
    (seconds, cols, rows) and raises PeerError when the system refuses."""
    w = results.Writer(out)
    at_least = min(a.runs, 3)
    t_all = time.time()
    last_type, type_times, type_n = None, [], 0

    def progress():
        if last_type and not a.verbose:
            log("%-24s %d queries, median %10.3f ms, p95 %10.3f ms" % (
                last_type, type_n, results.median(type_times), results.p95(type_times)))
    for qid, q in queries:
        try:
            _, cols, rows = execute(q)
            for _ in range(a.warmup - 1):
                execute(q)
            times = []
            while len(times) < a.runs:
                t, _, again = execute(q)
                if len(again) != len(rows):
                    raise PeerError("%d rows in a timed run, %d in the first" % (len(again),
                                                                                len(rows)))
                times.append(t * 1e3)
                if a.max_seconds and len(times) >= at_least and sum(times) >= a.max_seconds * 1e3:
                    break
            w.query(qid, times, cols, rows)
            if a.verbose:
                log("%-34s median %10.3f ms  p95 %10.3f ms  %8d rows" % (
                    qid, results.median(times), results.p95(times), len(rows)))
            typ = qid.split("#")[0]
            if typ != last_type:
                progress()
                last_type, type_times, type_n = typ, [], 0
            type_times += times
            type_n += 1
        except PeerError as e:
            log("%s: %s failed: %s" % (name, qid, e))
            w.error(qid, e)
    progress()
    w.close()
    log("%s: %d queries in %.0f s" % (name, len(queries), time.time() - t_all))


# ---- ClickHouse -------------------------------------------------------------------

CH_CONFIG = """<?xml version="1.0"?>
<!-- written by bench/peers.py for one benchmark run; everything under {dir} -->
<yandex>
  <logger>
    <level>warning</level>
    <log>{dir}/server.log</log>
    <errorlog>{dir}/server.err.log</errorlog>
    <size>100M</size>
    <count>1</count>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>{http_port}</http_port>
  <tcp_port>{tcp_port}</tcp_port>
  <path>{dir}/data/</path>
  <tmp_path>{dir}/tmp/</tmp_path>
  <user_files_path>{dir}/user_files/</user_files_path>
  <format_schema_path>{dir}/format_schemas/</format_schema_path>
  <users_config>{dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>5368709120</mark_cache_size>
  <uncompressed_cache_size>8589934592</uncompressed_cache_size>
  <max_concurrent_queries>16</max_concurrent_queries>
  <keep_alive_timeout>60</keep_alive_timeout>
</yandex>
"""

CH_USERS = """<?xml version="1.0"?>
<yandex>
  <profiles><default>
    <max_memory_usage>10000000000</max_memory_usage>
    <load_balancing>random</load_balancing>
  </default></profiles>
  <users><default>
    <password></password>
    <networks><ip>127.0.0.1</ip></networks>
    <profile>default</profile>
    <quota>default</quota>
  </default></users>
  <quotas><default><interval>
    <duration>3600</duration><queries>0</queries><errors>0</errors>
    <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time>
  </interval></default></quotas>
</yandex>
"""

CH_TABLE = ("CREATE TABLE cpu (time DateTime, %s, %s) ENGINE = MergeTree() "
            "PARTITION BY toDate(time) ORDER BY (hostname, time)" % (
                ", ".join("%s String" % t for t in TAGS_SORTED),
                ", ".join("%s Int64" % m for m in METRICS)))


def clickhouse(a, info):
    http_port, tcp_port = a.port, a.port + 1
    for p in (http_port, tcp_port):
        if not port_free(p):
            raise PeerError("port 127.0.0.1:%d is in use" % p)
    for sub in ("data", "tmp", "user_files", "format_schemas"):
        os.makedirs(os.path.join(a.dir, sub), exist_ok=True)
    conf = os.path.join(a.dir, "config.xml")
    with open(conf, "w") as f:
        f.write(CH_CONFIG.format(dir=a.dir, http_port=http_port, tcp_port=tcp_port))
    with open(os.path.join(a.dir, "users.xml"), "w") as f:
        f.write(CH_USERS)
    srv = Server(["clickhouse-server", "--config-file=" + conf],
                 os.path.join(a.dir, "stdout.log"), os.path.join(a.dir, "server.pid"))
    h = Http(http_port)

    def q(sql, fmt="TabSeparated"):
        status, _, body, t = h.request("POST", "/", body=(sql + " FORMAT " + fmt
                                                           if fmt else sql).encode())
        if status != 200:
            raise PeerError(body.decode(errors="replace").strip()[:600])
        return body.decode(), t

    try:
        srv.start()
        atexit.register(srv.stop)
        wait_for("clickhouse-server", lambda: h.request("GET", "/ping")[2] == b"Ok.\n", 60, srv)
        info["clickhouse_version"] = q("SELECT version()")[0].strip()
        log("ClickHouse %s on 127.0.0.1:%d (HTTP), :%d (native)" % (
            info["clickhouse_version"], http_port, tcp_port))
        q(CH_TABLE, None)
        t0 = time.time()
        with open(a.tsv, "rb") as f:
            p = subprocess.run(["clickhouse-client", "--host", "127.0.0.1", "--port",
                                str(tcp_port), "--query", "INSERT INTO cpu FORMAT TabSeparated"],
                               stdin=f, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if p.returncode:
            raise PeerError("clickhouse-client INSERT failed: %s" % p.stdout.decode()[-600:])
        t1 = time.time()
        # merge the parts into one per partition before querying: OPTIMIZE
        # does nothing while a background merge holds the parts, so wait for
        # the merges, optimize, and repeat until the parts are merged (at
        # most 10 minutes)
        while True:
            while int(q("SELECT count() FROM system.merges WHERE table = 'cpu'")[0]) and \
                    time.time() - t1 < 600:
                time.sleep(0.5)
            q("OPTIMIZE TABLE cpu FINAL", None)
            parts, partitions = (int(x) for x in q(
                "SELECT count(), uniqExact(partition) FROM system.parts "
                "WHERE table = 'cpu' AND active")[0].split())
            if parts == partitions or time.time() - t1 > 600:
                break
            time.sleep(0.5)
        t2 = time.time()
        info["clickhouse_parts"] = str(parts)
        # its active parts' bytes (replaced parts linger on disk a while)
        for col in ("bytes_on_disk", "bytes"):
            try:
                info["clickhouse_bytes_on_disk"] = q(
                    "SELECT sum(%s) FROM system.parts WHERE table = 'cpu' AND active" % col
                )[0].strip()
                break
            except PeerError:
                continue
        n = int(q("SELECT count() FROM cpu")[0])
        if n != a.rows:
            raise PeerError("ClickHouse holds %d rows, expected %d" % (n, a.rows))
        info["clickhouse_load_s"] = "%.1f" % (t1 - t0)
        info["clickhouse_optimize_s"] = "%.1f" % (t2 - t1)
        log("loaded %d rows in %.1f s (clickhouse-client, TabSeparated), merged into %d "
            "part%s by OPTIMIZE FINAL in %.1f s" % (n, t1 - t0, parts, "s" * (parts != 1), t2 - t1))

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

        run_queries("clickhouse", read_queries(a.queries), execute, a, a.out)
    finally:
        h.close()
        srv.stop()


# ---- InfluxDB -----------------------------------------------------------------

INFLUX_CONFIG = """# written by bench/peers.py for one benchmark run; everything under {dir}
reporting-enabled = false
bind-address = "127.0.0.1:{rpc_port}"

[meta]
  dir = "{dir}/meta"
  logging-enabled = false

[data]
  dir = "{dir}/data"
  wal-dir = "{dir}/wal"
  query-log-enabled = false
  cache-max-memory-size = "4g"
  max-series-per-database = 0
  max-values-per-tag = 0

[coordinator]
  query-timeout = "0s"

[retention]
  enabled = false

[shard-precreation]
  enabled = false

[monitor]
  store-enabled = false

[http]
  enabled = true
  bind-address = "127.0.0.1:{http_port}"
  log-enabled = false
  max-body-size = 0

[ifql]
  enabled = false

[logging]
  level = "warn"

[subscriber]
  enabled = false

[continuous_queries]
  enabled = false
"""


def influxdb(a, info):
    http_port, rpc_port = a.port, a.port + 1
    for p in (http_port, rpc_port):
        if not port_free(p):
            raise PeerError("port 127.0.0.1:%d is in use" % p)
    conf = os.path.join(a.dir, "influxdb.conf")
    with open(conf, "w") as f:
        f.write(INFLUX_CONFIG.format(dir=a.dir, http_port=http_port, rpc_port=rpc_port))
    srv = Server(["influxd", "-config", conf], os.path.join(a.dir, "server.log"),
                 os.path.join(a.dir, "server.pid"))
    h = Http(http_port)

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
        # The line protocol as it is, POSTed to /write in batches of
        # 10,000 lines (TSBS's default batch size) by one client.
        t0 = time.time()
        with open(a.lp, "rb") as f:
            batch = []
            for line in f:
                batch.append(line)
                if len(batch) == 10000:
                    influx_write(h, b"".join(batch))
                    batch = []
            if batch:
                influx_write(h, b"".join(batch))
        t1 = time.time()
        doc, _, _ = query("SELECT count(usage_user) FROM cpu")
        n = doc["results"][0]["series"][0]["values"][0][1]
        if n != a.rows:
            raise PeerError("InfluxDB holds %d points of usage_user, expected %d" % (n, a.rows))
        # let the cache snapshots and compactions that the load started finish:
        # wait until the data directory stops changing (at most 60 s)
        prev, t2 = -1, time.time()
        for _ in range(60):
            cur = du(os.path.join(a.dir, "data"))
            if cur == prev:
                break
            prev = cur
            time.sleep(1)
        info["influxdb_load_s"] = "%.1f" % (t1 - t0)
        info["influxdb_bytes_on_disk"] = str(du(os.path.join(a.dir, "data")) +
                                             du(os.path.join(a.dir, "wal")))
        log("loaded %d rows in %.1f s (HTTP /write, 10,000 lines a request), settled in %.0f s"
            % (n, t1 - t0, time.time() - t2))

        def execute(q):
            doc, t, _ = query(q)
            cols, rows = influx_rows(doc)
            return t, cols, rows

        run_queries("influxdb", read_queries(a.queries), execute, a, a.out)
    finally:
        h.close()
        srv.stop()


def influx_write(h, body):
    status, _, data, _ = h.request("POST", "/write?db=benchmark&precision=ns", body=body)
    if status != 204:
        raise PeerError("InfluxDB /write: HTTP %d: %s" % (status, data.decode(errors="replace")[:600]))


def influx_rows(doc):
    """Flattens InfluxDB's series into rows: the time, the series' tags (by
    name), then the other columns, series after series (InfluxQL orders
    rows within a series only, so the answer check compares its answers as
    sets and does not check their order)."""
    series = doc["results"][0].get("series", [])
    cols, rows = None, []
    for s in series:
        tags = sorted((s.get("tags") or {}).items())
        c = [(s["columns"][0], "time")] + [(k, "tag") for k, _ in tags] + \
            [(n, "field") for n in s["columns"][1:]]
        if cols is None:
            cols = c
        elif [n for n, _ in c] != [n for n, _ in cols]:
            raise PeerError("series with different columns: %s and %s" % (c, cols))
        for v in s["values"]:
            rows.append([v[0]] + [tv for _, tv in tags] + v[1:])
    return cols or [], rows


# ---- PostgreSQL -------------------------------------------------------------------

PG_BINDIR = "/usr/lib/postgresql/15/bin"
PG_SETTINGS = {
    "listen_addresses": "''",
    "port": "5432",
    "max_connections": "20",
    "shared_buffers": "'4GB'",
    "effective_cache_size": "'12GB'",
    "work_mem": "'64MB'",
    "maintenance_work_mem": "'1GB'",
    "max_wal_size": "'8GB'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "autovacuum": "off",
    "timezone": "'UTC'",
    "log_timezone": "'UTC'",
    "datestyle": "'iso, mdy'",
    "lc_messages": "'C'",
    "unix_socket_permissions": "0700",
    "logging_collector": "off",
}
PG_TABLE = ("CREATE TABLE cpu (ts timestamptz NOT NULL, %s, %s)" % (
    ", ".join("%s text NOT NULL" % t for t in TAGS_SORTED),
    ", ".join("%s bigint" % m for m in METRICS)))


def postgres(a, info):
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

    p = subprocess.run(cmd([os.path.join(PG_BINDIR, "initdb"), "-D", data, "-U", "postgres",
                            "-A", "trust", "--locale=C", "--encoding=UTF8", "--no-sync",
                            "--no-instructions"]),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode:
        raise PeerError("initdb failed: " + p.stdout[-1500:])
    with open(os.path.join(data, "postgresql.conf"), "a") as f:
        f.write("\n# bench/peers.py\n")
        for k, v in dict(PG_SETTINGS, unix_socket_directories="'%s'" % sock).items():
            f.write("%s = %s\n" % (k, v))
    srv = Server([os.path.join(PG_BINDIR, "postgres"), "-D", data],
                 os.path.join(a.dir, "server.log"), os.path.join(a.dir, "server.pid"), user=user,
                 stop_cmd=cmd([os.path.join(PG_BINDIR, "pg_ctl"), "-D", data, "-m", "fast",
                               "-w", "-t", "30", "stop"]))
    conn = None

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
        cur.execute(PG_TABLE)
        t0 = time.time()
        with open(a.tsv, encoding="ascii") as f:
            cur.copy_expert("COPY cpu FROM STDIN", f, size=1 << 20)
        t1 = time.time()
        cur.execute("CREATE INDEX cpu_hostname_ts ON cpu (hostname, ts)")
        cur.execute("CREATE INDEX cpu_ts ON cpu (ts)")
        cur.execute("VACUUM ANALYZE cpu")
        t2 = time.time()
        cur.execute("SELECT count(*) FROM cpu")
        n = cur.fetchone()[0]
        if n != a.rows:
            raise PeerError("PostgreSQL holds %d rows, expected %d" % (n, a.rows))
        cur.execute("SELECT pg_total_relation_size('cpu')")
        info["postgres_bytes_on_disk"] = str(cur.fetchone()[0])
        info["postgres_load_s"] = "%.1f" % (t1 - t0)
        info["postgres_index_s"] = "%.1f" % (t2 - t1)
        log("loaded %d rows in %.1f s (COPY), indexes and VACUUM ANALYZE %.1f s"
            % (n, t1 - t0, t2 - t1))
        # every value as PostgreSQL's text: the decoding a client would pick
        # stays out of the timing, and the answer check parses the text
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

        run_queries("postgres", read_queries(a.queries), execute, a, a.out)
    finally:
        if conn is not None:
            conn.close()
        srv.stop()


# ---- main -------------------------------------------------------------------------

SYSTEMS = {"clickhouse": clickhouse, "influxdb": influxdb, "postgres": postgres}
DEFAULT_PORTS = {"clickhouse": 18123, "influxdb": 18086, "postgres": 0}


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "tsv":
        n = lp_to_tsv(sys.argv[2], sys.argv[3])
        print("   %d rows converted" % n)
        return 0
    ap = argparse.ArgumentParser(usage=__doc__)
    ap.add_argument("system", choices=sorted(SYSTEMS))
    ap.add_argument("--dir", required=True)
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--queries", required=True)
    ap.add_argument("--lp")
    ap.add_argument("--tsv")
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
        a.port = DEFAULT_PORTS[a.system]
    if a.warmup < 1:
        a.warmup = 1
    # a signal ends the run through the finally clauses that stop the server
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
        status = "failed: %s: %s (a bug in bench/peers.py?)" % (type(e).__name__, e)
        raise
    finally:
        info[a.system + "_status"] = status
        with open(a.info, "a") as f:
            for k, v in info.items():
                f.write("%s=%s\n" % (k, v))
    return 0 if status == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
