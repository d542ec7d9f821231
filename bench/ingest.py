"""HTTP ingest: the same line protocol POSTed by bench/load_http, with the
same batches and client workers, to a server that discards (the client's
ceiling), to Stele, to VictoriaMetrics and to InfluxDB 1.6, each started
fresh for each worker count on 127.0.0.1 with a throwaway directory, each
checked to hold every row and value afterwards (bench/README.md, "HTTP
ingest").

    /usr/bin/python3 bench/ingest.py --load build/bench/load_http --lp FILE
        --rows N --values N --dir DIR --info INFO [--stele build/stele]
        [--systems discard,stele,victoriametrics,influxdb] [--workers 1,2]
        [--batch-lines 5000] [--ports discard=P,stele=P,victoriametrics=P,influxdb=P | auto]
        [--runs 3] [--max-runs 6] [--busy 0.2] [--smoke]

For every system and worker count, --runs times with the machine to itself
(runs during which other processes took --busy cores or more are repeated,
up to --max-runs in all; the quiet run with the median rows/s gives the
figures): the server is started with its data in
DIR/SYSTEM-wN (its pid in DIR/SYSTEM-wN/server.pid meanwhile, for run.sh's
clean-up), made ready (InfluxDB: CREATE DATABASE bench), loaded by
`load_http --url http://127.0.0.1:PORT/write?db=bench&precision=ns --file
FILE --workers N --batch-lines B`, its CPU time (utime + stime of
/proc/PID/stat) read before and after the load, its rows and values counted
through its own query interface, its peak and steady RSS (VmHWM and VmRSS
of /proc/PID/status, once the rows are counted) read, and it is stopped (SIGTERM; SIGKILL after 30 s). --ports auto takes
free ports that the kernel picks (the smoke test; InfluxDB needs two in a
row and has a fixed one). --smoke prints what was checked, not the figures. Stele must exit 0
and `stele stats` of the stopped database must show every row and value
again.

INFO gets KEY=VALUE lines: http_SYSTEM_wN_{rows_per_s, values_per_s,
mb_per_s, wall_s, cpu_s, cpu_s_per_mrows, peak_rss_kib, steady_rss_kib, client_cpu_s,
latency_p50_ms, latency_p99_ms, reconnects, other_cores} of the median run
(other_cores: the machine's busy CPU time during the load less the
server's, load_http's and this script's, over the wall time: what other
processes took),
http_SYSTEM_wN_runs_rows_per_s (every run's, '*' after a busy one),
http_SYSTEM_wN_quiet_runs, http_SYSTEM_status (ok,
"failed: why", or "not measured: why"), http_SYSTEM_version and
http_runs.

Exit status: 0; 1 when the discard server or Stele failed (a peer that
failed is only reported); 2 on bad usage.
"""

import argparse
import atexit
import http.client
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse

import peers
from peers import PeerError, Server, Http, log, wait_for, port_free

SYSTEMS = ["discard", "stele", "victoriametrics", "influxdb"]
NAMES = {"discard": "discard server", "stele": "Stele", "victoriametrics": "VictoriaMetrics",
         "influxdb": "InfluxDB"}
DEFAULT_PORTS = {"discard": 18490, "stele": 18480, "victoriametrics": 18428, "influxdb": 18486}
DB = "bench"
CHECKED = {"discard": "it received every line and byte",
           "stele": "every row counted over /api/v1/sql, and every row and value by "
                    "`stele stats` once it had stopped (exit status 0)",
           "victoriametrics": "every point counted by /api/v1/query",
           "influxdb": "every point counted by SELECT count(*)"}
CLK_TCK = os.sysconf("SC_CLK_TCK")


def proc_cpu(pid):
    """utime + stime of a process, seconds."""
    with open("/proc/%d/stat" % pid) as f:
        rest = f.read().rsplit(")", 1)[1].split()
    return (int(rest[11]) + int(rest[12])) / CLK_TCK


