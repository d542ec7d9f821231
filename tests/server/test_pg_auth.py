"""Authentication and authorization on the PostgreSQL port: SCRAM-SHA-256
with token secrets, the answers for unknown users and wrong secrets (the
same), read and write permissions, denial that does not say whether a
database exists, TLS (sslmode=require), and cleartext passwords only
inside TLS.

Run: STELE=build-asan/stele /usr/bin/python3 -m pytest -q tests/server/test_pg_auth.py
"""
import socket
import ssl
import struct
import subprocess

import psycopg
import psycopg2
import pytest


def dsn(s, user, password, db="db", **kw):
    d = "host=127.0.0.1 port=%d dbname=%s user=%s password=%s connect_timeout=10" % (
        s.pg_port, db, user, password)
    for k, v in kw.items():
        d += " %s=%s" % (k, v)
    return d


def fails(s, user, password, db="db", **kw):
    """The server's error for a connection attempt: (sqlstate, message)."""
    with pytest.raises(psycopg.OperationalError) as e:
        psycopg.connect(dsn(s, user, password, db, **kw))
    msg = str(e.value)
    # libpq does not hand over the SQLSTATE of a startup failure; psycopg2
    # keeps the text: take the FATAL line.
    line = [l for l in msg.splitlines() if "FATAL:" in l]
    assert line, msg
    return line[0].split("FATAL:", 1)[1].strip()


@pytest.fixture
def secured(make_server):
    s = make_server(insecure=False, start=False)
    tokens = {
        "admin": s.token("admin", admin=True),
        "reader": s.token("reader", read=["db"]),
        "writer": s.token("writer", read=["db"], write=["db"]),
        "other": s.token("other", read=["elsewhere"]),
        "any": s.token("any", read=["*"]),
    }
    s.start()
    assert s.write("cpu,host=a usage=1 1000000000\n", token=tokens["admin"]).status_code == 204
    return s, tokens


def test_scram_and_wrong_secrets(secured):
    s, t = secured
    with psycopg2.connect(dsn(s, "admin", t["admin"])) as conn:
        cur = conn.cursor()
        cur.execute("SELECT usage FROM cpu")
        assert cur.fetchall() == [(1.0,)]
    with psycopg.connect(dsn(s, "reader", t["reader"])) as conn:
        assert conn.execute("SELECT count(*) FROM cpu").fetchone() == (1,)
        assert conn.info.parameter_status("is_superuser") == "off"
        assert conn.info.parameter_status("server_version") == "15.0 (Stele)"
        assert conn.info.server_version == 150000
    # Unknown user and wrong secret: the same answer.
    assert fails(s, "ghost", t["admin"]) == 'password authentication failed for user "ghost"'
    assert fails(s, "admin", t["reader"]) == 'password authentication failed for user "admin"'
    assert fails(s, "admin", "stl_" + "x" * 43) == \
        'password authentication failed for user "admin"'
    assert fails(s, "x" * 200, "y") == 'password authentication failed for user "%s"' % ("x" * 64)


def test_fake_scram_is_stable(secured):
    """A user without a token gets a salt of its own, the same each time
    (so that it cannot be told apart from one with a token)."""
    s, _ = secured

    def server_first(user):
        sock = socket.create_connection(("127.0.0.1", s.pg_port), timeout=10)
        body = struct.pack("!I", 196608) + b"user\0" + user + b"\0database\0db\0\0"
        sock.sendall(struct.pack("!I", len(body) + 4) + body)
        r = read_msg(sock)
        assert r[0] == b"R" and struct.unpack("!I", r[1][:4])[0] == 10
        assert r[1][4:] == b"SCRAM-SHA-256\0\0"
        first = b"n,,n=,r=abcdefghijklmnop"
        sock.sendall(b"p" + struct.pack("!I", 4 + 14 + 4 + len(first)) + b"SCRAM-SHA-256\0" +
                     struct.pack("!I", len(first)) + first)
        r = read_msg(sock)
        assert r[0] == b"R" and struct.unpack("!I", r[1][:4])[0] == 11
        attrs = dict(a.split(b"=", 1) for a in r[1][4:].split(b","))
        sock.close()
        assert attrs[b"r"].startswith(b"abcdefghijklmnop") and len(attrs[b"r"]) > 30
        return attrs[b"s"], attrs[b"i"]

    ghost = server_first(b"ghost")
    assert ghost == server_first(b"ghost")
    assert ghost != server_first(b"ghost2")
    assert ghost[1] == server_first(b"admin")[1] == b"4096"


