"""Crash test: `stele import --sync SYNC --progress` is killed with SIGKILL
at a random moment, ROUNDS times, into one database. Each round imports its
own file (its own time range). After each kill the database must open and
hold, for every round so far, exactly a prefix of that round's lines at
least as long as the importer reported committed, and nothing else: batches
commit whole and in input order, and an acknowledged batch survives."""

import os
import random
import signal
import subprocess
import time

STELE = os.environ["STELE"]
TMP = os.environ["TMP"]
ROUNDS = int(os.environ.get("ROUNDS", "10"))
# A process kill loses nothing acknowledged under any sync policy: the WAL
# record is written to the file (the operating system's cache) before the
# write returns. Only a power loss depends on the policy.
SYNC = os.environ.get("SYNC", "always")
rng = random.Random(int(os.environ.get("SEED", "7")))
HOSTS, STEPS = 500, 300


def round_lines(r):
    # Canonical lines (sorted tags, fields in creation order): `stele dump`
    # writes each row back byte for byte, so rows compare as text.
    base = 1451606400 * 10**9 + r * STEPS * 10 * 10**9
    return ["cpu,host=h%03d,rack=r%d usage=%di,temp=%d.5 %d" % (
        h, h % 7, (t * 31 + h + r) % 100, h % 40, base + t * 10 * 10**9)
        for t in range(STEPS) for h in range(HOSTS)]


db = os.path.join(TMP, "db")
rounds = []  # (lines, index of line -> position, committed)
for r in range(ROUNDS):
    lines = round_lines(r)
    path = os.path.join(TMP, "in%d.lp" % r)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    p = subprocess.Popen([STELE, "import", "--db", db, "--sync", SYNC, "--progress",
                          "--memtable", "2M", "--batch", "64K", path],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(rng.uniform(0.05, 1.2))
    p.send_signal(signal.SIGKILL)
    out, _ = p.communicate()
    committed = 0
    for l in out.splitlines():
        if l.startswith("committed through line "):
            committed = int(l.split()[-1])
    rounds.append((lines, {l: i for i, l in enumerate(lines)}, committed))

    d = subprocess.run([STELE, "dump", "--db", db, "--table", "cpu"],
                       capture_output=True, text=True)
    if d.returncode != 0 and "does not exist" in d.stderr and \
            all(c == 0 for _, _, c in rounds):
        print("round %d: killed before the first commit" % r)
        continue
    assert d.returncode == 0, "round %d: dump failed: %s" % (r, d.stderr)
    got = d.stdout.splitlines()
    assert len(got) == len(set(got)), "round %d: duplicate rows" % r
    held = [0] * len(rounds)
    for l in got:
        for k, (_, index, _) in enumerate(rounds):
            if l in index:
                held[k] += 1
                break
        else:
            raise AssertionError("round %d: a row that was never written: %r" % (r, l))
    gotset = set(got)
    for k, (lines_k, _, committed_k) in enumerate(rounds):
        n = held[k]
        assert n >= committed_k, "round %d: file %d has %d rows in the database, but %d " \
            "were reported committed" % (r, k, n, committed_k)
        assert all(l in gotset for l in lines_k[:n]), \
            "round %d: file %d's rows are not a prefix of it" % (r, k)
    print("round %d: killed after %d lines reported committed; the database holds %d "
          "of this round's lines, %d rows in all" % (r, committed, held[-1], len(got)))
print("crash test ok: %d rounds with --sync %s" % (ROUNDS, SYNC))
