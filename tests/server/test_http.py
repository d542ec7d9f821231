"""HTTP: InfluxDB writes (v1, v2, gzip, every precision, partial failures,
the python influxdb client), SQL over HTTP (JSON, CSV, errors with
positions, streaming), /ping, /health, /metrics, limits."""
import gzip
import json
import socket
import subprocess
import threading
import time

import pytest
import requests
from influxdb import InfluxDBClient

from conftest import STELE as STELE_BIN

T0 = 1451606400  # 2016-01-01T00:00:00Z


@pytest.fixture
def server(make_server):
    """HTTP only: these tests do not need the PostgreSQL listener."""
    return make_server(pg=False)


def test_ping_and_health(server):
    r = requests.get(server.url + "/ping")
    assert r.status_code == 204
    assert r.headers["X-Influxdb-Version"].startswith("1.8")
    r = requests.head(server.url + "/ping")
    assert r.status_code == 204
    r = requests.get(server.url + "/health")
    assert r.status_code == 200
    assert r.json() == {"name": "stele", "status": "pass", "version": "0.1",
                        "message": "ready for queries and writes", "checks": []}


def test_write_v1_and_read_back(server):
    body = ("cpu,host=a,region=eu usage=1.5,n=3i,ok=true,msg=\"hi there\" %d000000000\n"
            "cpu,host=b,region=us usage=-2.25,n=-4i,ok=false,msg=\"\" %d000000000\n" % (T0, T0 + 10))
    r = server.write(body)
    assert r.status_code == 204, r.text
    assert r.content == b""
    r = server.sql("SELECT * FROM cpu ORDER BY host")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/json"
    assert r.json() == {
        "columns": [{"name": "ts", "type": "timestamp"}, {"name": "host", "type": "varchar"},
                    {"name": "region", "type": "varchar"}, {"name": "usage", "type": "double"},
                    {"name": "n", "type": "bigint"}, {"name": "ok", "type": "boolean"},
                    {"name": "msg", "type": "varchar"}],
        "rows": [["2016-01-01 00:00:00", "a", "eu", 1.5, 3, True, "hi there"],
                 ["2016-01-01 00:00:10", "b", "us", -2.25, -4, False, ""]],
        "row_count": 2, "command": "SELECT 2"}


@pytest.mark.parametrize("path,param,prec,ts,want", [
    ("/write", "db", None, "1451606400000000001", "2016-01-01 00:00:00.000000001"),
    ("/write", "db", "ns", "1451606400000000001", "2016-01-01 00:00:00.000000001"),
    ("/write", "db", "n", "1451606400000000002", "2016-01-01 00:00:00.000000002"),
    ("/write", "db", "us", "1451606400000003", "2016-01-01 00:00:00.000003"),
    ("/write", "db", "u", "1451606400000004", "2016-01-01 00:00:00.000004"),
    ("/write", "db", "ms", "1451606400005", "2016-01-01 00:00:00.005"),
    ("/write", "db", "s", "1451606406", "2016-01-01 00:00:06"),
    ("/api/v2/write", "bucket", None, "1451606400000000007", "2016-01-01 00:00:00.000000007"),
    ("/api/v2/write", "bucket", "ns", "1451606400000000008", "2016-01-01 00:00:00.000000008"),
    ("/api/v2/write", "bucket", "us", "1451606400000009", "2016-01-01 00:00:00.000009"),
    ("/api/v2/write", "bucket", "ms", "1451606400010", "2016-01-01 00:00:00.01"),
    ("/api/v2/write", "bucket", "s", "1451606411", "2016-01-01 00:00:11"),
])
@pytest.mark.parametrize("gz", [False, True])
def test_write_paths_precisions_gzip(server, path, param, prec, ts, want, gz):
    body = ("m,k=x v=42i %s\n" % ts).encode()
    headers = {}
    if gz:
        body = gzip.compress(body)
        headers["Content-Encoding"] = "gzip"
    params = {param: "p"}
    if prec:
        params["precision"] = prec
    r = requests.post(server.url + path, params=params, data=body, headers=headers)
    assert r.status_code == 204, r.text
    assert server.rows("SELECT ts, k, v FROM m", db="p") == [[want, "x", 42]]


