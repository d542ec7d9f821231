"""Tokens and TLS: the authorization matrix (every role x every endpoint x
read/write), every way of presenting a token, denials that do not reveal
whether a database exists, refusing to start without tokens, TLS 1.2+."""
import base64
import os
import socket
import ssl
import subprocess

import pytest
import requests

from conftest import STELE

ROLES = {
    # name: (read, write, admin)
    "admin": ((), (), True),
    "reader": (("db1",), (), False),
    "writer": ((), ("db1",), False),
    "rw": (("db1",), ("db1",), False),
    "other": (("db2",), ("db2",), False),
    "star": (("*",), (), False),
}


def may(role, need, db):
    read, write, admin = ROLES[role]
    if admin:
        return True
    ok_r = "*" in read or db in read
    ok_w = "*" in write or db in write
    return {"read": ok_r, "write": ok_w, "readwrite": ok_r and ok_w, "any": True}[need]


@pytest.fixture
def secured(make_server):
    s = make_server(insecure=False, pg=False, start=False)
    toks = {name: s.token(name, read=r, write=w, admin=a) for name, (r, w, a) in ROLES.items()}
    s.start()
    # db1 and db2 exist, with a table each
    for db in ("db1", "db2"):
        r = requests.post(s.url + "/write", params={"db": db}, data="m,h=a v=1 1\n",
                          headers={"Authorization": "Token " + toks["admin"]})
        assert r.status_code == 204
    return s, toks


# endpoint: (method, path, params, body, need)
ENDPOINTS = {
    "write_v1": ("POST", "/write", {"db": "{db}"}, "m,h=z v=2 2\n", "write"),
    "write_v2": ("POST", "/api/v2/write", {"bucket": "{db}", "org": "x"}, "m,h=y v=3 3\n", "write"),
    "sql_select": ("GET", "/api/v1/sql", {"db": "{db}", "q": "SELECT count(*) FROM m"}, None, "read"),
    "sql_insert": ("POST", "/api/v1/sql", {"db": "{db}"},
                   "INSERT INTO m (ts, h, v) VALUES ('2016-01-01T00:00:00Z', 'q', 4)", "readwrite"),
    "sql_create": ("GET", "/api/v1/sql", {"db": "{db}", "q": "CREATE TABLE IF NOT EXISTS t2 "
                                         "(ts timestamp, x double)"}, None, "readwrite"),
    "metrics": ("GET", "/metrics", {}, None, "any"),
}


def call(s, ep, db, headers):
    method, path, params, body, _ = ENDPOINTS[ep]
    params = {k: v.format(db=db) for k, v in params.items()}
    return requests.request(method, s.url + path, params=params, data=body, headers=headers,
                            timeout=30)


@pytest.mark.parametrize("ep", sorted(ENDPOINTS))
def test_matrix(secured, ep):
    s, toks = secured
    need = ENDPOINTS[ep][4]
    for role in ROLES:
        for db in ("db1", "db2"):
            r = call(s, ep, db, {"Authorization": "Token " + toks[role]})
            if may(role, need, db):
                assert r.status_code in (200, 204), (role, ep, db, r.status_code, r.text)
            else:
                assert r.status_code == 403, (role, ep, db, r.status_code, r.text)
                msg = r.json()["error"]
                if isinstance(msg, dict):
                    msg = msg["message"]
                verb = "read" if need == "read" or (need == "readwrite" and not may(role, "read", db)) else "write to"
                assert msg == 'token "%s" may not %s database "%s"' % (role, verb, db)
    # without a token, and with a wrong one
    for headers in ({}, {"Authorization": "Token stl_nope"}):
        r = call(s, ep, "db1", headers)
        assert r.status_code == 401, (ep, r.text)
        assert r.headers["WWW-Authenticate"] == 'Token realm="stele"'


def test_ping_and_health_need_no_token(secured):
    s, _ = secured
    assert requests.get(s.url + "/ping").status_code == 204
    assert requests.get(s.url + "/health").status_code == 200


def test_every_way_to_present_a_token(secured):
    s, toks = secured
    t = toks["rw"]
    ways = [
        ({"Authorization": "Token " + t}, {}),
        ({"Authorization": "Bearer " + t}, {}),
        ({"Authorization": "Basic " + base64.b64encode(("rw:" + t).encode()).decode()}, {}),
        ({}, {"u": "rw", "p": t}),
    ]
    for headers, extra in ways:
        r = requests.post(s.url + "/write", params=dict(db="db1", **extra), data="m,h=w v=9 9\n",
                          headers=headers)
        assert r.status_code == 204, (headers, extra, r.text)
    r = requests.post(s.url + "/write", params={"db": "db1"}, data="m v=1 1\n",
                      headers={"Authorization": "Digest abc"})
    assert r.status_code == 401
    assert r.json() == {"error": "unsupported Authorization scheme (use Token, Bearer or Basic)"}
    r = requests.post(s.url + "/write", params={"db": "db1"}, data="m v=1 1\n",
                      headers={"Authorization": "Basic !!!"})
    assert r.status_code == 401


def test_denial_does_not_reveal_existence(secured):
    s, toks = secured
    h = {"Authorization": "Token " + toks["other"]}
    for ep in ("sql_select", "write_v1"):
        a = call(s, ep, "db1", h)          # exists
        b = call(s, ep, "nosuchdb", h)     # does not
        assert a.status_code == b.status_code == 403
        assert a.text.replace("db1", "X") == b.text.replace("nosuchdb", "X")
    # and a reader of a missing database learns only that it is missing
    r = call(s, "sql_select", "nosuchdb", {"Authorization": "Token " + toks["star"]})
    assert r.status_code == 404


