#!/usr/bin/python3
"""Deterministic test data for the differential harness.

Three tables, the same rows for both sides:
  cpu      devops metrics (TSBS-like): 20 hosts, 8 tags, 10 double fields,
           every 10 s for 3 h from 2016-01-01T00:00:00Z (21,600 rows), time-major
  sensors  mixed types: double, bigint, boolean, varchar fields with NULLs,
           a series without a tag (NULL tag), negatives, zeros, -0.0,
           duplicated values, strings with commas, quotes, spaces, `=`, a
           backslash and non-ASCII; microsecond timestamps (unique across the
           table), some lines out of order
  devices  one row per device (a dimension table for joins); some sensors
           devices are missing here and some devices have no sensors rows

Outputs (write()): data.lp (line protocol for `stele import`), schema.sql
(CREATE TABLE for PostgreSQL), and TABLE.csv (COPY ... FROM STDIN (FORMAT
csv, HEADER): unquoted empty = NULL, strings always quoted).

Column order is Stele's schema-on-write order: ts, then the first line's tags
(sorted by key, as Stele sorts a line's tags), then its fields in line order.
The first line of every table carries every tag and field, so no column is
appended later. (series, ts) is unique, so no lines merge.

Usage: gen.py [--seed N] OUTDIR
"""

import argparse
import datetime
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lineproto  # noqa: E402

EPOCH = datetime.datetime(1970, 1, 1)
T0_US = 1451606400 * 1000000          # 2016-01-01T00:00:00Z in microseconds

PG_TYPES = {"timestamp": "timestamp", "varchar": "text", "double": "double precision",
            "bigint": "bigint", "boolean": "boolean"}

CPU_TAGS = ["hostname", "region", "datacenter", "rack", "os", "arch", "team", "service"]
CPU_FIELDS = ["usage_user", "usage_system", "usage_idle", "usage_nice", "usage_iowait",
              "usage_irq", "usage_softirq", "usage_steal", "usage_guest", "usage_guest_nice"]