def test_v2_bucket_with_retention_policy_suffix(server):
    r = requests.post(server.url + "/api/v2/write", params={"bucket": "mydb/autogen", "org": "o"},
                      data="m v=1 1\n")
    assert r.status_code == 204, r.text
    assert server.rows("SELECT v FROM m", db="mydb") == [[1]]


def test_partial_write_names_first_bad_line(server):
    body = ("m,h=a v=1 1\n"
            "m,h=a v= 2\n"            # line 2: no value
            "m,h=b v=3 3\n"
            "m,h=c v=\"text\" 4\n"     # line 4: type conflict
            "m,h=d v=5 5\n")
    r = server.write(body)
    assert r.status_code == 400
    assert r.headers["Content-Type"] == "application/json"
    assert r.json() == {
        "error": "partial write: line 2: missing value for field key \"v\" (2 lines rejected, 3 written)",
        "line": 2, "lines_written": 3, "lines_rejected": 2}
    assert server.rows("SELECT h, v FROM m ORDER BY h") == [["a", 1], ["b", 3], ["d", 5]]


def test_all_lines_bad(server):
    r = server.write("not line protocol\n")
    assert r.status_code == 400
    j = r.json()
    assert j["error"].startswith("unable to parse: line 1: ")
    assert j["lines_written"] == 0 and j["lines_rejected"] == 1


def test_write_errors(server):
    r = requests.post(server.url + "/write", data="m v=1 1\n")
    assert (r.status_code, r.json()) == (400, {"error": "database is required"})
    r = requests.post(server.url + "/api/v2/write", data="m v=1 1\n")
    assert (r.status_code, r.json()) == (400, {"error": "bucket is required"})
    r = requests.post(server.url + "/write", params={"db": "a b"}, data="m v=1 1\n")
    assert r.status_code == 400
    assert "invalid database name" in r.json()["error"]
    r = requests.post(server.url + "/write", params={"db": "d", "precision": "h"}, data="m v=1 1\n")
    assert r.status_code == 400 and "invalid precision" in r.json()["error"]
    r = requests.post(server.url + "/api/v2/write", params={"bucket": "d", "precision": "n"},
                      data="m v=1 1\n")
    assert r.status_code == 400
    r = requests.get(server.url + "/write", params={"db": "d"})
    assert r.status_code == 405 and r.headers["Allow"] == "POST"
    r = requests.post(server.url + "/write", params={"db": "d"}, data=b"\x1f\x8b garbage",
                      headers={"Content-Encoding": "gzip"})
    assert r.status_code == 400 and r.json()["error"].startswith("invalid gzip body")
    r = requests.post(server.url + "/write", params={"db": "d"}, data="m v=1 1\n",
                      headers={"Content-Encoding": "br"})
    assert r.status_code == 415
    r = requests.get(server.url + "/nope")
    assert (r.status_code, r.json()) == (404, {"error": "no such endpoint: /nope"})


def test_influxdb_python_client(make_server):
    s = make_server(insecure=False, pg=False, start=False)
    tok = s.token("writer", read=["tele"], write=["tele"])
    s.start()
    c = InfluxDBClient(host="127.0.0.1", port=s.http_port, username="writer", password=tok,
                       database="tele")
    assert c.ping().startswith("1.8")
    points = [{"measurement": "temp", "tags": {"room": "r%d" % i},
               "time": (T0 + i) * 1000, "fields": {"c": 20.5 + i, "n": i}} for i in range(5)]
    assert c.write_points(points, time_precision="ms", batch_size=2) is True
    rows = s.rows("SELECT ts, room, c, n FROM temp ORDER BY room", db="tele", token=tok)
    assert rows == [["2016-01-01 00:00:0%d" % i, "r%d" % i, 20.5 + i, i] for i in range(5)]
    bad = InfluxDBClient(host="127.0.0.1", port=s.http_port, username="writer",
                         password="stl_wrong", database="tele")
    with pytest.raises(Exception) as e:
        bad.write_points(points)
    assert "401" in str(e.value) or "authorization failed" in str(e.value)