def test_writer_creates_database_on_first_write(secured):
    s, toks = secured
    r = requests.post(s.url + "/write", params={"db": "fresh"}, data="m v=1 1\n",
                      headers={"Authorization": "Token " + toks["admin"]})
    assert r.status_code == 204
    assert os.path.isdir(os.path.join(s.data, "fresh"))
    # a reader's query does not create one
    r = call(s, "sql_select", "fresh2", {"Authorization": "Token " + toks["star"]})
    assert r.status_code == 404
    assert not os.path.exists(os.path.join(s.data, "fresh2"))


def test_token_created_while_running_works_at_once(secured):
    s, _ = secured
    t = s.token("late", read=["db1"])
    r = requests.get(s.url + "/api/v1/sql", params={"db": "db1", "q": "SELECT count(*) FROM m"},
                     headers={"Authorization": "Token " + t})
    assert r.status_code == 200 and r.json()["rows"] == [[1]]


def test_token_file_keeps_only_hashes(secured):
    s, toks = secured
    text = open(os.path.join(s.data, ".tokens")).read()
    for t in toks.values():
        assert t not in text and t[4:] not in text
    assert oct(os.stat(os.path.join(s.data, ".tokens")).st_mode & 0o777) == "0o600"


def test_token_cli_errors(tmp_path):
    d = str(tmp_path / "d")
    r = subprocess.run([STELE, "token", "create", "--data", d, "--name", "x"], capture_output=True,
                       text=True)
    assert r.returncode == 2
    assert "a token needs --read, --write or --admin" in r.stderr
    r = subprocess.run([STELE, "token", "create", "--data", d, "--name", "x", "--read", "a b"],
                       capture_output=True, text=True)
    assert r.returncode == 3 and 'invalid database name "a b"' in r.stderr
    r = subprocess.run([STELE, "token", "create", "--data", d, "--name", "x", "--admin"],
                       capture_output=True, text=True)
    assert r.returncode == 0
    r = subprocess.run([STELE, "token", "create", "--data", d, "--name", "x", "--admin"],
                       capture_output=True, text=True)
    assert r.returncode == 3 and 'a token named "x" exists already' in r.stderr


def test_refuses_to_start_without_tokens(tmp_path):
    d = str(tmp_path / "d")
    r = subprocess.run([STELE, "serve", "--data", d, "--http", "127.0.0.1:0", "--pg", "off"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 3
    assert "no access token is configured" in r.stderr
    r = subprocess.run([STELE, "serve", "--data", d, "--http", "10.1.2.3:0", "--pg", "off",
                        "--insecure"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 3
    assert "--insecure listens on loopback only" in r.stderr


def test_insecure_listens_on_loopback_only(make_server):
    s = make_server(pg=False, start=False)
    s.args = []
    port = s.http_port
    s.http_port = port
    s.start()
    out = subprocess.run(["ss", "-ltnH", "sport = :%d" % port], capture_output=True, text=True)
    if out.returncode == 0 and out.stdout.strip():
        for line in out.stdout.splitlines():
            local = line.split()[3]
            assert local.startswith("127.0.0.1:") or local.startswith("[::1]:"), local


@pytest.fixture(scope="module")
def cert(tmp_path_factory):
    d = tmp_path_factory.mktemp("tls")
    key, crt = str(d / "key.pem"), str(d / "cert.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", crt, "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True)
    return crt, key


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_tls(make_server, cert):
    s = make_server(insecure=False, pg=False, tls=cert, start=False)
    t = s.token("admin", admin=True)
    s.start()
    h = {"Authorization": "Token " + t}
    r = requests.post(s.url + "/write", params={"db": "d"}, data="m v=1.5 1\n", headers=h,
                      verify=cert[0])
    assert r.status_code == 204
    r = requests.get(s.url + "/api/v1/sql", params={"db": "d", "q": "SELECT v FROM m"}, headers=h,
                     verify=cert[0])
    assert r.json()["rows"] == [[1.5]]
    # plain HTTP on the TLS port gets no answer
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get("http://127.0.0.1:%d/ping" % s.http_port, timeout=5)
    # TLS 1.1 is refused
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    try:
        ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.maximum_version = ssl.TLSVersion.TLSv1_1
        ctx.set_ciphers("ALL:@SECLEVEL=0")
    except (ValueError, ssl.SSLError):
        pass
    with socket.create_connection(("127.0.0.1", s.http_port), timeout=5) as raw:
        with pytest.raises((ssl.SSLError, OSError)):
            ctx.wrap_socket(raw).do_handshake()
    # TLS 1.3 works and the server is still fine
    ctx = ssl.create_default_context(cafile=cert[0])
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    with socket.create_connection(("127.0.0.1", s.http_port), timeout=5) as raw:
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as c:
            c.sendall(b"GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            assert c.recv(100).startswith(b"HTTP/1.1 204")


def test_tls_needs_cert_and_key(tmp_path, cert):
    r = subprocess.run([STELE, "serve", "--data", str(tmp_path / "d"), "--insecure", "--http",
                        "127.0.0.1:0", "--pg", "off", "--tls-cert", cert[0]],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 3 and "TLS needs both --tls-cert and --tls-key" in r.stderr
    r = subprocess.run([STELE, "serve", "--data", str(tmp_path / "d"), "--insecure", "--http",
                        "127.0.0.1:0", "--pg", "off", "--tls-cert", cert[0], "--tls-key",
                        cert[0]], capture_output=True, text=True, timeout=30)
    assert r.returncode == 3 and "could not load TLS key" in r.stderr
