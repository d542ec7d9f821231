#!/usr/bin/python3
"""Differential test: Stele's SQL against PostgreSQL 15 on the same data.

  /usr/bin/python3 tests/diff/run.py --stele build/stele [--seed N] [--filter REGEX]
                                     [--keep] [-v] [--jobs N]
  /usr/bin/python3 tests/diff/run.py --stele-cmd pg [--self-test]     (tests the harness)

Generates the data (gen.py), loads it into Stele (`stele import`) and into a
throwaway PostgreSQL (pg.py), runs every query of the corpus (queries.py) on
both sides (Stele: one `stele sql --db DIR --format csv SQL` per query, in
parallel; PostgreSQL: one session, COPY (query) TO STDOUT), compares the
results (compare.py) and prints one FAIL block per mismatch and a summary.
Exit status: 0 when every failure is listed in known_differences.txt, 1 when
one is not, 2 when the harness itself could not run.
See tests/diff/README.md.
"""

import argparse
import concurrent.futures
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import compare  # noqa: E402
import gen  # noqa: E402
import pg  # noqa: E402
import queries  # noqa: E402

KNOWN_FILE = os.path.join(HERE, "known_differences.txt")


class HarnessError(RuntimeError):
    pass


class Result:
    """One side's outcome for one query."""
    __slots__ = ("ok", "header", "rows", "error", "rc", "secs", "raw", "crashed")

    def __init__(self, ok, header=None, rows=None, error=None, rc=0, secs=0.0, raw=None,
                 crashed=False):
        self.ok, self.header, self.rows, self.error = ok, header, rows, error
        self.rc, self.secs, self.raw, self.crashed = rc, secs, raw, crashed


def from_csv(text, rc=0, secs=0.0):
    try:
        rows = compare.parse_csv(text)
    except compare.CsvError as e:
        return Result(False, error="unparseable CSV output (%s): %r" % (e, text[:200]), rc=rc,
                      secs=secs, raw=text, crashed=True)
    if not rows:
        return Result(False, error="no output (not even a header line)", rc=rc, secs=secs,
                      raw=text, crashed=True)
    return Result(True, rows[0], rows[1:], rc=rc, secs=secs, raw=text)


# ------------------------------------------------------------ known differences

def load_known(path):
    """Lines `ID-or-REGEX  # reason`; blank lines and lines starting with #
    are ignored. Returns [(pattern text, compiled, reason)]."""
    out = []
    if not os.path.exists(path):
        return out
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            s = line.strip()
            if not s or s.startswith("#"):
                continue
            pat, _, reason = s.partition("#")
            pat = pat.strip()
            try:
                rx = re.compile(pat)
            except re.error as e:
                raise HarnessError("%s:%d: bad regex %r: %s" % (path, n, pat, e))
            out.append((pat, rx, reason.strip()))
    return out


def known_reason(known, qid, sql=""):
    """A pattern `sql:REGEX` matches (re.search) the Stele SQL text, so that
    an entry holds for every seed; any other pattern matches the id."""
    for pat, rx, reason in known:
        if pat.startswith("sql:"):
            if re.search(pat[4:], sql):
                return reason or pat
        elif pat == qid or rx.fullmatch(qid):
            return reason or pat
    return None


# ------------------------------------------------------------ running Stele

