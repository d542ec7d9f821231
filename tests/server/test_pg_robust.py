"""The PostgreSQL port under hostile and unusual clients: random bytes,
lengths of 2^31, truncated messages, unknown message types, bad protocol
versions, many connections, the connection limit, a client that sends one
byte per 100 ms, idle sessions; cancellation of a running query; large
results through the output bound; shutdown with idle and busy sessions.
After each, the server must still serve a normal client.

Run: STELE=build-asan/stele /usr/bin/python3 -m pytest -q tests/server/test_pg_robust.py
"""
import random
import signal
import socket
import struct
import threading
import time

import psycopg2
import psycopg2.errors
import pytest


def dsn(s, db="db", user="tester"):
    return "host=127.0.0.1 port=%d dbname=%s user=%s connect_timeout=10" % (s.pg_port, db, user)


def healthy(s):
    with psycopg2.connect(dsn(s)) as conn:
        cur = conn.cursor()
        cur.execute("SELECT 40 + 2")
        assert cur.fetchall() == [(42,)]
    conn.close()


def startup(user=b"tester", db=b"db", version=196608):
    body = struct.pack("!I", version) + b"user\0" + user + b"\0database\0" + db + b"\0\0"
    return struct.pack("!I", len(body) + 4) + body


def msg(t, body=b""):
    return t + struct.pack("!I", len(body) + 4) + body


def read_all(sock, timeout=10):
    """Everything the server sends until it closes the connection."""
    sock.settimeout(timeout)
    data = b""
    try:
        while True:
            d = sock.recv(65536)
            if not d:
                return data
            data += d
    except (ConnectionResetError, BrokenPipeError):
        return data


def messages(data):
    out = []
    while len(data) >= 5:
        n = struct.unpack("!I", data[1:5])[0]
        out.append((data[0:1], data[5:1 + n]))
        data = data[1 + n:]
    return out


def error_fields(body):
    f = {}
    for part in body.split(b"\0"):
        if part:
            f[part[0:1].decode()] = part[1:].decode()
    return f


def connect_raw(s):
    sock = socket.create_connection(("127.0.0.1", s.pg_port), timeout=10)
    return sock


def authed_raw(s):
    sock = connect_raw(s)
    sock.sendall(startup())
    data = b""
    while not data.endswith(b"Z\0\0\0\5I"):
        d = sock.recv(65536)
        assert d, data
        data += d
    return sock


@pytest.fixture
def srv(make_server):
    s = make_server()
    assert s.write("cpu,host=a usage=1 1000000000\n").status_code == 204
    return s


def test_random_bytes(srv):
    rng = random.Random(1234)
    for i in range(20):
        sock = connect_raw(srv)
        blob = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 4096)))
        try:
            sock.sendall(blob)
            read_all(sock)
        except OSError:
            pass
        sock.close()
    # And after a valid startup.
    for i in range(20):
        sock = authed_raw(srv)
        blob = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 4096)))
        try:
            sock.sendall(blob)
            sock.shutdown(socket.SHUT_WR)
            read_all(sock)
        except OSError:
            pass
        sock.close()
    healthy(srv)


def test_huge_lengths(srv):
    sock = connect_raw(srv)
    sock.sendall(struct.pack("!I", 2 ** 31) + b"\0\3\0\0")
    m = messages(read_all(sock))
    assert m[0][0] == b"E"
    f = error_fields(m[0][1])
    assert (f["S"], f["C"], f["M"]) == ("FATAL", "08P01", "invalid length of startup packet")
    sock.close()
    # A message claiming 2 GiB after authentication: refused at its header.
    sock = authed_raw(srv)
    sock.sendall(b"Q" + struct.pack("!I", 2 ** 31) + b"SELECT 1")
    m = messages(read_all(sock))
    f = error_fields(m[-1][1])
    assert (f["S"], f["C"]) == ("FATAL", "08P01")
    assert "exceeds the limit" in f["M"]
    sock.close()
    # Shorter than its own header.
    sock = authed_raw(srv)
    sock.sendall(b"Q" + struct.pack("!I", 2))
    f = error_fields(messages(read_all(sock))[-1][1])
    assert f["C"] == "08P01" and f["M"] == "invalid message length 2"
    sock.close()
    healthy(srv)


