"""Crash test: `stele import --sync SYNC --progress` is killed with SIGKILL
at a random moment, ROUNDS times, into one database. Each round imports its
own file (its own time range). After each kill the database must open and
hold, for every round so far, exactly a prefix of that round's lines at
least as long as the importer reported committed, and nothing else: batches
commit whole and in input order, and an acknowledged batch survives.

How a round is checked: the whole database is dumped and every row
compared as text with what its round wrote (the first FULL rounds, every
FULL_EVERY-th after them and the last); in the other rounds one SQL aggregation
per round's time range (count, distinct line positions, the first and
last position, the sums of every value and tag) must equal that of the
round's committed prefix, so that a long run (ROUNDS=200, make test-long)
costs each round one scan rather than a dump of millions of rows. A line's
round and position follow from its time and host, so no index of all
lines is kept."""

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
FULL = int(os.environ.get("FULL", "10"))              # rounds checked by a dump first
FULL_EVERY = int(os.environ.get("FULL_EVERY", "50"))  # then every this many
HOSTS, STEPS = 500, 300
EPOCH = 1451606400          # 2016-01-01T00:00:00Z, round 0's first time
ROUND_S = STEPS * 10        # seconds of data a round writes


def line(r, i):
    # Canonical lines (sorted tags, fields in creation order): `stele dump`
    # writes each row back byte for byte, so rows compare as text.
    t, h = divmod(i, HOSTS)
    return "cpu,host=h%03d,rack=r%d usage=%di,temp=%d.5 %d" % (
        h, h % 7, (t * 31 + h + r) % 100, h % 40, (EPOCH + r * ROUND_S + t * 10) * 10**9)


def round_lines(r):
    return [line(r, i) for i in range(STEPS * HOSTS)]


def place(row):
    """(round, position) of a dumped row, from its time and host."""
    head, _, ts = row.rpartition(" ")
    secs = int(ts) // 10**9 - EPOCH
    host = head.split(",", 2)[1]
    if not host.startswith("host=h") or secs < 0 or secs % 10:
        return None
    r, off = divmod(secs, ROUND_S)
    return r, off // 10 * HOSTS + int(host[6:])


def expected_aggregate(r, n):
    """What aggregate() must give for round r's first n lines."""
    use = temp = rack = 0
    for i in range(n):
        t, h = divmod(i, HOSTS)
        use += (t * 31 + h + r) % 100
        temp += h % 40
        rack += h % 7
    return (n, n, 0, n - 1, use, temp * 2 + n, rack) if n else None


AGG_SQL = ("SELECT r, count(*), count(DISTINCT i), min(i), max(i), sum(usage), "
           "CAST(sum(temp) * 2 AS bigint), sum(CAST(substr(rack, 2) AS bigint)) FROM ("
           "SELECT (CAST(extract(epoch FROM ts) AS bigint) - %d) / %d AS r, "
           "((CAST(extract(epoch FROM ts) AS bigint) - %d) %% %d) / 10 * %d + "
           "CAST(substr(host, 2) AS bigint) AS i, usage, temp, rack FROM cpu) t "
           "GROUP BY r ORDER BY r" % (EPOCH, ROUND_S, EPOCH, ROUND_S, HOSTS))


def aggregate(db):
    """Per round in the database: count, distinct positions, first and last
    position, sum of usage, twice the sum of temp (each is N.5), sum of the
    rack numbers."""
    # count(DISTINCT) keeps every position: at 200 rounds some 20 million,
    # past the default query_memory of 1 GiB
    q = subprocess.run([STELE, "sql", "--db", db, "--read-only", "--format", "csv",
                        "SET query_memory = %d; %s" % (8 << 30, AGG_SQL)],
                       capture_output=True, text=True)
    if q.returncode != 0:
        return None, q.stderr
    got = {}
    out = q.stdout.splitlines()
    assert out[0] == "SET" and out[1].startswith("r,count,"), out[:2]
    for l in out[2:]:
        v = [int(x) for x in l.split(",")]
        got[v[0]] = tuple(v[1:])
    return got, ""


