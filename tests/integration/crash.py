"""Crash test: `stele import --sync always --progress` is killed with SIGKILL
at random moments, ROUNDS times, over the same database. After each kill the
database must open, hold every line the importer reported committed, and
hold nothing that is not in the input: batches commit in input order, so the
database holds exactly a prefix of the input's lines, at least as long as
the longest prefix ever reported."""

import os
import random
import signal
import subprocess
import sys
import time

STELE = os.environ["STELE"]
TMP = os.environ["TMP"]
ROUNDS = int(os.environ.get("ROUNDS", "10"))
rng = random.Random(int(os.environ.get("SEED", "7")))

# Unique (series, time) lines in canonical form: dump writes them back
# byte for byte, so sets of lines can be compared.
lines = []
for t in range(400):
    for h in range(500):
        lines.append("cpu,host=h%03d,rack=r%d usage=%di,temp=%d.5 %d" % (
            h, h % 7, (t * 31 + h) % 100, h % 40, 1451606400 * 10**9 + t * 10 * 10**9))
path = os.path.join(TMP, "in.lp")
with open(path, "w") as f:
    f.write("\n".join(lines) + "\n")
index = {l: i for i, l in enumerate(lines)}

db = os.path.join(TMP, "db")
best = 0
for rnd in range(ROUNDS):
    p = subprocess.Popen([STELE, "import", "--db", db, "--sync", "always", "--progress",
                          "--memtable", "4M", "--batch", "64K", path],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(rng.uniform(0.05, 1.5))
    p.send_signal(signal.SIGKILL)
    out, err = p.communicate()
    committed = 0
    for l in out.splitlines():
        if l.startswith("committed through line "):
            committed = int(l.split()[-1])
    best = max(best, committed)
    d = subprocess.run([STELE, "dump", "--db", db, "--table", "cpu"],
                       capture_output=True, text=True)
    if d.returncode != 0 and "does not exist" in d.stderr and best == 0:
        print("round %d: killed before the first commit" % rnd)
        continue
    assert d.returncode == 0, "round %d: dump failed: %s" % (rnd, d.stderr)
    got = d.stdout.splitlines()
    assert len(got) == len(set(got)), "round %d: duplicate rows" % rnd
    for l in got:
        assert l in index, "round %d: a row that was never written: %r" % (rnd, l)
    n = len(got)
    assert n >= best, "round %d: %d rows, but %d lines were reported committed" % (rnd, n, best)
    assert set(got) == set(lines[:n]), "round %d: not a prefix of the input" % rnd
    print("round %d: killed with %d lines reported committed; database holds %d" % (
        rnd, committed, n))
print("crash test ok: %d rounds" % ROUNDS)