def test_truncated_and_malformed(srv):
    # A startup packet cut short, then the client goes away.
    sock = connect_raw(srv)
    sock.sendall(startup()[:11])
    sock.close()
    # A Query cut short.
    sock = authed_raw(srv)
    sock.sendall(b"Q" + struct.pack("!I", 100) + b"SELECT")
    sock.close()
    # A Query without its terminating NUL: an error, the session goes on.
    sock = authed_raw(srv)
    sock.sendall(b"Q" + struct.pack("!I", 12) + b"SELECT 1" + msg(b"Q", b"SELECT 2\0"))
    data = b""
    while data.count(b"Z\0\0\0\5I") < 2:
        d = sock.recv(65536)
        assert d
        data += d
    m = messages(data)
    assert m[0][0] == b"E" and error_fields(m[0][1])["M"] == "invalid message format"
    assert [k for k, _ in m[1:]] == [b"Z", b"T", b"D", b"C", b"Z"]
    # A Bind whose parameter count promises more than the message holds.
    sock.sendall(msg(b"P", b"\0SELECT $1\0\0\0") +
                 msg(b"B", b"\0\0\0\0\xff\xff") + msg(b"S"))
    data = b""
    while not data.endswith(b"Z\0\0\0\5I"):
        d = sock.recv(65536)
        assert d
        data += d
    m = messages(data)
    assert [k for k, _ in m] == [b"1", b"E", b"Z"]
    assert error_fields(m[1][1])["C"] == "08P01"
    sock.close()
    healthy(srv)


def test_unknown_message_and_protocol(srv):
    sock = authed_raw(srv)
    sock.sendall(msg(b"~", b"xyz"))
    f = error_fields(messages(read_all(sock))[-1][1])
    assert (f["S"], f["C"], f["M"]) == ("FATAL", "08P01", "invalid frontend message type 126")
    sock.close()
    for version, text in [(0x00020000, "2.0"), (0x00040000, "4.0"), (0x00010000, "1.0")]:
        sock = connect_raw(srv)
        sock.sendall(startup(version=version))
        f = error_fields(messages(read_all(sock))[0][1])
        assert f["C"] == "0A000"
        assert f["M"] == "unsupported frontend protocol %s: server supports 3.0 to 3.0" % text
        sock.close()
    # A later 3.x: served as 3.0, with NegotiateProtocolVersion.
    sock = connect_raw(srv)
    body = struct.pack("!I", 0x00030002) + b"user\0x\0_pq_.frob\0on\0\0"
    sock.sendall(struct.pack("!I", len(body) + 4) + body)
    data = b""
    while not data.endswith(b"Z\0\0\0\5I"):
        d = sock.recv(65536)
        assert d
        data += d
    m = messages(data)
    assert m[0] == (b"v", struct.pack("!II", 0, 1) + b"_pq_.frob\0")
    assert m[1] == (b"R", struct.pack("!I", 0))
    sock.close()
    # No user name.
    sock = connect_raw(srv)
    body = struct.pack("!I", 196608) + b"database\0db\0\0"
    sock.sendall(struct.pack("!I", len(body) + 4) + body)
    f = error_fields(messages(read_all(sock))[0][1])
    assert (f["C"], f["M"]) == ("28000", "no PostgreSQL user name specified in startup packet")
    sock.close()
    healthy(srv)