db = os.path.join(TMP, "db")
rounds = []  # committed lines of each round
for r in range(ROUNDS):
    lines = round_lines(r)
    path = os.path.join(TMP, "in%d.lp" % r)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    del lines
    p = subprocess.Popen([STELE, "import", "--db", db, "--sync", SYNC, "--progress",
                          "--memtable", "2M", "--batch", "64K", path],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # The kill lands after a random number of the importer's commits (of
    # about 170 a file) and a few milliseconds more, so that it falls
    # anywhere in the import whatever the build's speed; past the last
    # commit the round checks a finished import.
    committed = 0
    want = rng.randrange(0, 200)
    seen_commits = 0
    for l in p.stdout:
        if l.startswith("committed through line "):
            committed = int(l.split()[-1])
            seen_commits += 1
            if seen_commits >= want:
                break
    time.sleep(rng.uniform(0, 0.005))
    p.send_signal(signal.SIGKILL)
    out, _ = p.communicate()
    for l in out.splitlines():
        if l.startswith("committed through line "):
            committed = int(l.split()[-1])
    rounds.append(committed)
    os.unlink(path)

    if r >= FULL and r % FULL_EVERY and r != ROUNDS - 1:
        got, msg = aggregate(db)
        if got is None and "does not exist" in msg and all(c == 0 for c in rounds):
            print("round %d: killed before the first commit" % r)
            continue
        assert got is not None, "round %d: the check query failed: %s" % (r, msg)
        held = 0
        for k, committed_k in enumerate(rounds):
            a = got.pop(k, None)
            n = a[0] if a else 0
            assert n >= committed_k, "round %d: file %d has %d rows in the database, but %d " \
                "were reported committed" % (r, k, n, committed_k)
            assert a == expected_aggregate(k, n), "round %d: file %d's %d rows are not its " \
                "first %d lines: %r, expected %r" % (r, k, n, n, a, expected_aggregate(k, n))
            held = n
        assert not got, "round %d: rows that were never written: %r" % (r, got)
        print("round %d: killed after %d lines reported committed; the database holds %d "
              "of this round's lines (checked by aggregates)" % (r, committed, held))
        continue

    # the dump, streamed: at 200 rounds it holds tens of millions of rows
    d = subprocess.Popen([STELE, "dump", "--db", db, "--table", "cpu"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = [bytearray(STEPS * HOSTS) for _ in rounds]
    counts = [0] * len(rounds)
    total = 0
    for row in d.stdout:
        row = row.rstrip("\n")
        at = place(row)
        assert at is not None and at[0] < len(rounds) and 0 <= at[1] < STEPS * HOSTS and \
            row == line(*at), "round %d: a row that was never written: %r" % (r, row)
        assert not seen[at[0]][at[1]], "round %d: duplicate row %r" % (r, row)
        seen[at[0]][at[1]] = 1
        counts[at[0]] += 1
        total += 1
    err = d.stderr.read()
    d.wait()
    if d.returncode != 0 and "does not exist" in err and all(c == 0 for c in rounds):
        print("round %d: killed before the first commit" % r)
        continue
    assert d.returncode == 0, "round %d: dump failed: %s" % (r, err)
    for k, committed_k in enumerate(rounds):
        n = counts[k]
        assert n >= committed_k, "round %d: file %d has %d rows in the database, but %d " \
            "were reported committed" % (r, k, n, committed_k)
        assert seen[k].find(0) in (-1, n) and seen[k].count(1) == n, \
            "round %d: file %d's rows are not a prefix of it" % (r, k)
    print("round %d: killed after %d lines reported committed; the database holds %d "
          "of this round's lines, %d rows in all" % (r, committed, counts[-1], total))
print("crash test ok: %d rounds with --sync %s" % (ROUNDS, SYNC))