def machine_busy():
    """CPU seconds every core of the machine has spent busy since boot
    (/proc/stat: everything but idle and iowait)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return (sum(v[:8]) - v[3] - v[4]) / CLK_TCK


def proc_mem_kib(pid):
    """(VmHWM, VmRSS) of the process: its peak and its present resident set."""
    got = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(("VmHWM:", "VmRSS:")):
                got[line.split(":")[0]] = int(line.split()[1])
    if len(got) != 2:
        raise PeerError("no VmHWM or VmRSS for pid %d" % pid)
    return got["VmHWM"], got["VmRSS"]


def lp_time_span(lp):
    """(first, last) timestamp of the file, nanoseconds, from its first and
    last lines (gen_devops writes every host from the start to the end)."""
    with open(lp, "rb") as f:
        first = f.readline().split()[-1]
        f.seek(0, os.SEEK_END)
        size = f.tell()
        f.seek(max(0, size - 65536))
        last = f.read().rstrip(b"\n").rsplit(b"\n", 1)[-1].split()[-1]
    return int(first), int(last)


def free_port():
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def claim_port(port, wait=60):
    """Waits up to `wait` seconds for 127.0.0.1:port to be free (a server
    of an earlier run may still be going away); PeerError naming whoever
    holds it otherwise."""
    t0 = time.time()
    while not port_free(port):
        if time.time() - t0 > wait:
            p = subprocess.run(["ss", "-Htanp", "sport = :%d" % port], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
            raise PeerError("port 127.0.0.1:%d is in use: %s" % (
                port, " ".join(p.stdout.split())[:300] or "by whom, ss does not say"))
        time.sleep(0.5)


def stele_has_serve(stele):
    p = subprocess.run([stele, "serve", "--help"], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    return "serve" in p.stdout and "unknown command" not in p.stdout


# ---- one system: start, make ready, count, stop ---------------------------------------

class System:
    """start() returns the Server; ready(); count() -> (rows, values) while
    it runs; after_stop(rc) checks what is left once it has stopped."""

    def __init__(self, a, port, d):
        self.a, self.port, self.dir = a, port, d
        self.h = Http(port, timeout=120)

    def get(self, path):
        status, _, body, _ = self.h.request("GET", path)
        return status, body

    def after_stop(self, rc):
        pass

    def close(self):
        self.h.close()


class Discard(System):
    def start(self):
        return Server([self.a.load, "--discard", str(self.port)],
                      os.path.join(self.dir, "server.log"), os.path.join(self.dir, "server.pid"))

    def ready(self):
        return self.get("/ping")[0] == 204

    def count(self):
        return None  # counted at exit

    def after_stop(self, rc):
        with open(os.path.join(self.dir, "server.log")) as f:
            last = [ln for ln in f if ln.startswith("discard: ") and "requests" in ln]
        if rc != 0 or not last:
            raise PeerError("the discard server exited with status %s" % rc)
        # "discard: C connections, R requests, L lines, B bytes"
        parts = last[-1].split()
        lines, nbytes = int(parts[5]), int(parts[7])
        if lines != self.a.rows or nbytes != os.path.getsize(self.a.lp):
            raise PeerError("the discard server received %d lines and %d bytes, expected %d and "
                            "%d" % (lines, nbytes, self.a.rows, os.path.getsize(self.a.lp)))


class Stele(System):
    def start(self):
        return Server([self.a.stele, "serve", "--data", os.path.join(self.dir, "data"),
                       "--http", "127.0.0.1:%d" % self.port, "--pg", "off", "--insecure"],
                      os.path.join(self.dir, "server.log"), os.path.join(self.dir, "server.pid"))

    def ready(self):
        return self.get("/ping")[0] == 204

    def sql(self, q):
        status, body = self.get("/api/v1/sql?" + urllib.parse.urlencode({"db": DB, "q": q}))
        if status != 200:
            raise PeerError("Stele /api/v1/sql: HTTP %d: %s" % (status, body[:600].decode(
                errors="replace")))
        return json.loads(body)["rows"]

    def count(self):
        rows = int(self.sql("SELECT count(*) FROM cpu")[0][0])
        return rows, None  # values: from `stele stats` once stopped

    def after_stop(self, rc):
        if rc != 0:
            raise PeerError("stele serve exited with status %s after SIGTERM:\n%s" % (
                rc, self.server.log_tail()))
        p = subprocess.run([self.a.stele, "stats", "--db", os.path.join(self.dir, "data", DB),
                            "--json"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if p.returncode:
            raise PeerError("stele stats failed: " + p.stdout[-600:])
        s = json.loads(p.stdout)
        if s["rows"] != self.a.rows or s["values"] != self.a.values:
            raise PeerError("the stopped database holds %d rows and %d values, expected %d and %d"
                            % (s["rows"], s["values"], self.a.rows, self.a.values))


class VictoriaMetrics(System):
    def start(self):
        return Server(["victoria-metrics", "-storageDataPath=" + os.path.join(self.dir, "data"),
                       "-retentionPeriod=100y", "-httpListenAddr=127.0.0.1:%d" % self.port,
                       # counting every series of the high-cardinality run
                       # (1,000,000 of them) passes VictoriaMetrics' default
                       # limit of 300,000 a query; loading is not affected
                       "-search.maxUniqueTimeseries=100000000",
                       "-loggerLevel=ERROR"],
                      os.path.join(self.dir, "server.log"), os.path.join(self.dir, "server.pid"))

    def ready(self):
        return self.get("/health")[0] == 200

    def query(self, q, at, span_s):
        path = "/api/v1/query?" + urllib.parse.urlencode(
            {"query": "sum(count_over_time(%s[%ds]))" % (q, span_s), "time": at})
        status, body = self.get(path)
        if status != 200:
            raise PeerError("VictoriaMetrics /api/v1/query: HTTP %d: %s" % (
                status, body[:600].decode(errors="replace")))
        res = json.loads(body)["data"]["result"]
        return int(float(res[0]["value"][1])) if res else 0

    def count(self):
        # the points become searchable once flushed
        self.get("/internal/force_flush")
        first, last = lp_time_span(self.a.lp)
        at = "%.3f" % (last / 1e9 + 1)
        span = int((last - first) / 1e9) + 10
        return (self.query("cpu_usage_user", at, span),
                self.query('{__name__=~"cpu_.+"}', at, span))


class InfluxDB(System):
    def start(self):
        claim_port(self.port + 1)
        conf = os.path.join(self.dir, "influxdb.conf")
        with open(conf, "w") as f:
            f.write(peers.INFLUX_CONFIG.format(dir=self.dir, http_port=self.port,
                                               rpc_port=self.port + 1))
        return Server(["influxd", "-config", conf], os.path.join(self.dir, "server.log"),
                      os.path.join(self.dir, "server.pid"))

    def ready(self):
        return self.get("/ping")[0] == 204

    def query(self, q, method="GET"):
        path = "/query?" + urllib.parse.urlencode({"db": DB, "q": q})
        status, _, body, _ = self.h.request(method, path)
        doc = json.loads(body) if body else {}
        err = doc.get("error") or next((r["error"] for r in doc.get("results", [])
                                        if "error" in r), None)
        if status != 200 or err:
            raise PeerError("InfluxDB %s: HTTP %d: %s" % (q, status, err or body[:600]))
        return doc

    def prepare(self):
        self.query("CREATE DATABASE " + DB, method="POST")

    def count(self):
        s = self.query("SELECT count(*) FROM cpu")["results"][0]["series"][0]
        counts = dict(zip(s["columns"], s["values"][0]))
        return counts["count_usage_user"], sum(v for k, v in counts.items() if k != "time")


CLASSES = {"discard": Discard, "stele": Stele, "victoriametrics": VictoriaMetrics,
           "influxdb": InfluxDB}


def version_of(system, a):
    if system == "discard":
        return "bench/load_http --discard"
    if system == "stele":
        p = subprocess.run(["git", "describe", "--always", "--dirty"], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, text=True,
                           cwd=os.path.dirname(os.path.abspath(__file__)))
        return p.stdout.strip() or "unknown"
    pkg = {"victoriametrics": "victoria-metrics", "influxdb": "influxdb"}[system]
    p = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True)
    return p.stdout.strip() or "?"


def one_run(system, workers, a, run):
    """One fresh server, one load, its checks; returns the figures."""
    d = os.path.join(a.dir, "%s-w%d" % (system, workers))
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    port = a.ports[system]
    claim_port(port)
    s = CLASSES[system](a, port, d)
    srv = s.start()
    s.server = srv
    stopped = False
    try:
        srv.start()
        atexit.register(srv.stop)
        wait_for(NAMES[system], s.ready, 60, srv)
        if hasattr(s, "prepare"):
            s.prepare()
        pid = srv.p.pid
        url = "http://127.0.0.1:%d/write?db=%s&precision=ns" % (port, DB)
        res = os.path.join(d, "load.env")
        cpu0, busy0, t0 = proc_cpu(pid), machine_busy(), time.monotonic()
        kids0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        me0 = resource.getrusage(resource.RUSAGE_SELF)
        p = subprocess.run([a.load, "--url", url, "--file", a.lp, "--workers", str(workers),
                            "--batch-lines", str(a.batch_lines), "--out", res, "--quiet"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        cpu1, busy1, t1 = proc_cpu(pid), machine_busy(), time.monotonic()
        kids1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        me1 = resource.getrusage(resource.RUSAGE_SELF)
        if p.returncode:
            raise PeerError("load_http failed:\n" + p.stdout.strip()[-1500:])
        with open(res) as f:
            lr = dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
        if int(lr["rows"]) != a.rows or int(lr["values"]) != a.values:
            raise PeerError("load_http sent %s rows and %s values, expected %d and %d" % (
                lr["rows"], lr["values"], a.rows, a.values))
        counted = s.count()
        if counted is not None:
            rows, values = counted
            if rows != a.rows or (values is not None and values != a.values):
                raise PeerError("%s holds %s rows and %s values after the load, expected %d and "
                                "%d" % (NAMES[system], rows, values, a.rows, a.values))
        if not srv.alive():
            raise PeerError("%s exited during the run:\n%s" % (NAMES[system], srv.log_tail()))
        rss, steady = proc_mem_kib(pid)
        rc = srv.stop()
        stopped = True
        s.after_stop(rc)
    finally:
        s.close()
        if not stopped:
            srv.stop()
    cpu = cpu1 - cpu0
    # what the rest of the machine did meanwhile: its busy time less the
    # server's, load_http's (all of it, the file's reading too) and ours
    ours = sum(getattr(b, f) - getattr(a_, f) for a_, b in ((kids0, kids1), (me0, me1))
               for f in ("ru_utime", "ru_stime"))
    other = max(0.0, (busy1 - busy0) - cpu - ours) / max(t1 - t0, 1e-9)
    out = {
        "rows_per_s": lr["rows_per_s"], "values_per_s": lr["values_per_s"],
        "mb_per_s": lr["mb_per_s"], "wall_s": lr["wall_s"], "cpu_s": "%.3f" % cpu,
        "cpu_s_per_mrows": "%.3f" % (cpu / (a.rows / 1e6)), "peak_rss_kib": str(rss),
        "steady_rss_kib": str(steady),
        "client_cpu_s": lr["client_cpu_s"], "latency_p50_ms": lr["latency_p50_ms"],
        "latency_p99_ms": lr["latency_p99_ms"], "reconnects": lr["reconnects"],
        "other_cores": "%.2f" % other,
    }
    who = "%-16s %d worker%s" % (NAMES[system], workers, " " if workers == 1 else "s")
    if a.smoke:
        log("%s: %s rows and %s values sent; %s" % (
            who, "{:,}".format(a.rows), "{:,}".format(a.values), CHECKED[system]))
    else:
        log("%s, run %d: %s rows in %.3f s, %s rows/s, %s values/s; server CPU %.2f s "
            "(%.3f s per million rows), peak RSS %s MiB, steady %s MiB; client CPU %s s; other processes "
            "%.2f cores" % (
                who, run, "{:,}".format(a.rows), float(lr["wall_s"]),
                "{:,}".format(int(lr["rows_per_s"])), "{:,}".format(int(lr["values_per_s"])),
                cpu, cpu / (a.rows / 1e6), "{:,.0f}".format(rss / 1024),
                "{:,.0f}".format(steady / 1024), lr["client_cpu_s"],
                other))
    shutil.rmtree(d, ignore_errors=True)
    return out


def measure(system, workers, a, info):
    """Runs, each with a fresh server, until --runs of them had the machine
    to themselves (other processes took less than --busy cores) or
    --max-runs have run; the one with the median rows/s among the quiet
    runs (all of them, if none was quiet) gives the figures (an even count:
    the slower of the middle two). Every run's rows/s is kept too, a busy
    one marked with '*'."""
    runs, quiet = [], []
    while len(quiet) < a.runs and len(runs) < max(a.max_runs, a.runs):
        o = one_run(system, workers, a, len(runs) + 1)
        runs.append(o)
        if float(o["other_cores"]) < a.busy:
            quiet.append(o)
    by_rate = sorted(quiet or runs, key=lambda o: float(o["rows_per_s"]))
    med = by_rate[(len(by_rate) - 1) // 2]
    key = "http_%s_w%d_" % (system, workers)
    for k, v in med.items():
        info[key + k] = v
    info[key + "runs_rows_per_s"] = ",".join(
        o["rows_per_s"] + ("*" if float(o["other_cores"]) >= a.busy else "") for o in runs)
    info[key + "quiet_runs"] = str(len(quiet))


def main():
    ap = argparse.ArgumentParser(usage=__doc__)
    ap.add_argument("--load", required=True)
    ap.add_argument("--lp", required=True)
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--values", type=int, required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--info", required=True)
    ap.add_argument("--stele", default="build/stele")
    ap.add_argument("--systems", default=",".join(SYSTEMS))
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--batch-lines", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--max-runs", type=int, default=6)
    ap.add_argument("--busy", type=float, default=0.2)
    ap.add_argument("--ports", default="", dest="port_list")
    ap.add_argument("--smoke", action="store_true")
    a = ap.parse_args()
    a.dir = os.path.abspath(a.dir)
    a.load = os.path.abspath(a.load)
    a.stele = os.path.abspath(a.stele)
    systems = [x for x in a.systems.split(",") if x]
    workers = [int(x) for x in a.workers.split(",") if x]
    if any(x not in SYSTEMS for x in systems) or not workers or min(workers) < 1 or a.runs < 1:
        ap.error("--systems takes %s; --workers counts of 1 or more" % ",".join(SYSTEMS))
    a.ports = dict(DEFAULT_PORTS)
    if a.port_list == "auto":
        for k in ("discard", "stele", "victoriametrics"):
            a.ports[k] = free_port()
        a.port_list = ""
    for kv in filter(None, a.port_list.split(",")):
        k, v = kv.split("=")
        if k not in SYSTEMS:
            ap.error("--ports: unknown system %r" % k)
        a.ports[k] = int(v)
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, lambda *_: sys.exit(1))
    os.makedirs(a.dir, exist_ok=True)
    info = {"http_systems": ",".join(systems), "http_workers": ",".join(map(str, workers)),
            "http_batch_lines": str(a.batch_lines), "http_runs": str(a.runs),
            "http_busy_cores": "%g" % a.busy}
    bad = False
    for system in systems:
        status = "ok"
        if system == "stele" and not stele_has_serve(a.stele):
            status = "not measured: %s has no `serve` command (the server is not built yet)" \
                % os.path.relpath(a.stele)
            log("Stele: " + status)
        elif system in ("victoriametrics", "influxdb") and not shutil.which(
                {"victoriametrics": "victoria-metrics", "influxdb": "influxd"}[system]):
            status = "not measured: it is not installed (scripts/deps.sh)"
        else:
            info["http_%s_version" % system] = version_of(system, a)
            for w in workers:
                try:
                    measure(system, w, a, info)
                except (PeerError, OSError, http.client.HTTPException, ValueError, KeyError,
                        IndexError) as e:
                    msg = e if isinstance(e, PeerError) else "%s: %s" % (type(e).__name__, e)
                    status = "failed: " + " ".join(str(msg).split())[:800]
                    print("bench: %s, %d worker%s: %s" % (NAMES[system], w, "s" * (w != 1), msg),
                          file=sys.stderr)
                    if system in ("discard", "stele"):
                        bad = True
                    break
        info["http_%s_status" % system] = status
    with open(a.info, "a") as f:
        for k, v in info.items():
            f.write("%s=%s\n" % (k, v))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