class Runner:
    """Runs the Stele side: `ARGV0 sql --db DIR --format csv SQL` per query."""

    def __init__(self, argv0, dbdir, env, timeout):
        self.argv0, self.dbdir, self.env, self.timeout = argv0, dbdir, env, timeout
        self.procs = set()
        self.lock = threading.Lock()
        self.stopping = False

    def run(self, argv, timeout=None):
        if self.stopping:
            raise KeyboardInterrupt
        t = time.time()
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=self.env, cwd=ROOT)
        with self.lock:
            self.procs.add(p)
        try:
            out, err = p.communicate(timeout=timeout or self.timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            return None, out, err, time.time() - t
        finally:
            with self.lock:
                self.procs.discard(p)
        return p.returncode, out, err, time.time() - t

    def kill_all(self):
        self.stopping = True
        with self.lock:
            for p in list(self.procs):
                try:
                    p.kill()
                except OSError:
                    pass

    def load(self, lp_path):
        rc, out, err, secs = self.run(self.argv0 + ["import", "--db", self.dbdir, "--sync",
                                                    "none", lp_path], timeout=600)
        if rc != 0:
            raise HarnessError("stele import failed (exit %s):\n%s%s" % (
                rc, out.decode(errors="replace")[-2000:], err.decode(errors="replace")[-2000:]))
        return secs

    def query(self, sql):
        # --read-only: a shared lock, so that queries run side by side.
        rc, out, err, secs = self.run(self.argv0 + ["sql", "--db", self.dbdir, "--read-only",
                                                    "--format", "csv", sql])
        err = err.decode("utf-8", errors="replace").strip()
        if rc is None:
            return Result(False, error="timed out after %ds" % self.timeout, rc=None, secs=secs,
                          crashed=True)
        if rc < 0:
            return Result(False, error="killed by signal %d: %s" % (-rc, err[-500:]), rc=rc,
                          secs=secs, crashed=True)
        if rc != 0:
            return Result(False, error="exit %d: %s" % (rc, err[-500:] or "(no message)"), rc=rc,
                          secs=secs)
        return from_csv(out.decode("utf-8", errors="replace"), rc, secs)


def run_pg_query(cur, sql):
    t = time.time()
    ok, text = pg.query_csv(cur, sql)
    if not ok:
        return Result(False, error=text, secs=time.time() - t)
    return from_csv(text, 0, time.time() - t)


# ------------------------------------------------------------ judging

def judge(q, s, p, args):
    """Returns None (agree) or a list of lines: what differs."""
    if q.error:
        if p.ok:
            return ["PostgreSQL accepted a query the corpus expects to fail (corpus bug)"]
        if s.crashed:
            return ["stele did not fail cleanly: %s" % s.error, "pg error: %s" % p.error]
        if s.ok:
            return ["stele succeeded (%d rows) where PostgreSQL fails: %s"
                    % (len(s.rows), p.error.splitlines()[0])]
        return None
    if not p.ok:
        return ["PostgreSQL failed on a query the corpus expects to succeed (corpus bug): %s"
                % p.error.splitlines()[0]] + (["stele: %s" % s.error] if not s.ok else [])
    if not s.ok:
        return ["stele failed: %s" % s.error]
    return compare.compare((s.header, s.rows), (p.header, p.rows), q.ordered,
                           empty_is_null=args.empty_is_null, check_names=not args.ignore_names)


# ------------------------------------------------------------ self-test

def plan_self_test(qs, sres):
    """Picks queries and perturbs their Stele results. Returns {qid: (name,
    expect_fail)}. Deterministic: the first query that fits each perturbation."""
    plan = {}
    used = set()

    def pick(cond):
        for q in qs:
            if q.id not in used and cond(q, sres[q.id]):
                used.add(q.id)
                return q
        return None

    def num_cell(r):
        for i, row in enumerate(r.rows):
            for j, c in enumerate(row):
                x = compare.as_number(c)
                if x is not None and x != 0 and abs(x) < 1e300 and c not in ("t", "f"):
                    return i, j, x
        return None

    def text_cell(r):
        for i, row in enumerate(r.rows):
            for j, c in enumerate(row):
                if c and compare.as_number(c) is None:
                    return i, j
        return None

    def good(q, r):
        return not q.error and r.ok

    perturbations = [
        ("number changed by 1e-6 (relative)", True,
         lambda q, r: good(q, r) and num_cell(r),
         lambda r: _set(r, *num_cell(r)[:2], repr(num_cell(r)[2] * (1 + 1e-6)))),
        ("number changed by 1e-12 (relative, within tolerance)", False,
         lambda q, r: good(q, r) and num_cell(r),
         lambda r: _set(r, *num_cell(r)[:2], repr(num_cell(r)[2] * (1 + 1e-12)))),
        ("text cell changed", True,
         lambda q, r: good(q, r) and text_cell(r),
         lambda r: _set(r, *text_cell(r), r.rows[text_cell(r)[0]][text_cell(r)[1]] + "x")),
        ("boolean flipped", True,
         lambda q, r: good(q, r) and any(c == "t" for row in r.rows for c in row),
         lambda r: _flip_bool(r)),
        ("value made NULL", True,
         lambda q, r: good(q, r) and text_cell(r),
         lambda r: _set(r, *text_cell(r), None)),
        ("NULL made empty string", True,
         lambda q, r: good(q, r) and any(c is None for row in r.rows for c in row),
         lambda r: _null_to_empty(r)),
        ("last row dropped", True,
         lambda q, r: good(q, r) and len(r.rows) >= 2,
         lambda r: r.rows.pop()),
        ("row replaced by a copy of another (unordered)", True,
         lambda q, r: good(q, r) and not q.ordered and len(r.rows) >= 2 and
         r.rows[0] != r.rows[-1],
         lambda r: r.rows.__setitem__(-1, list(r.rows[0]))),
        ("two rows swapped (ordered)", True,
         lambda q, r: good(q, r) and q.ordered and len(r.rows) >= 2 and r.rows[0] != r.rows[1],
         lambda r: r.rows.__setitem__(slice(0, 2), [r.rows[1], r.rows[0]])),
        ("two rows swapped (unordered: must still pass)", False,
         lambda q, r: good(q, r) and not q.ordered and len(r.rows) >= 2 and
         r.rows[0] != r.rows[1],
         lambda r: r.rows.__setitem__(slice(0, 2), [r.rows[1], r.rows[0]])),
        ("extra column", True,
         lambda q, r: good(q, r),
         lambda r: (r.header.append("extra"), [row.append("1") for row in r.rows])),
        ("column renamed", True,
         lambda q, r: good(q, r),
         lambda r: r.header.__setitem__(0, (r.header[0] or "") + "_renamed")),
        ("stele fails a good query", True,
         lambda q, r: good(q, r),
         lambda r: _make_error(r)),
        ("stele accepts an error query", True,
         lambda q, r: q.error and not r.ok,
         lambda r: _make_ok(r)),
        ("stele crashes on an error query", True,
         lambda q, r: q.error and not r.ok,
         lambda r: setattr(r, "crashed", True)),
    ]
    for name, expect_fail, cond, apply in perturbations:
        q = pick(cond)
        if q is None:
            raise HarnessError("self-test: no query fits perturbation %r" % name)
        r = sres[q.id]
        r.rows = [list(row) for row in r.rows] if r.rows is not None else None
        r.header = list(r.header) if r.header is not None else None
        apply(r)
        plan[q.id] = (name, expect_fail)
    return plan


def _set(r, i, j, v):
    r.rows[i][j] = v


def _flip_bool(r):
    for row in r.rows:
        for j, c in enumerate(row):
            if c == "t":
                row[j] = "f"
                return


def _null_to_empty(r):
    for row in r.rows:
        for j, c in enumerate(row):
            if c is None:
                row[j] = ""
                return


def _make_error(r):
    r.ok, r.error, r.rc = False, "exit 3: ERROR: injected by --self-test", 3


def _make_ok(r):
    r.ok, r.header, r.rows, r.error, r.rc = True, ["x"], [["1"]], None, 0


# ------------------------------------------------------------ main

def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="See tests/diff/README.md.")
    ap.add_argument("--stele", default=os.path.join(ROOT, "build", "stele"),
                    help="the stele binary (default: build/stele)")
    ap.add_argument("--stele-cmd", default=None,
                    help="a command used instead of the stele binary, called as `CMD import "
                    "...` and `CMD sql ...`; `pg` = fake_stele.py, PostgreSQL posing as Stele "
                    "(tests the harness itself)")
    ap.add_argument("--seed", type=int, default=1, help="data and corpus seed (default 1)")
    ap.add_argument("--filter", default=None, help="only query ids matching this regex")
    ap.add_argument("--keep", action="store_true",
                    help="keep the work directory (data, Stele db, corpus.tsv, failures/)")
    ap.add_argument("-v", "--verbose", action="store_true", help="a line per query")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2,
                    help="parallel stele processes (default: CPU count)")
    ap.add_argument("--timeout", type=int, default=60, help="seconds per stele query")
    ap.add_argument("--self-test", action="store_true",
                    help="perturb some Stele results and check that exactly those are caught")
    ap.add_argument("--ignore-names", action="store_true", help="do not compare column names")
    ap.add_argument("--empty-is-null", action="store_true",
                    help="let an empty string match NULL (for CSV writers that do not quote \"\")")
    ap.add_argument("--known", default=KNOWN_FILE, help="known differences file")
    ap.add_argument("--pg-bindir", default=None, help="PostgreSQL 15 bin directory")
    ap.add_argument("--list", action="store_true", help="print the corpus and exit")
    return ap.parse_args()