def test_sql_formats_and_errors(server):
    server.write("m,h=a v=1.5,s=\"x,y\" 1\nm,h=b v=-2 2\n")
    r = server.sql("SELECT h, v, s FROM m ORDER BY h", fmt="csv")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/csv")
    assert r.text == 'h,v,s\na,1.5,"x,y"\nb,-2,\n'
    r = server.sql("SELECT h FROM m ORDER BY h", headers={"Accept": "text/csv"})
    assert r.text == "h\na\nb\n"
    r = server.sql("SELECT usge FROM m")
    assert r.status_code == 400
    assert r.json() == {"error": {"message": "column \"usge\" does not exist", "position": 8,
                                  "sqlstate": "42703"}}
    r = server.sql("SELECT * FROM nosuch")
    assert r.status_code == 404
    assert r.json()["error"]["sqlstate"] == "42P01"
    assert r.json()["error"]["position"] == 15
    r = server.sql("SELEC 1")
    assert r.status_code == 400 and r.json()["error"]["sqlstate"] == "42601"
    r = server.sql("SELECT 1; SELECT 2")
    assert r.status_code == 400
    assert r.json()["error"]["message"] == "only one statement per request is supported"
    r = server.sql("SELECT 1", db="missing")
    assert r.status_code == 404
    assert r.json()["error"]["message"] == "database \"missing\" does not exist"
    r = requests.get(server.url + "/api/v1/sql", params={"q": "SELECT 1"})
    assert r.status_code == 400 and r.json() == {"error": "database is required (db=NAME)"}
    r = requests.get(server.url + "/api/v1/sql", params={"db": "db"})
    assert r.status_code == 400
    # POST: form-encoded and raw bodies
    r = requests.post(server.url + "/api/v1/sql", data={"db": "db", "q": "SELECT count(*) AS n FROM m"})
    assert r.json()["rows"] == [[2]]
    r = requests.post(server.url + "/api/v1/sql?db=db", data="SELECT max(v) AS mx FROM m",
                      headers={"Content-Type": "application/sql"})
    assert r.json()["rows"] == [[1.5]] and r.json()["columns"] == [{"name": "mx", "type": "double"}]


def test_sql_statements_without_result(server):
    r = server.sql("CREATE TABLE t (ts timestamp, dev varchar TAG, x double)", db="new")
    assert r.status_code == 200, r.text
    assert r.json() == {"command": "CREATE TABLE", "rows_affected": 0}
    r = server.sql("INSERT INTO t (ts, dev, x) VALUES ('2016-01-01T00:00:00Z', 'a', 1.25), "
                   "('2016-01-01T00:00:01Z', 'b', -0.5)", db="new")
    assert r.json() == {"command": "INSERT 0 2", "rows_affected": 2}
    assert server.rows("SELECT dev, x FROM t ORDER BY dev", db="new") == [["a", 1.25], ["b", -0.5]]


def test_sql_streams_a_large_result(server):
    n = 60000
    lines = "".join("big,h=h%d v=%di,w=%d.5 %d\n" % (i % 7, i, i, T0 * 10**9 + i) for i in range(n))
    assert server.write(lines).status_code == 204
    r = server.sql("SELECT v, w, h FROM big ORDER BY v")
    assert r.status_code == 200
    assert r.headers.get("Transfer-Encoding") == "chunked"
    j = r.json()
    assert j["row_count"] == n and len(j["rows"]) == n
    assert all(row == [i, i + 0.5, "h%d" % (i % 7)] for i, row in enumerate(j["rows"]))
    r = server.sql("SELECT v FROM big ORDER BY v", fmt="csv")
    assert r.text == "v\n" + "".join("%d\n" % i for i in range(n))


