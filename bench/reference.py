"""The query set's semantics, executed by brute force over the line protocol
itself: the expected answers for the smoke test (bench/run.sh --smoke), which
compares Stele's with them through answers.py.

    /usr/bin/python3 bench/reference.py LP QUERIES.json RESULTS

reads gen_devops's line protocol and the parameters that queries.py chose,
computes every query's answer from the rows with nothing but Python, and
writes them in results.py's format (no timings). Meant for small files: it
holds every row in memory and scans all of them for each query. The
definitions here are those of bench/README.md, "Queries":

  single-groupby-M-H-T, cpu-max-all-H   the max of each of the first M
      fields per bucket (floor of ts to the minute, or the hour), over the
      rows of the H hosts with start <= ts < end; one row per bucket that
      has rows, by bucket.
  double-groupby-M   the mean of each of the first M fields per (hour,
      hostname) over every host's rows in the window; by hour, hostname.
  high-cpu-1, high-cpu-all   every row (all columns) in the window with
      usage_user > 90, of the one host or of all; no order.
  lastpoint   per host, its row with the greatest ts; by hostname.
  groupby-orderby-limit   the max of usage_user per minute over the rows
      with ts < before; the 5 latest minutes, latest first.
"""

import json
import sys

import queries
import results


def read_rows(path):
    """[(ts, {tag: value}, {field: int})] of the file."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            head, fields, ts = line.rstrip("\n").split(" ")
            tags = dict(kv.split("=", 1) for kv in head.split(",")[1:])
            vals = {k: int(v.rstrip("i")) for k, v in (kv.split("=", 1) for kv in fields.split(","))}
            rows.append((int(ts), tags, vals))
    return rows


def floor(ts, unit):
    return ts - ts % unit


def iso(ns):
    return results.show(ns, "ts")


def star(r):
    ts, tags, vals = r
    return [iso(ts)] + [tags[t] for t in sorted(tags)] + [vals[m] for m in queries.METRICS]


STAR_TYPES = [(n, k) for n, k in queries.STAR_COLS]


def answer(q, rows):
    """(cols, rows) of one query."""
    t = dict(queries.TYPES)[q["type"]]
    kind = t["kind"]
    if kind == "lastpoint":
        last = {}
        for r in rows:
            h = r[1]["hostname"]
            if h not in last or r[0] > last[h][0]:
                last[h] = r
        return STAR_TYPES, [star(last[h]) for h in sorted(last)]
    if kind == "gool":
        best = {}
        for ts, _, vals in rows:
            if ts < q["before"]:
                m = floor(ts, queries.MINUTE)
                best[m] = max(best.get(m, vals["usage_user"]), vals["usage_user"])
        keys = sorted(best, reverse=True)[:5]
        return [("minute", "ts"), ("max_usage_user", "int")], [[iso(k), best[k]] for k in keys]
    hosts = set(q["hosts"]) if q.get("hosts") else None
    sel = [r for r in rows if q["start"] <= r[0] < q["end"] and
           (hosts is None or r[1]["hostname"] in hosts)]
    if kind == "highcpu":
        return STAR_TYPES, [star(r) for r in sel if r[2]["usage_user"] > 90]
    metrics = queries.METRICS[:t["metrics"]]
    unit = queries.MINUTE if t["bucket"] == "minute" else queries.HOUR
    groups = {}
    for ts, tags, vals in sel:
        key = (floor(ts, unit),) if kind == "groupby" else (floor(ts, unit), tags["hostname"])
        groups.setdefault(key, []).append(vals)
    out = []
    for key in sorted(groups):
        g = groups[key]
        if kind == "groupby":
            out.append([iso(key[0])] + [max(v[m] for v in g) for m in metrics])
        else:
            out.append([iso(key[0]), key[1]] + [sum(v[m] for v in g) / len(g) for m in metrics])
    cols = [(c, k) for c, k in queries.shape(q)["cols"]]
    return cols, out


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: reference.py LP QUERIES.json RESULTS")
    rows = read_rows(sys.argv[1])
    meta = json.load(open(sys.argv[2]))
    w = results.Writer(sys.argv[3])
    for q in meta["queries"]:
        cols, out = answer(q, rows)
        w.query(q["id"], [], cols, out)
    w.close()


if __name__ == "__main__":
    main()
