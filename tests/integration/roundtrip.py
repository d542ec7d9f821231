"""Round trip: generate adversarial line protocol (every type and extreme,
every escape, out-of-order and overwritten points), import it with the stele
CLI (a small memtable, so many segments and compactions), dump it back and
compare exactly with a model of last-write-wins, field by field."""

import os
import random
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import lp  # noqa: E402

STELE = os.environ["STELE"]
TMP = os.environ["TMP"]
rng = random.Random(20161)

SPECIAL = ["plain", "with space", "com,ma", "eq=uals", "back\\slash", "mix ,= \\x", "ünï", "é"]


def rand_double():
    pick = rng.randrange(8)
    if pick == 0:
        return rng.choice([0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308,
                           1.7976931348623157e308, -1.7976931348623157e308, 0.1, 1e300])
    if pick == 1:
        while True:  # a random finite bit pattern
            bits = rng.getrandbits(64)
            x = struct.unpack("<d", struct.pack("<Q", bits))[0]
            if x == x and abs(x) != float("inf"):
                return x
    if pick == 2:
        return round(rng.uniform(-100, 100), 1)
    return rng.uniform(-1e6, 1e6)


def rand_value(kind):
    if kind == "f":
        return ("f", rand_double())
    if kind == "i":
        return ("i", rng.choice([-2**63, 2**63 - 1, 0, -1, rng.randrange(-2**63, 2**63)]))
    if kind == "u":
        return ("u", rng.choice([0, 2**64 - 1, rng.randrange(0, 2**64)]))
    if kind == "b":
        return ("b", rng.random() < 0.5)
    s = "".join(rng.choice(['"', "\\", " ", ",", "=", "a", "z", "é", "\t", "\n"])
                for _ in range(rng.randrange(0, 12)))
    return ("s", s)


# Schema: measurements with typed fields (a field keeps one type).
schema = {
    "plant floor": {"temp": "f", "count": "i", "total": "u", "ok": "b", "note": "s",
                    "we,ird=key": "f"},
    "meter": {"kwh": "f", "state": "s"},
}
series = []
for meas in schema:
    for n in range(6):
        tags = {"site": rng.choice(SPECIAL), "id": "dev %d" % n}
        if n % 3 == 0:
            tags["odd,key"] = rng.choice(SPECIAL)
        series.append((meas, tags))

lines = []
model = {}       # (meas, frozenset(tags)) -> {ts: {field: value}}
order = []       # series keys in order of first appearance
for i in range(6000):
    meas, tags = rng.choice(series)
    key = (meas, frozenset(tags.items()))
    # Mostly increasing time, with late points and exact overwrites.
    if rng.random() < 0.15 and model.get(key):
        ts = rng.choice(list(model[key].keys()))
    else:
        ts = 1451606400 * 10**9 + rng.randrange(0, 3 * 86400) * 10**9 + rng.randrange(0, 1000)
    names = list(schema[meas])
    rng.shuffle(names)
    fields = [(f, rand_value(schema[meas][f])) for f in names[:rng.randrange(1, len(names) + 1)]]
    lines.append(lp.line(meas, tags, fields, ts))
    if key not in model:
        model[key] = {}
        order.append(key)
    model[key].setdefault(ts, {}).update(dict(fields))

path = os.path.join(TMP, "in.lp")
with open(path, "w", encoding="utf-8") as f:
    f.write("# a comment, then a blank line\n\n")
    f.write("\n".join(lines) + "\n")

db = os.path.join(TMP, "db")
# Small batches, so that many chunk boundaries fall inside string values
# that hold newlines.
r = subprocess.run([STELE, "import", "--db", db, "--memtable", "1M", "--batch", "1K", path],
                   capture_output=True, text=True)
assert r.returncode == 0, r.stderr + r.stdout
assert r.stdout.startswith("6000 lines written, 0 rejected"), r.stdout

got = {}
for meas in schema:
    r = subprocess.run([STELE, "dump", "--db", db, "--table", meas],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    for m, tags, fields, ts in lp.parse(r.stdout):
        assert m == meas, (m, meas)
        got.setdefault((m, frozenset(tags.items())), {})[ts] = fields

assert set(got) == set(model), "series differ: %r" % (set(got) ^ set(model))
npoints = 0
for key, points in model.items():
    assert set(points) == set(got[key]), "timestamps differ for %r" % (key,)
    for ts, fields in points.items():
        g = got[key][ts]
        assert set(g) == set(fields), (key, ts, g, fields)
        for name, v in fields.items():
            assert lp.same_value(g[name], v), (key, ts, name, g[name], v)
        npoints += 1

# Importing the dump again gives the same contents (the dump is valid line
# protocol that means what the database holds).
def contents(text):
    out = {}
    for m, tags, fields, ts in lp.parse(text):
        out[(m, frozenset(tags.items()), ts)] = fields
    return out


db2 = os.path.join(TMP, "db2")
for meas in schema:
    d1 = subprocess.run([STELE, "dump", "--db", db, "--table", meas],
                        capture_output=True, text=True, check=True).stdout
    p = os.path.join(TMP, "d1.lp")
    with open(p, "w", encoding="utf-8") as f:
        f.write(d1)
    subprocess.run([STELE, "import", "--db", db2, p], capture_output=True, check=True)
    d2 = subprocess.run([STELE, "dump", "--db", db2, "--table", meas],
                        capture_output=True, text=True, check=True).stdout
    c1, c2 = contents(d1), contents(d2)
    assert c1.keys() == c2.keys(), "re-import changed the rows of %s" % meas
    for k in c1:
        assert c1[k].keys() == c2[k].keys(), k
        for name in c1[k]:
            assert lp.same_value(c1[k][name], c2[k][name]), (k, name)
print("round trip ok: %d points in %d series" % (npoints, len(model)))