def test_client_leaving_mid_stream(server):
    n = 100000
    lines = "".join("big,h=a v=%di %d\n" % (i, i + 1) for i in range(n))
    assert server.write(lines).status_code == 204
    for _ in range(3):
        s = socket.create_connection(("127.0.0.1", server.http_port))
        s.sendall(b"GET /api/v1/sql?db=db&q=SELECT+*+FROM+big+CROSS+JOIN+big+AS+b2+LIMIT+3000000 "
                  b"HTTP/1.1\r\nHost: x\r\n\r\n")
        s.recv(1000)
        s.close()
    assert server.rows("SELECT count(*) FROM big") == [[n]]


def test_metrics(server):
    server.write("m,h=a v=1 1\nm,h=b v=2 2\nbad\n")
    server.sql("SELECT * FROM m")
    r = requests.get(server.url + "/metrics")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/plain; version=0.0.4"
    vals = {}
    for line in r.text.splitlines():
        if line and not line.startswith("#"):
            k, v = line.rsplit(" ", 1)
            vals[k] = float(v)
    assert vals["stele_rows_ingested_total"] == 2
    assert vals["stele_values_ingested_total"] == 2
    assert vals["stele_lines_rejected_total"] == 1
    assert vals["stele_write_requests_total"] == 1
    assert vals["stele_queries_total"] == 1
    assert vals["stele_series"] == 2
    assert vals["stele_wal_fsync_seconds_count"] >= 1
    assert vals["stele_query_duration_seconds_count"] == 1
    assert vals['stele_query_duration_seconds_bucket{le="+Inf"}'] == 1
    assert vals["stele_http_connections"] >= 1
    assert vals["stele_memory_resident_bytes"] > 0
    for name in ["stele_flushes_total", "stele_compactions_total", "stele_memtable_bytes"]:
        assert name in vals


def test_body_limit_and_gzip_bomb(make_server):
    s = make_server(args=["--max-body", "64K"], pg=False)
    r = s.write("m v=1 1\n" * 10000)   # 80 KB
    assert r.status_code == 413
    bomb = gzip.compress(b"m v=1 1\n" * 100000)   # 800 KB inflated, small on the wire
    r = s.write(bomb, headers={"Content-Encoding": "gzip"})
    assert r.status_code == 413
    assert "after decompression" in r.json()["error"]
    assert s.write("m v=1 1\n").status_code == 204


def test_line_limit(make_server):
    s = make_server(args=["--max-line", "300"], pg=False)
    long = "m,h=x v=1,s=\"%s\" 2\n" % ("y" * 400)
    r = s.write("m,h=a v=1 1\n" + long + "m,h=b v=3 3\n")
    assert r.status_code == 400
    assert r.json()["error"] == ("partial write: line 2: line is longer than the limit of 300 bytes "
                                 "(max-line) (1 line rejected, 2 written)")
    assert s.rows("SELECT h, v FROM m ORDER BY h") == [["a", 1], ["b", 3]]


def test_connection_limit(make_server):
    s = make_server(args=["--max-connections", "3"], pg=False)
    sessions = [requests.Session() for _ in range(3)]
    for x in sessions:
        assert x.get(s.url + "/ping").status_code == 204
    r = requests.get(s.url + "/ping")
    assert r.status_code == 503
    assert r.json() == {"error": "too many connections (max-connections)"}
    for x in sessions:
        x.close()
    deadline = time.time() + 10
    while time.time() < deadline:
        if requests.get(s.url + "/ping").status_code == 204:
            break
        time.sleep(0.05)
    else:
        pytest.fail("connections were not released")


def test_idle_timeout(make_server):
    s = make_server(args=["--idle-timeout", "1s"], pg=False)
    c = socket.create_connection(("127.0.0.1", s.http_port))
    c.settimeout(10)
    t = time.time()
    assert c.recv(100) == b""       # closed by the server
    assert time.time() - t < 8
    c.close()