REGIONS = ["us-east-1", "us-west-1", "us-west-2", "eu-west-1", "eu-central-1",
           "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "sa-east-1"]
OSES = ["Ubuntu16.10", "Ubuntu16.04LTS", "Ubuntu15.10"]
ARCHES = ["x64", "x86"]
TEAMS = ["SF", "NYC", "LON", "CHI"]

SENSOR_LOCATIONS = ["hall A", "hall B", "dock 3, north", "lab=2", "roof", "back\\yard"]
SENSOR_KINDS = ["thermo", "hygro", "combo"]
STATUSES = ["ok", "OK", "warn", "error, retrying", 'said "hi"', "  padded  ",
            "back\\slash", "a=b c", "ünïcode ß"]
NOTES = ["calibrated", "moved, see log", "x", "It's fine"]
MODELS = ["TX-100", "TX-200", 'HX "pro"', "Gen 2, rev b", "tx-100"]
VENDORS = ["acme", "globex", "initech"]
SITES = ["plant 1", "plant 2", "depot"]


def ts_text(us):
    """PostgreSQL's text form of a timestamp given in microseconds."""
    d = EPOCH + datetime.timedelta(microseconds=us)
    s = d.strftime("%Y-%m-%d %H:%M:%S")
    if d.microsecond:
        s += (".%06d" % d.microsecond).rstrip("0")
    return s


class TableData:
    def __init__(self, name, columns, rows):
        self.name = name
        self.columns = columns      # [(name, stele type, kind)] kind: time|tag|field
        self.rows = rows            # in input order; ts in microseconds

    def pg_create(self):
        cols = ", ".join("%s %s" % (n, PG_TYPES[t]) for n, t, _ in self.columns)
        return "CREATE TABLE %s (%s);" % (self.name, cols)


class Dataset:
    def __init__(self, seed):
        self.seed = seed
        self.tables = []
        self.domain = {}

    def table(self, name):
        return next(t for t in self.tables if t.name == name)


def _cpu(r, ds, nhosts=20, npoints=1080, step_s=10):
    hosts = []
    for h in range(nhosts):
        region = r.choice(REGIONS)
        hosts.append({
            "hostname": "host_%d" % h,
            "region": region,
            "datacenter": region + r.choice("abc"),
            "rack": str(r.randint(0, 99)),
            "os": r.choice(OSES),
            "arch": r.choice(ARCHES),
            "team": r.choice(TEAMS),
            "service": str(r.randint(0, 19)),
        })
    tag_order = sorted(CPU_TAGS)
    columns = [("ts", "timestamp", "time")] + [(t, "varchar", "tag") for t in tag_order] + \
        [(f, "double", "field") for f in CPU_FIELDS]
    state = [[r.uniform(0, 100) for _ in CPU_FIELDS] for _ in hosts]
    rows = []
    for p in range(npoints):
        ts = T0_US + p * step_s * 1000000
        for h, host in enumerate(hosts):
            vals = []
            for f in range(len(CPU_FIELDS)):
                v = min(100.0, max(0.0, state[h][f] + r.uniform(-5, 5)))
                state[h][f] = v
                name = CPU_FIELDS[f]
                if name in ("usage_nice", "usage_steal"):
                    v = float(round(v))          # many duplicates, ties
                elif name == "usage_guest":
                    v = round(v, 1)              # x.5 halfway cases for round()
                vals.append(v)
            rows.append(tuple([ts] + [host[t] for t in tag_order] + vals))
    ds.tables.append(TableData("cpu", columns, rows))
    ds.domain.update({
        "hosts": [h["hostname"] for h in hosts],
        "cpu_tag_values": {t: sorted({h[t] for h in hosts}) for t in CPU_TAGS},
        "cpu_start": T0_US,
        "cpu_end": T0_US + (npoints - 1) * step_s * 1000000,
        "cpu_step_s": step_s,
    })


def _sensors(r, ds, ndevices=22, nrows=4800):
    # series: one per device, two devices also moved to a second location
    series = []
    for d in range(1, ndevices + 1):
        dev = "dev-%02d" % d
        kind = None if d in (3, 11, 17) else r.choice(SENSOR_KINDS)
        series.append({"device": dev, "location": r.choice(SENSOR_LOCATIONS), "kind": kind})
    for d in (5, 9):
        s = dict(series[d - 1])
        s["location"] = next(x for x in SENSOR_LOCATIONS if x != s["location"])
        series.append(s)
    series[0].update(kind="combo")          # the first line carries every tag
    tag_order = ["device", "kind", "location"]
    fields = [("temperature", "double"), ("humidity", "double"), ("reading", "bigint"),
              ("counter", "bigint"), ("ok", "boolean"), ("status", "varchar"),
              ("note", "varchar")]
    columns = [("ts", "timestamp", "time")] + [(t, "varchar", "tag") for t in tag_order] + \
        [(f, t, "field") for f, t in fields]
    reading_pool = [0, 0, 1, -1, 7, -7, 42, -42, 100, -100, 500, -500] + \
        [r.randint(-500, 500) for _ in range(40)]
    temp = [r.randint(-100, 300) for _ in series]       # in eighths of a degree
    counter = [r.randint(0, 1000) for _ in series]
    rows = []
    ts = T0_US
    for i in range(nrows):
        gap = r.randint(1, 3000000)
        ts += gap
        if r.random() < 0.25:                           # some on whole seconds
            ts = (ts // 1000000 + 1) * 1000000
        si = 0 if i == 0 else r.randrange(len(series))
        s = series[si]
        temp[si] = max(-320, min(480, temp[si] + r.randint(-12, 12)))
        counter[si] += r.randint(0, 100)
        first = i == 0
        t = temp[si] / 8.0
        if not first and r.random() < 0.03:
            t = None
        elif not first and r.random() < 0.01:
            t = r.choice([0.0, -0.0])
        hum = round(r.uniform(0, 100), 2) if first or r.random() >= 0.25 else None
        rd = r.choice(reading_pool) if first or r.random() >= 0.05 else None
        ok = (r.random() < 0.7) if first or r.random() >= 0.10 else None
        st = r.choice(STATUSES) if first or r.random() >= 0.15 else None
        note = r.choice(NOTES) if first or r.random() < 0.08 else None
        rows.append((ts, s["device"], s["kind"], s["location"], t, hum, rd, counter[si],
                     ok, st, note))
    end = ts
    # a few lines out of order (never the first, which defines the columns)
    for _ in range(25):
        a = r.randrange(1, nrows - 41)
        b = a + r.randint(1, 40)
        rows[a], rows[b] = rows[b], rows[a]
    ds.tables.append(TableData("sensors", columns, rows))
    ds.domain.update({
        "devices": sorted({s["device"] for s in series}),
        "locations": sorted({s["location"] for s in series}),
        "kinds": SENSOR_KINDS,
        "statuses": STATUSES,
        "sensors_start": T0_US,
        "sensors_end": end,
        "reading_pool": sorted(set(reading_pool)),
        "sensor_ts": sorted(row[0] for row in rows[::97]),
    })


def _devices(r, ds):
    ids = ["dev-%02d" % d for d in range(1, 21)] + ["dev-23", "dev-24"]
    columns = [("ts", "timestamp", "time"), ("device_id", "varchar", "tag"),
               ("vendor", "varchar", "tag"), ("model", "varchar", "field"),
               ("firmware", "bigint", "field"), ("install_year", "bigint", "field"),
               ("active", "boolean", "field"), ("capacity", "double", "field"),
               ("site", "varchar", "field")]
    rows = []
    for i, dev in enumerate(ids):
        first = i == 0
        vendor = r.choice(VENDORS) if first or r.random() > 0.15 else None
        cap = round(r.uniform(10, 500), 1) if first or r.random() > 0.2 else None
        site = r.choice(SITES) if first or r.random() > 0.2 else None
        rows.append((T0_US, dev, vendor, r.choice(MODELS), r.randint(1, 9) * 10 + r.randint(0, 3),
                     r.randint(2012, 2015), r.random() < 0.75, cap, site))
    ds.tables.append(TableData("devices", columns, rows))
    ds.domain["device_ids"] = ids


def build(seed=1):
    r = random.Random("stele-diff-data-%d" % seed)
    ds = Dataset(seed)
    _cpu(r, ds)
    _sensors(r, ds)
    _devices(r, ds)
    return ds


def _csv_cell(v, typ):
    if v is None:
        return ""
    if typ == "timestamp":
        return ts_text(v)
    if typ == "boolean":
        return "t" if v else "f"
    if typ == "double":
        return repr(float(v))
    if typ == "bigint":
        return str(v)
    return '"' + v.replace('"', '""') + '"'


def lp_lines(t):
    names = [c[0] for c in t.columns]
    kinds = [c[2] for c in t.columns]
    for row in t.rows:
        tags = [(names[i], row[i]) for i in range(len(row)) if kinds[i] == "tag"]
        fields = [(names[i], row[i]) for i in range(len(row)) if kinds[i] == "field"]
        yield lineproto.line(t.name, tags, fields, row[0] * 1000)


def write(ds, outdir):
    """Writes data.lp, schema.sql and one TABLE.csv per table; returns paths."""
    os.makedirs(outdir, exist_ok=True)
    paths = {"lp": os.path.join(outdir, "data.lp"), "schema": os.path.join(outdir, "schema.sql"),
             "csv": {}}
    with open(paths["lp"], "w", encoding="utf-8", newline="\n") as f:
        for t in ds.tables:
            for ln in lp_lines(t):
                f.write(ln)
                f.write("\n")
    with open(paths["schema"], "w", encoding="utf-8") as f:
        for t in ds.tables:
            f.write(t.pg_create() + "\n")
    for t in ds.tables:
        p = os.path.join(outdir, t.name + ".csv")
        types = [c[1] for c in t.columns]
        with open(p, "w", encoding="utf-8", newline="\n") as f:
            f.write(",".join(c[0] for c in t.columns) + "\n")
            for row in t.rows:
                f.write(",".join(_csv_cell(v, types[i]) for i, v in enumerate(row)) + "\n")
        paths["csv"][t.name] = p
    return paths


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("outdir")
    a = ap.parse_args()
    ds = build(a.seed)
    paths = write(ds, a.outdir)
    for t in ds.tables:
        print("%s: %d rows, %d columns" % (t.name, len(t.rows), len(t.columns)))
    print("wrote", paths["lp"], paths["schema"], *paths["csv"].values())


if __name__ == "__main__":
    main()