def main():
    args = parse_args()
    t_start = time.time()
    timings = []

    def phase(name, t0):
        timings.append("%s %.1fs" % (name, time.time() - t0))

    t = time.time()
    ds = gen.build(args.seed)
    qs = queries.build(args.seed, ds.domain)
    if args.filter:
        rx = re.compile(args.filter)
        qs = [q for q in qs if rx.search(q.id)]
    if args.list:
        for q in qs:
            print("%s\t%s\t%s\t%s" % (q.id, "ordered" if q.ordered else "unordered",
                                      "error" if q.error else "ok", q.stele))
        return 0
    if not qs:
        raise HarnessError("no query matches --filter %r" % args.filter)
    known = load_known(args.known)

    fake = args.stele_cmd == "pg"
    if fake:
        argv0 = [sys.executable, os.path.join(HERE, "fake_stele.py")]
    elif args.stele_cmd:
        argv0 = shlex.split(args.stele_cmd)
    else:
        if not os.access(args.stele, os.X_OK):
            raise HarnessError("no stele binary at %s (run `make`, or pass --stele PATH; "
                               "--stele-cmd pg tests the harness without Stele)" % args.stele)
        argv0 = [os.path.abspath(args.stele)]

    work = tempfile.mkdtemp(prefix="stele-diff-")
    runner = None
    srv = None
    try:
        paths = gen.write(ds, os.path.join(work, "data"))
        with open(os.path.join(work, "corpus.tsv"), "w", encoding="utf-8") as f:
            for q in qs:
                f.write("%s\t%s\t%s\t%s\t%s\n" % (q.id, int(q.ordered), int(q.error), q.stele,
                                                  q.pg))
        phase("generate", t)

        t = time.time()
        srv = pg.PgServer(work, args.pg_bindir).start()
        phase("pg start", t)

        t = time.time()
        srv.create_database("ref")
        conn = srv.connect("ref")
        cur = conn.cursor()
        with open(paths["schema"]) as f:
            cur.execute(f.read())
        for name, path in paths["csv"].items():
            pg.copy_in(cur, name, path)
            cur.execute("ANALYZE %s" % name)
        phase("pg load", t)

        env = dict(os.environ)
        if args.stele_cmd:      # for fake_stele.py, also when wrapped in another command
            srv.create_database("stele_side")
            env["STELE_FAKE_PG"] = json.dumps(srv.dsn("stele_side"))
        t = time.time()
        runner = Runner(argv0, os.path.join(work, "stele-db"), env, args.timeout)
        runner.load(paths["lp"])
        phase("stele import", t)

        probe = runner.query("SELECT 1 AS x")
        if not probe.ok and probe.rc == 2:
            raise HarnessError("`%s sql` is not usable (usage error): %s"
                               % (" ".join(argv0), probe.error))
        if not probe.ok:
            print("warning: `stele sql` fails even on SELECT 1: %s" % probe.error)

        # the Stele side in parallel, the PostgreSQL side meanwhile here
        t = time.time()
        sres, pres = {}, {}
        with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as ex:
            futs = {ex.submit(runner.query, q.stele): q for q in qs}
            try:
                for q in qs:
                    pres[q.id] = run_pg_query(cur, q.pg)
                for fut in concurrent.futures.as_completed(futs):
                    sres[futs[fut].id] = fut.result()
            except BaseException:
                runner.kill_all()
                ex.shutdown(wait=True, cancel_futures=True)
                raise
        phase("queries", t)
        conn.close()

        plan = plan_self_test(qs, sres) if args.self_test else {}

        npass = nfail = nknown = 0
        unexpected = []
        fail_dir = os.path.join(work, "failures")
        for q in qs:
            s, p = sres[q.id], pres[q.id]
            diff = judge(q, s, p, args)
            reason = known_reason(known, q.id, q.stele)
            if args.self_test and q.id in plan:
                name, expect_fail = plan[q.id]
                caught = diff is not None
                print("self-test %s: %s -> %s (%s)" % (
                    q.id, name, "caught" if caught else "passed",
                    "as expected" if caught == expect_fail else "WRONG"))
                if caught != expect_fail:
                    unexpected.append(q.id)
                continue
            if diff is None:
                npass += 1
                if reason:
                    print("NOTE %s: listed in known_differences.txt (%s) but passes"
                          % (q.id, reason))
                elif args.verbose:
                    print("ok   %s (stele %.2fs, pg %.3fs)" % (q.id, s.secs, p.secs))
                continue
            if reason:
                nknown += 1
                if args.verbose:
                    print("KNOWN %s: %s -- %s" % (q.id, reason, diff[0]))
                continue
            nfail += 1
            print("FAIL %s: %s" % (q.id, diff[0]))
            print("  stele sql: %s" % q.stele)
            if q.pg != q.stele:
                print("  pg sql:    %s" % q.pg)
            for line in diff[1:]:
                print("  " + line)
            if args.keep:
                os.makedirs(fail_dir, exist_ok=True)
                for side, res in (("stele", s), ("pg", p)):
                    with open(os.path.join(fail_dir, "%s.%s.csv" % (q.id, side)), "w",
                              encoding="utf-8") as f:
                        f.write(res.raw if res.ok and res.raw is not None else
                                "ERROR: %s\n" % res.error)

        print("%d queries, %d passed, %d failed, %d known differences%s" % (
            len(qs) - len(plan), npass, nfail, nknown,
            "" if not plan else "; self-test: %d perturbations, %d handled wrongly"
            % (len(plan), len(unexpected))))
        timings.append("total %.1fs" % (time.time() - t_start))
        print("time: " + ", ".join(timings))
        if args.keep:
            print("work directory kept: %s" % work)
        if args.self_test:
            ok = not unexpected and nfail == 0
            print("self-test %s" % ("PASSED: every perturbation was judged as expected"
                                    if ok else "FAILED"))
            return 0 if ok else 1
        return 1 if nfail else 0
    finally:
        if runner:
            runner.kill_all()
        if srv:
            srv.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def _sigterm(signum, frame):
    raise KeyboardInterrupt


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _sigterm)
    signal.signal(signal.SIGINT, signal.default_int_handler)   # also when started in background
    try:
        sys.exit(main())
    except HarnessError as e:
        print("run.py: %s" % e, file=sys.stderr)
        sys.exit(2)
    except pg.PgError as e:
        print("run.py: %s" % e, file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("run.py: interrupted", file=sys.stderr)
        sys.exit(130)