def test_overload_answers_503_with_retry_after(make_server):
    s = make_server(args=["--max-pending", "1M", "--workers", "1"], pg=False)
    body = "".join("m,h=h%d v=%d %d\n" % (i % 50, i, i + 1) for i in range(150000))
    results = []

    def post():
        r = requests.post(s.url + "/write", params={"db": "db"}, data=body)
        results.append((r.status_code, r.headers.get("Retry-After"), r.text))

    ts = [threading.Thread(target=post) for _ in range(6)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    codes = sorted(c for c, _, _ in results)
    assert 204 in codes and 503 in codes, results
    for c, ra, text in results:
        assert c in (204, 503)
        if c == 503:
            assert ra == "1"
            assert json.loads(text) == {"error": "ingest is overloaded: retry later"}
    written = codes.count(204)
    assert s.rows("SELECT count(*) FROM m") == [[150000 if written else 0]]


def slow_query(table="big", n=3000):
    """A statement that runs for seconds: a cross join of n x n rows, sorted."""
    return ("SELECT count(*) FROM (SELECT a.v + b.v AS s FROM %s a CROSS JOIN %s b "
            "ORDER BY s DESC LIMIT 5) q" % (table, table))


def fill_big(s, n=3000):
    lines = "".join("big,h=a v=%di %d\n" % (i, i + 1) for i in range(n))
    assert s.write(lines).status_code == 204


def test_statement_timeout_and_query_memory(make_server):
    s = make_server(pg=False, args=["--statement-timeout", "200ms", "--query-memory", "64M"])
    fill_big(s)
    r = s.sql(slow_query())
    assert r.status_code == 400, r.text
    assert r.json() == {"error": {"message": "canceling statement due to statement timeout",
                                  "sqlstate": "57014"}}
    s2 = make_server(pg=False, args=["--query-memory", "1M"])
    fill_big(s2)
    r = s2.sql("SELECT count(*) FROM (SELECT a.v * 3000 + b.v AS k FROM big a CROSS JOIN big b "
               "GROUP BY k) q")
    assert r.status_code == 400, r.text
    assert r.json()["error"]["sqlstate"] == "53200"
    assert "memory limit" in r.json()["error"]["message"]
    assert s2.rows("SELECT count(*) FROM big") == [[3000]]


def test_slow_query_does_not_stall_writes(server):
    fill_big(server)
    done = threading.Event()
    result = {}

    def run():
        result["r"] = server.sql(slow_query())
        done.set()

    t = threading.Thread(target=run)
    t.start()
    time.sleep(0.2)
    writes = 0
    while not done.is_set() and writes < 50:
        assert server.write("w,h=x v=%di %d\n" % (writes, writes + 1)).status_code == 204
        assert requests.get(server.url + "/ping").status_code == 204
        writes += 1
    was_running = not done.is_set()
    t.join()
    assert result["r"].status_code == 200, result["r"].text
    assert was_running or writes >= 5, "the query ended before any write: make it slower"
    assert server.rows("SELECT count(*) FROM w") == [[writes]]


def test_dual_stack_listener(make_server):
    s = make_server(insecure=False, pg=False, start=False)
    tok = s.token("admin", admin=True)
    port = s.http_port
    s.http_port = None
    s.args = ["--http", "[::]:%d" % port]
    s.http_port = port
    cmd = s.command()
    # command() put --http 127.0.0.1:PORT first; the later [::] wins
    assert cmd[-2:] == ["--http", "[::]:%d" % port]
    s.start()
    h = {"Authorization": "Token " + tok}
    for host in ("127.0.0.1", "[::1]"):
        r = requests.post("http://%s:%d/write" % (host, port), params={"db": "d"},
                          data="m,h=%s v=1 1\n" % host.strip("[]"), headers=h)
        assert r.status_code == 204, (host, r.text)
    r = requests.get("http://[::1]:%d/api/v1/sql" % port, params={"db": "d", "q": "SELECT h FROM m ORDER BY h"},
                     headers=h)
    assert r.json()["rows"] == [["127.0.0.1"], ["::1"]]


def curl(*args, data=None):
    r = subprocess.run(["curl", "-sS", "-o", "-", "-w", "\n%{http_code}"] + list(args),
                       input=data, capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr
    body, _, code = r.stdout.rpartition(b"\n")
    return int(code), body


def test_curl_writes(server):
    """The write paths as curl sends them: plain and gzip bodies, v1 and v2,
    each precision, and a partial failure."""
    lp = b"cu,k=a v=1i 1451606400\ncu,k=b v=2i 1451606401\n"
    code, body = curl("-XPOST", "--data-binary", "@-", server.url + "/write?db=c&precision=s",
                      data=lp)
    assert (code, body) == (204, b"")
    code, _ = curl("-XPOST", "-H", "Content-Encoding: gzip", "--data-binary", "@-",
                   server.url + "/api/v2/write?bucket=c&org=o&precision=ms",
                   data=gzip.compress(b"cu,k=c v=3i 1451606402000\n"))
    assert code == 204
    for prec, ts in (("us", b"1451606403000000"), ("ns", b"1451606404000000000")):
        code, _ = curl("-XPOST", "--data-binary", "@-",
                       server.url + "/api/v2/write?bucket=c&precision=" + prec,
                       data=b"cu,k=d" + prec.encode() + b" v=4i " + ts + b"\n")
        assert code == 204
    code, body = curl("-XPOST", "--data-binary", "@-", server.url + "/write?db=c",
                      data=b"cu,k=e v=5i 1451606405000000000\ncu,k=f v=oops 1\n")
    assert code == 400
    assert json.loads(body)["error"].startswith("partial write: line 2: ")
    code, body = curl("-G", server.url + "/api/v1/sql", "--data-urlencode", "db=c",
                      "--data-urlencode", "q=SELECT ts, k, v FROM cu ORDER BY ts", "-H",
                      "Accept: text/csv")
    assert code == 200
    assert body.decode() == ("ts,k,v\n2016-01-01 00:00:00,a,1\n2016-01-01 00:00:01,b,2\n"
                             "2016-01-01 00:00:02,c,3\n2016-01-01 00:00:03,dus,4\n"
                             "2016-01-01 00:00:04,dns,4\n2016-01-01 00:00:05,e,5\n")


def test_config_file(make_server, tmp_path):
    s = make_server(pg=False, start=False)
    conf = tmp_path / "stele.conf"
    conf.write_text("# a test configuration\n"
                    "http = 127.0.0.1:%d\n"
                    "pg = off\n"
                    "insecure = true\n"
                    "max-body = \"2K\"   # quoted value, trailing comment\n"
                    "\n"
                    "sync = interval=50ms\n" % s.http_port)
    s.args = []
    s.insecure = False
    cmd = [STELE_BIN, "serve", "--data", s.data, "--config", str(conf)]
    s.command = lambda: cmd
    s.start()
    assert s.write("m v=1 1\n").status_code == 204
    assert s.write("m v=1 1\n" * 400).status_code == 413      # max-body from the file
    s.stop()
    # the command line wins over the file
    cmd.extend(["--max-body", "1M"])
    s.start()
    assert s.write("m v=1 1\n" * 400).status_code == 204
    s.stop()
    bad = tmp_path / "bad.conf"
    bad.write_text("http = 127.0.0.1:1\nmax-bodyy = 3\n")
    r = subprocess.run([STELE_BIN, "serve", "--data", s.data, "--config", str(bad)],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 2
    assert "bad.conf:2: unknown option \"max-bodyy\"" in r.stderr
    bad.write_text("just words\n")
    r = subprocess.run([STELE_BIN, "serve", "--data", s.data, "--config", str(bad)],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "bad.conf:1: expected \"name = value\"" in r.stderr