def test_many_connections(srv):
    errors = []

    def client(i):
        try:
            with psycopg2.connect(dsn(srv)) as conn:
                cur = conn.cursor()
                cur.execute("SELECT %s + 1", (i,))
                assert cur.fetchall() == [(i + 1,)]
            conn.close()
        except Exception as e:   # noqa: BLE001 - collected for the assertion
            errors.append(repr(e))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(100)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    # Many raw sockets that say nothing, then go.
    socks = [connect_raw(srv) for _ in range(200)]
    healthy(srv)
    for sk in socks:
        sk.close()
    healthy(srv)


def test_connection_limit(make_server):
    s = make_server(args=["--max-connections", "3"])
    held = [psycopg2.connect(dsn(s)) for _ in range(3)]
    with pytest.raises(psycopg2.OperationalError) as e:
        psycopg2.connect(dsn(s))
    assert "sorry, too many clients already" in str(e.value)
    held.pop().close()
    deadline = time.time() + 10
    while True:
        try:
            healthy(s)
            break
        except psycopg2.OperationalError:
            assert time.time() < deadline
            time.sleep(0.05)
    for c in held:
        c.close()


def test_slow_client(make_server):
    """One byte per 100 ms: others are served meanwhile, and the slow one
    is cut off at the authentication deadline (the idle timeout here)."""
    s = make_server(args=["--idle-timeout", "2s"])
    sock = connect_raw(s)
    packet = startup(user=b"slowpoke" * 4)
    t0 = time.time()
    closed_at = None
    sent = 0
    got = b""
    sock.settimeout(0.1)
    while time.time() - t0 < 8:
        if sent < len(packet):
            try:
                sock.sendall(packet[sent:sent + 1])
                sent += 1
            except OSError:
                closed_at = time.time()
                break
        try:
            d = sock.recv(4096)
            if not d:
                closed_at = time.time()
                break
            got += d
        except socket.timeout:
            pass
        if sent == 10:
            healthy(s)      # served while the slow one trickles
    assert closed_at is not None, "the slow client was never cut off"
    assert closed_at - t0 < 6
    m = messages(got)
    if m:
        assert error_fields(m[0][1])["M"] == "canceling authentication due to timeout"
    sock.close()
    healthy(s)


def test_idle_timeout(make_server):
    s = make_server(args=["--idle-timeout", "1s"])
    conn = psycopg2.connect(dsn(s))
    conn.autocommit = True
    conn.cursor().execute("SELECT 1")
    time.sleep(2.5)
    with pytest.raises(psycopg2.OperationalError) as e:
        conn.cursor().execute("SELECT 1")
    assert "idle-session timeout" in str(e.value) or "closed" in str(e.value)
    conn.close()
    healthy(s)


def load_big(s, hosts, points):
    lines = ["big,host=h%d v=%di %d" % (h, i, (i + 1) * 1000000000)
             for h in range(hosts) for i in range(points)]
    assert s.write("\n".join(lines) + "\n").status_code == 204


def test_cancel(srv):
    load_big(srv, 10, 1000)
    conn = psycopg2.connect(dsn(srv))
    conn.autocommit = True
    cur = conn.cursor()
    timer = threading.Timer(0.5, conn.cancel)
    timer.start()
    t0 = time.time()
    with pytest.raises(psycopg2.errors.QueryCanceled) as e:
        cur.execute("SELECT count(*) FROM big a CROSS JOIN big b CROSS JOIN big c")
    timer.join()
    assert e.value.pgcode == "57014"
    assert str(e.value).startswith("canceling statement due to user request")
    assert time.time() - t0 < 30
    cur.execute("SELECT count(*) FROM big")
    assert cur.fetchall() == [(10000,)]
    # A cancel with a wrong key does nothing.
    c2 = psycopg2.connect(dsn(srv))
    sock = connect_raw(srv)
    sock.sendall(struct.pack("!IIII", 16, 80877102, 1, 2))
    assert read_all(sock) == b""
    c2.close()
    conn.close()
    healthy(srv)


