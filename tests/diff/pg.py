"""A throwaway PostgreSQL 15 server for the differential harness.

PgServer(basedir) makes BASEDIR/pg/{data,s}, runs initdb (C locale, UTF8,
trust auth, superuser "postgres") and starts the server listening on a unix
socket in BASEDIR/pg/s only (listen_addresses = '', so no TCP at all). As
root it runs PostgreSQL as the `postgres` system user (runuser), with the
directory owned by it. stop() is idempotent and also registered with atexit;
use it as a context manager so the server goes away on errors and Ctrl-C.
"""

import atexit
import io
import os
import pwd
import shutil
import signal
import subprocess

DEFAULT_BINDIR = "/usr/lib/postgresql/15/bin"

# Session defaults for both sides: what the comparison relies on.
SERVER_SETTINGS = {
    "listen_addresses": "''",
    "port": "5432",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "autovacuum": "off",
    "jit": "off",
    "max_parallel_workers_per_gather": "0",
    "shared_buffers": "'128MB'",
    "work_mem": "'64MB'",
    "max_connections": "40",
    "timezone": "'UTC'",
    "log_timezone": "'UTC'",
    "datestyle": "'iso, mdy'",
    "intervalstyle": "'postgres'",
    "extra_float_digits": "1",
    "lc_messages": "'C'",
    "statement_timeout": "'60s'",
    "unix_socket_permissions": "0700",
    "logging_collector": "off",
}


class PgError(RuntimeError):
    pass


def find_bindir(explicit=None):
    for c in (explicit, os.environ.get("STELE_DIFF_PG_BINDIR"), DEFAULT_BINDIR):
        if c and os.path.exists(os.path.join(c, "initdb")):
            return c
    raise PgError("PostgreSQL 15 not found in %s (is the Debian package postgresql-15 installed? "
                  "`dpkg -s postgresql-15`; another directory: --pg-bindir or "
                  "STELE_DIFF_PG_BINDIR)" % (explicit or DEFAULT_BINDIR))


class PgServer:
    def __init__(self, basedir, bindir=None, log=None):
        self.bindir = find_bindir(bindir)
        self.dir = os.path.join(basedir, "pg")
        self.data = os.path.join(self.dir, "data")
        self.sock = os.path.join(self.dir, "s")
        self.logfile = os.path.join(self.dir, "server.log")
        self.port = int(SERVER_SETTINGS["port"])
        self.user = "postgres"
        self.started = False
        self.log = log or (lambda *a: None)
        self.as_root = os.geteuid() == 0
        if len(os.path.join(self.sock, ".s.PGSQL.%d" % self.port)) > 100:
            raise PgError("socket path too long under %s; set TMPDIR to a shorter directory"
                          % basedir)

    # -- helpers
    def _cmd(self, argv):
        if self.as_root:
            return ["runuser", "-u", "postgres", "--"] + argv
        return argv

    def _run(self, argv, **kw):
        p = subprocess.run(self._cmd(argv), cwd=self.dir, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, **kw)
        return p

    def _log_tail(self):
        try:
            with open(self.logfile, errors="replace") as f:
                return "".join(f.readlines()[-20:])
        except OSError:
            return "(no server log)"

    # -- life cycle
    def start(self):
        os.makedirs(self.sock, exist_ok=True)
        if self.as_root:
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError:
                raise PgError("running as root and there is no `postgres` system user to run "
                              "PostgreSQL as (PostgreSQL refuses to run as root)")
            for d in (self.dir, self.sock):
                os.chown(d, pw.pw_uid, pw.pw_gid)
            # the postgres user must be able to reach its directory: the
            # harness's own temporary directory gets o+x (traverse, not list)
            base = os.path.dirname(self.dir)
            os.chmod(base, os.stat(base).st_mode | 0o001)
            if subprocess.run(["runuser", "-u", "postgres", "--", "test", "-x", self.dir]
                              ).returncode:
                raise PgError("the postgres user cannot reach %s; use a TMPDIR that it can "
                              "traverse" % self.dir)
        os.chmod(self.dir, 0o700)
        p = self._run([os.path.join(self.bindir, "initdb"), "-D", self.data, "-U", self.user,
                       "-A", "trust", "--locale=C", "--encoding=UTF8", "--no-sync",
                       "--no-instructions"])
        if p.returncode:
            raise PgError("initdb failed:\n" + p.stdout[-3000:])
        conf = os.path.join(self.data, "postgresql.conf")
        settings = dict(SERVER_SETTINGS, unix_socket_directories="'%s'" % self.sock)
        with open(conf, "a") as f:
            f.write("\n# stele differential harness\n")
            for k, v in settings.items():
                f.write("%s = %s\n" % (k, v))
        # start_new_session: a Ctrl-C in the terminal reaches the harness, which
        # then stops the server itself, in order
        p = subprocess.run(self._cmd([os.path.join(self.bindir, "pg_ctl"), "-D", self.data,
                                      "-l", self.logfile, "-w", "-t", "60", "start"]),
                           cwd=self.dir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, start_new_session=True)
        self.started = True
        atexit.register(self.stop)
        if p.returncode:
            self.stop()
            raise PgError("pg_ctl start failed:\n%s\n%s" % (p.stdout[-2000:], self._log_tail()))
        self.log("PostgreSQL started: socket %s" % self.sock)
        return self

    def _postmaster_pid(self):
        try:
            with open(os.path.join(self.data, "postmaster.pid")) as f:
                return int(f.readline().strip())
        except (OSError, ValueError):
            return None

    def stop(self):
        if not self.started:
            return
        self.started = False
        # ignore Ctrl-C while stopping so that the stop itself completes
        old = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            pg_ctl = os.path.join(self.bindir, "pg_ctl")
            for mode in ("fast", "immediate"):
                p = self._run([pg_ctl, "-D", self.data, "-m", mode, "-w", "-t", "30", "stop"])
                if p.returncode == 0 or self._postmaster_pid() is None:
                    return
            pid = self._postmaster_pid()
            if pid:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        finally:
            signal.signal(signal.SIGINT, old)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    # -- clients
    def dsn(self, dbname="postgres"):
        return {"host": self.sock, "port": self.port, "user": self.user, "dbname": dbname}

    def connect(self, dbname="postgres", options=None):
        import psycopg2
        kw = self.dsn(dbname)
        if options:
            kw["options"] = options
        conn = psycopg2.connect(**kw)
        conn.autocommit = True
        return conn

    def create_database(self, name):
        conn = self.connect()
        try:
            with conn.cursor() as cur:
                cur.execute("DROP DATABASE IF EXISTS %s" % name)
                cur.execute("CREATE DATABASE %s TEMPLATE template0 ENCODING 'UTF8' "
                            "LC_COLLATE 'C' LC_CTYPE 'C'" % name)
        finally:
            conn.close()


def query_csv(cur, sql):
    """Runs sql and returns (True, CSV text with header) in PostgreSQL's own text
    formats, or (False, error message)."""
    import psycopg2
    buf = io.StringIO()
    try:
        cur.copy_expert("COPY (%s) TO STDOUT WITH (FORMAT csv, HEADER)" % sql, buf)
    except psycopg2.Error as e:
        msg = (e.pgerror or str(e)).strip()
        return False, msg
    return True, buf.getvalue()


def copy_in(cur, table, path):
    with open(path, encoding="utf-8") as f:
        cur.copy_expert("COPY %s FROM STDIN WITH (FORMAT csv, HEADER)" % table, f)


def remove_tree(path):
    shutil.rmtree(path, ignore_errors=True)
