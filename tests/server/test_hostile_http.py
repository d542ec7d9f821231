"""Hostile input on the HTTP port: random bytes, truncated and oversized
requests, bad chunking, slow clients, many connections at once. Each gets
an error or is closed; the server keeps serving everyone else and exits 0
(under ASan: with no memory error and no leak)."""
import random
import socket
import threading
import time

import pytest
import requests


@pytest.fixture
def server(make_server):
    s = make_server(pg=False, args=["--idle-timeout", "3s", "--max-body", "1M"])
    assert s.write("m,h=a v=1 1\n").status_code == 204
    return s


def still_serves(s):
    assert requests.get(s.url + "/ping", timeout=30).status_code == 204
    assert s.rows("SELECT h, v FROM m") == [["a", 1]]


def exchange(s, data, wait=2.0, half_close=True, until=None):
    """Sends data, returns what the server answered before closing (or wait s)."""
    c = socket.create_connection(("127.0.0.1", s.http_port), timeout=wait)
    got = b""
    try:
        c.sendall(data)
        if half_close:
            c.shutdown(socket.SHUT_WR)
        while until is None or not until(got):
            b = c.recv(65536)
            if not b:
                break
            got += b
    except OSError:
        pass
    finally:
        c.close()
    return got


def test_random_bytes(server):
    rng = random.Random(7)
    for i in range(60):
        n = rng.choice([1, 7, 100, 1000, 20000])
        data = bytes(rng.getrandbits(8) for _ in range(n))
        if i % 3 == 0:
            data = b"POST /write?db=db HTTP/1.1\r\n" + data
        got = exchange(server, data, wait=1.0)
        assert got == b"" or got.startswith(b"HTTP/1.1 4"), got[:200]
    still_serves(server)


@pytest.mark.parametrize("req", [
    b"GET /ping HTTP/1.1\r\nHost: x\r\n",                                   # headers never end
    b"POST /write?db=db HTTP/1.1\r\nContent-Length: 100\r\n\r\nm v=1",       # body cut short
    b"POST /write?db=db HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n",
    b"POST /write?db=db HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nabc",
    b"POST /write?db=db HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
    b"POST /write?db=db HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
    b"GET /ping HTTP/9.9\r\n\r\n",
    b"BREW /ping HTTP/1.1\r\n\r\n",
    b"GET " + b"/" * 100000 + b" HTTP/1.1\r\n\r\n",
    b"GET /ping HTTP/1.1\r\n" + b"X-A: " + b"a" * 100000 + b"\r\n\r\n",
    b"GET /api/v1/sql?db=db&q=%ZZ HTTP/1.1\r\n\r\n",
    b"GET /api/v1/sql?db=db&q=SELECT%00 HTTP/1.1\r\n\r\n",
    b"POST /api/v1/sql?db=db HTTP/1.1\r\nContent-Length: 3\r\n\r\na\x00b",
])
def test_malformed_requests(server, req):
    got = exchange(server, req, wait=5.0)
    assert got == b"" or got.startswith(b"HTTP/1.1 4") or got.startswith(b"HTTP/1.1 501"), got[:300]
    still_serves(server)


def test_oversized_body(server):
    # the server reads the whole claimed body (so the client is not reset
    # before it reads the answer), then answers 413
    got = exchange(server, b"POST /write?db=db HTTP/1.1\r\nContent-Length: 4000000\r\n\r\n" +
                   b"m v=1 1\n" * 500000, wait=10.0, half_close=False,
                   until=lambda g: b"\r\n\r\n" in g)
    assert got.startswith(b"HTTP/1.1 413"), got[:200]
    # with the whole body sent, over HTTP
    r = requests.post(server.url + "/write", params={"db": "db"}, data=b"m v=1 1\n" * 200000)
    assert r.status_code == 413
    still_serves(server)


def test_slow_client_does_not_stall_others(server):
    done = threading.Event()

    def slow():
        c = socket.create_connection(("127.0.0.1", server.http_port))
        try:
            for ch in b"POST /write?db=db HTTP/1.1\r\nContent-Length: 20\r\n\r\n":
                c.send(bytes([ch]))
                time.sleep(0.05)
                if done.is_set():
                    break
        except OSError:
            pass
        finally:
            c.close()

    t = threading.Thread(target=slow)
    t.start()
    try:
        for i in range(20):
            assert server.write("m,h=a v=1 1\n").status_code == 204
            still_serves(server)
    finally:
        done.set()
        t.join()


def test_many_connections_at_once(server):
    socks = []
    try:
        for _ in range(300):
            socks.append(socket.create_connection(("127.0.0.1", server.http_port)))
        # half of them send a request
        for c in socks[::2]:
            c.sendall(b"GET /ping HTTP/1.1\r\nHost: x\r\n\r\n")
        for c in socks[::2]:
            c.settimeout(30)
            assert c.recv(100).startswith(b"HTTP/1.1 204")
        still_serves(server)
    finally:
        for c in socks:
            c.close()
    still_serves(server)


def test_pipelined_requests(server):
    bodies = [b"p,h=b v=%di %d\n" % (i, i + 1) for i in range(20)]
    reqs = b"".join(b"POST /write?db=db HTTP/1.1\r\nContent-Length: %d\r\n\r\n%s" % (len(b), b)
                    for b in bodies)
    got = exchange(server, reqs + b"GET /ping HTTP/1.1\r\n\r\n", wait=10.0, half_close=False,
                   until=lambda g: g.count(b"HTTP/1.1 204") == 21)
    assert got.count(b"HTTP/1.1 204") == 21, got[:500]
    assert server.rows("SELECT count(*) FROM p") == [[20]]