def test_database_permissions(secured):
    s, t = secured
    # No read on the database: 42501, whether it exists or not.
    e1 = fails(s, "other", t["other"], db="db")
    e2 = fails(s, "other", t["other"], db="nosuchdb")
    assert e1 == 'permission denied for database "db"'
    assert e2 == 'permission denied for database "nosuchdb"'
    # May read it, but it does not exist: 3D000.
    assert fails(s, "any", t["any"], db="nosuchdb") == 'database "nosuchdb" does not exist'
    # Read but not write.
    with psycopg.connect(dsn(s, "reader", t["reader"]), autocommit=True) as conn:
        for sql in ["INSERT INTO cpu (ts, host, usage) VALUES (now(), 'x', 2)",
                    "CREATE TABLE t2 (ts timestamp, v double precision)",
                    "DELETE FROM cpu WHERE ts < '2000-01-01'"]:
            with pytest.raises(psycopg.errors.InsufficientPrivilege) as e:
                conn.execute(sql)
            assert str(e.value) == 'permission denied: token "reader" may not write to ' \
                                   'database "db"'
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            with conn.cursor().copy("COPY cpu (ts, host, usage) FROM STDIN") as cp:
                cp.write_row(("2020-01-01", "x", 1))
        # Settings are the session's, not writes.
        conn.execute("SET application_name = 'r'")
        assert conn.execute("SELECT count(*) FROM cpu").fetchone() == (1,)
    with psycopg.connect(dsn(s, "writer", t["writer"]), autocommit=True) as conn:
        conn.execute("INSERT INTO cpu (ts, host, usage) VALUES ('2020-01-01', 'w', 2)")
        assert conn.execute("SELECT count(*) FROM cpu").fetchone() == (2,)
    # A writer (admin) may connect to a database that does not exist yet.
    with psycopg.connect(dsn(s, "admin", t["admin"], db="fresh"), autocommit=True) as conn:
        conn.execute("CREATE TABLE m (ts timestamp, v double precision)")
        conn.execute("INSERT INTO m (ts, v) VALUES ('2020-01-01', 1.5)")
        assert conn.execute("SELECT v FROM m").fetchone() == (1.5,)


def read_msg(sock):
    head = b""
    while len(head) < 5:
        d = sock.recv(5 - len(head))
        assert d, "closed"
        head += d
    n = struct.unpack("!I", head[1:5])[0] - 4
    body = b""
    while len(body) < n:
        d = sock.recv(n - len(body))
        assert d, "closed"
        body += d
    return head[0:1], body


def first_auth_request(sock, user):
    body = struct.pack("!I", 196608) + b"user\0" + user + b"\0database\0db\0\0"
    sock.sendall(struct.pack("!I", len(body) + 4) + body)
    kind, body = read_msg(sock)
    assert kind == b"R"
    return struct.unpack("!I", body[:4])[0]


@pytest.fixture
def cert(tmp_path):
    key, crt = str(tmp_path / "key.pem"), str(tmp_path / "cert.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", crt, "-days", "2", "-subj", "/CN=localhost"],
                   check=True, capture_output=True)
    return crt, key


def test_tls(make_server, cert):
    s = make_server(insecure=False, tls=cert, start=False)
    secret = s.token("admin", admin=True)
    s.start()
    with psycopg2.connect(dsn(s, "admin", secret, sslmode="require")) as conn:
        cur = conn.cursor()
        cur.execute("SELECT 41 + 1")
        assert cur.fetchall() == [(42,)]
        assert conn.info.ssl_in_use
    with psycopg.connect(dsn(s, "admin", secret, sslmode="require")) as conn:
        assert conn.execute("SELECT 'tls'").fetchone() == ("tls",)
        assert conn.pgconn.ssl_in_use
    # Without TLS the same server asks for SCRAM ...
    sock = socket.create_connection(("127.0.0.1", s.pg_port), timeout=10)
    assert first_auth_request(sock, b"admin") == 10
    sock.close()
    # ... inside TLS for a cleartext password (checked against the secret).
    raw = socket.create_connection(("127.0.0.1", s.pg_port), timeout=10)
    raw.sendall(struct.pack("!II", 8, 80877103))
    assert raw.recv(1) == b"S"
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    tls = ctx.wrap_socket(raw)
    assert tls.version() in ("TLSv1.2", "TLSv1.3")
    assert first_auth_request(tls, b"admin") == 3
    pw = secret.encode() + b"\0"
    tls.sendall(b"p" + struct.pack("!I", 4 + len(pw)) + pw)
    kind, body = read_msg(tls)
    assert (kind, body) == (b"R", struct.pack("!I", 0))
    tls.close()
    # Wrong cleartext password.
    with pytest.raises(psycopg2.OperationalError) as e:
        psycopg2.connect(dsn(s, "admin", "nope", sslmode="require"))
    assert 'password authentication failed for user "admin"' in str(e.value)
    # Unencrypted bytes after SSLRequest are refused.
    raw = socket.create_connection(("127.0.0.1", s.pg_port), timeout=10)
    raw.sendall(struct.pack("!II", 8, 80877103) + b"garbage!")
    data = b""
    while True:
        d = raw.recv(4096)
        if not d:
            break
        data += d
    assert data == b"" or b"received unencrypted data after SSL request" in data or data == b"S"
    raw.close()


def test_no_tls_answers_n(make_server):
    s = make_server()
    raw = socket.create_connection(("127.0.0.1", s.pg_port), timeout=10)
    raw.sendall(struct.pack("!II", 8, 80877103))
    assert raw.recv(1) == b"N"
    raw.sendall(struct.pack("!II", 8, 80877104))   # GSSENCRequest
    assert raw.recv(1) == b"N"
    assert first_auth_request(raw, b"x") == 0
    raw.close()
    with pytest.raises(psycopg2.OperationalError):
        psycopg2.connect("host=127.0.0.1 port=%d user=x dbname=db sslmode=require" % s.pg_port)
    with psycopg2.connect("host=127.0.0.1 port=%d user=x dbname=db sslmode=prefer" % s.pg_port):
        pass