def test_large_result_through_output_bound(srv):
    load_big(srv, 10, 1000)
    conn = psycopg2.connect(dsn(srv))
    cur = conn.cursor()
    cur.execute("SELECT a.v, b.host FROM big a CROSS JOIN big b WHERE b.v < 40")
    n = 0
    total = 0
    while True:
        rows = cur.fetchmany(50000)
        if not rows:
            break
        n += len(rows)
        total += sum(r[0] for r in rows)
    assert n == 10000 * 400
    assert total == 400 * 10 * sum(range(1000))
    conn.close()
    # A client that stops reading a big result and goes away.
    sock = authed_raw(srv)
    sock.sendall(msg(b"Q", b"SELECT a.v, b.v FROM big a CROSS JOIN big b\0"))
    time.sleep(0.5)
    sock.close()
    healthy(srv)


def test_shutdown_with_idle_session(make_server):
    s = make_server()
    conn = psycopg2.connect(dsn(s))
    conn.autocommit = True
    conn.cursor().execute("SELECT 1")
    t0 = time.time()
    assert s.stop() == 0
    assert time.time() - t0 < 10
    with pytest.raises(psycopg2.OperationalError) as e:
        conn.cursor().execute("SELECT 1")
    assert "terminating connection due to administrator command" in str(e.value) or \
        "closed" in str(e.value)
    conn.close()


def test_shutdown_finishes_running_statement(make_server):
    s = make_server()
    load_big(s, 5, 1000)
    conn = psycopg2.connect(dsn(s))
    conn.autocommit = True
    result = {}

    def run():
        cur = conn.cursor()
        try:
            cur.execute("SELECT count(*) FROM big a CROSS JOIN big b "
                        "WHERE (a.v * 7 + b.v) % 13 = 3")
            result["rows"] = cur.fetchall()
        except Exception as e:   # noqa: BLE001 - checked below
            result["error"] = e

    t = threading.Thread(target=run)
    t.start()
    time.sleep(0.3)
    s.proc.send_signal(signal.SIGTERM)
    t.join(120)
    assert s.proc.wait(120) == 0
    assert result.get("rows") == [(1923075,)], result
    conn.close()


def test_max_line(make_server):
    s = make_server(args=["--max-line", "1K"])
    with psycopg2.connect(dsn(s)) as conn:
        cur = conn.cursor()
        cur.execute("SELECT '%s' AS x" % ("a" * 900))
        assert cur.fetchall() == [("a" * 900,)]
    conn.close()
    # psql shows the FATAL before the connection ends (psycopg2 keeps only
    # the latter).
    import subprocess
    r = subprocess.run(["psql", "-X", "-h", "127.0.0.1", "-p", str(s.pg_port), "-U", "tester",
                        "-d", "db", "-c", "SELECT '%s' AS x" % ("a" * 2000)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert r.stderr.startswith("FATAL:  message of 2015 bytes (type 'Q') exceeds the limit of "
                               "1024 bytes (--max-line)\n"), r.stderr
    healthy(s)


def metric(s, name):
    import requests
    text = requests.get(s.url + "/metrics", timeout=10).text
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError("no metric " + name)


def test_metrics(srv):
    before = {n: metric(srv, n) for n in ["stele_pg_connections_total", "stele_queries_total",
                                          "stele_query_errors_total"]}
    conn = psycopg2.connect(dsn(srv))
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("SELECT 1")
    with pytest.raises(psycopg2.Error):
        cur.execute("SELECT nope")
    assert metric(srv, "stele_pg_connections") == 1
    assert metric(srv, "stele_pg_connections_total") == before["stele_pg_connections_total"] + 1
    assert metric(srv, "stele_queries_total") >= before["stele_queries_total"] + 1
    assert metric(srv, "stele_query_errors_total") == before["stele_query_errors_total"] + 1
    conn.close()
    deadline = time.time() + 10
    while metric(srv, "stele_pg_connections") != 0:
        assert time.time() < deadline
        time.sleep(0.05)
