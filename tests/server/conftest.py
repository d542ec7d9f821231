"""Fixtures for the server tests: a `stele serve` process per test (or per
module), on free loopback ports, with a throwaway data directory.

The binary is $STELE (tests/integration/test_server.sh passes the ASan
build, so every test also checks the server for memory errors and leaks: a
server that does not exit 0 fails the test that stopped it).

Run: /usr/bin/python3 -m pytest -q tests/server   (from the repository root)
"""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest
import requests

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STELE = os.environ.get("STELE") or os.path.join(ROOT, "build", "stele")


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    """One `stele serve`. Create tokens before start() or while it runs."""

    def __init__(self, data, args=(), insecure=True, http=True, pg=True, tls=None):
        self.data = data
        self.args = list(args)
        self.insecure = insecure
        self.http_port = free_port() if http else None
        self.pg_port = free_port() if pg else None
        self.tls = tls                      # (cert, key) or None
        self.proc = None
        self.log = os.path.join(data + ".log")

    @property
    def url(self):
        return "%s://127.0.0.1:%d" % ("https" if self.tls else "http", self.http_port)

    def token(self, name, read=(), write=(), admin=False):
        cmd = [STELE, "token", "create", "--data", self.data, "--name", name]
        for d in read:
            cmd += ["--read", d]
        for d in write:
            cmd += ["--write", d]
        if admin:
            cmd.append("--admin")
        out = subprocess.run(cmd, check=True, capture_output=True, text=True)
        secret = out.stdout.strip()
        assert secret.startswith("stl_") and len(secret) == 47, secret
        return secret

    def command(self):
        cmd = [STELE, "serve", "--data", self.data,
               "--http", "127.0.0.1:%d" % self.http_port if self.http_port else "off",
               "--pg", "127.0.0.1:%d" % self.pg_port if self.pg_port else "off"]
        if self.insecure:
            cmd.append("--insecure")
        if self.tls:
            cmd += ["--tls-cert", self.tls[0], "--tls-key", self.tls[1]]
        return cmd + self.args

    def start(self, wait=True):
        # free_port() may hand out a port that another process takes before
        # the server binds it: then pick new ports and try again.
        for attempt in range(5):
            mark = len(self.output())
            self.logf = open(self.log, "ab")
            self.proc = subprocess.Popen(self.command(), stdout=self.logf,
                                         stderr=subprocess.STDOUT, start_new_session=True)
            if not wait:
                return self
            try:
                self.wait_ready()
                return self
            except AssertionError:
                if attempt == 4 or "Address already in use" not in self.output()[mark:]:
                    raise
                self.proc = None
                self.logf.close()
                self.http_port = free_port() if self.http_port else None
                self.pg_port = free_port() if self.pg_port else None
        return self

    def wait_ready(self, timeout=30):
        deadline = time.time() + timeout
        port = self.http_port or self.pg_port
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("server exited %d: %s" % (self.proc.returncode, self.output()))
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("server did not start: " + self.output())

    def output(self):
        try:
            with open(self.log, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def stop(self, sig=signal.SIGTERM, timeout=60, expect=0):
        if not self.proc or self.proc.poll() is not None:
            rc = self.proc.returncode if self.proc else None
            self.proc = None
            return rc
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("server did not stop within %ds: %s" % (timeout, self.output()))
        self.proc = None
        self.logf.close()
        if expect is not None:
            assert rc == expect, "server exited %d, want %d: %s" % (rc, expect, self.output())
        return rc

    def kill(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.proc = None

    # HTTP helpers
    def sql(self, q, db="db", token=None, fmt=None, **kw):
        headers = kw.pop("headers", {})
        if token:
            headers["Authorization"] = "Token " + token
        params = {"db": db, "q": q}
        if fmt:
            params["format"] = fmt
        return requests.get(self.url + "/api/v1/sql", params=params, headers=headers,
                            timeout=60, **kw)

    def write(self, body, db="db", token=None, precision=None, **kw):
        headers = kw.pop("headers", {})
        if token:
            headers["Authorization"] = "Token " + token
        params = {"db": db}
        if precision:
            params["precision"] = precision
        return requests.post(self.url + "/write", params=params, data=body, headers=headers,
                             timeout=60, **kw)

    def rows(self, q, db="db", token=None):
        r = self.sql(q, db=db, token=token)
        assert r.status_code == 200, r.text
        return [list(x) for x in r.json()["rows"]]


@pytest.fixture
def tmpdir_path():
    d = tempfile.mkdtemp(prefix="stele-srv-", dir=os.environ.get("TMP"))
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def make_server(tmpdir_path):
    """make_server(**kw) -> a started Server; all are stopped (exit 0 checked) at the end."""
    made = []

    def make(start=True, **kw):
        data = os.path.join(tmpdir_path, "data%d" % len(made))
        os.makedirs(data, exist_ok=True)
        s = Server(data, **kw)
        made.append(s)
        return s.start() if start else s

    yield make
    errors = []
    for s in made:
        try:
            s.stop()
        except AssertionError as e:
            errors.append(str(e))
    assert not errors, "\n".join(errors)


@pytest.fixture
def server(make_server):
    """An insecure server with HTTP and PostgreSQL listeners."""
    return make_server()
