"""The iot query set's semantics, executed by brute force over the line
protocol itself: the expected answers for the iot smoke test
(tests/integration/test_bench_iot_smoke.sh), which compares Stele's with
them through answers.py.

    /usr/bin/python3 bench/reference_iot.py LP QUERIES.json RESULTS

reads gen_iot's line protocol and the parameters that queries_iot.py chose,
computes every query's answer from the points with nothing but Python, and
writes them in results.py's format (no timings). Meant for small files: it
holds every point in memory. The definitions are bench/README-iot.md's
("Queries"); in short, a point takes part in a query only when it has every
tag the query filters, groups or answers by, and an aggregate reads the
points that have its field:

  last-loc F            per truck of fleet F, its latest readings point
                        with driver, latitude and longitude: name, driver,
                        ts, latitude, longitude; by name
  low-fuel F            per truck of fleet F, its latest diagnostics point
                        with driver and fuel_state, where fuel_state < 0.1
  high-load F           the same with current_load and load_capacity, where
                        current_load / load_capacity > 0.9
  stationary-trucks F W the trucks of fleet F whose mean velocity in the
                        window W is below 1: name, mean
  long-*-sessions F W N the trucks of fleet F with more than N 10-minute
                        buckets in W whose mean velocity is above 1: name,
                        that count
  avg-vs-projected-fuel-consumption
                        per fleet, over the readings with velocity > 1: the
                        mean fuel_consumption and nominal_fuel_consumption
  avg-daily-driving-duration
                        per truck, the mean over the days it drove of the
                        hours it drove (driving 10-minute buckets / 6)
  avg-daily-driving-session
                        per truck and day: the mean length in minutes of
                        its driving sessions that start that day (a session
                        runs from a bucket whose mean velocity is above 5
                        after one that is not, to the next change)
  avg-load              per fleet and model: the mean over its trucks of
                        each truck's mean current_load / load_capacity
  daily-activity        per fleet, model and day: the truck-buckets with a
                        mean status below 1, over 144
  breakdown-frequency   per model: how often a truck's 10-minute bucket
                        with at least half of its statuses not 0 follows
                        one without
"""

import json
import sys

import queries_iot
import results

TEN = queries_iot.TEN_MINUTES
DAY = queries_iot.DAY


def read_points(path):
    """{table: [(ts, {tag: value}, {field: float or int})]}."""
    points = {"readings": [], "diagnostics": []}
    with open(path, encoding="ascii") as f:
        for line in f:
            head, fields, ts = line.rstrip("\n").split(" ")
            parts = head.split(",")
            tags = dict(kv.split("=", 1) for kv in parts[1:])
            vals = {}
            for kv in fields.split(","):
                k, v = kv.split("=", 1)
                vals[k] = int(v[:-1]) if v.endswith("i") else float(v)
            points[parts[0]].append((int(ts), tags, vals))
    return points


def floor(ts, unit):
    return ts - ts % unit


def iso(ns):
    return results.show(ns, "ts")


def mean(xs):
    return sum(xs) / len(xs) if xs else None


def having(points, tags=(), fields=(), fleet=None, window=None):
    """The points with every tag in tags and every field in fields, of the
    fleet and in the window [start, end) when given."""
    out = []
    for p in points:
        ts, t, v = p
        if any(k not in t for k in tags) or any(k not in v for k in fields):
            continue
        if fleet is not None and t.get("fleet") != fleet:
            continue
        if window is not None and not window[0] <= ts < window[1]:
            continue
        out.append(p)
    return out


def latest(points, fleet, fields):
    last = {}
    for p in having(points, ("name", "driver"), fields, fleet):
        n = p[1]["name"]
        if n not in last or p[0] > last[n][0]:
            last[n] = p
    return [last[n] for n in sorted(last)]


def bucket_means(points, keyfn, field):
    """{key: mean of field} over the points that have it, key = keyfn(point)."""
    groups = {}
    for p in points:
        if field in p[2]:
            groups.setdefault(keyfn(p), []).append(p[2][field])
    return {k: mean(v) for k, v in groups.items()}


def answer(q, pts):
    typ = q["type"]
    rd, dg = pts["readings"], pts["diagnostics"]
    fleet = q.get("fleet")
    window = (q["start"], q["end"]) if "start" in q else None
    if typ == "last-loc":
        return [[p[1]["name"], p[1]["driver"], iso(p[0]), p[2]["latitude"], p[2]["longitude"]]
                for p in latest(rd, fleet, ("latitude", "longitude"))]
    if typ == "low-fuel":
        return [[p[1]["name"], p[1]["driver"], iso(p[0]), p[2]["fuel_state"]]
                for p in latest(dg, fleet, ("fuel_state",)) if p[2]["fuel_state"] < 0.1]
    if typ == "high-load":
        return [[p[1]["name"], p[1]["driver"], iso(p[0]), p[2]["current_load"],
                 p[2]["load_capacity"]]
                for p in latest(dg, fleet, ("current_load", "load_capacity"))
                if p[2]["current_load"] / p[2]["load_capacity"] > 0.9]
    if typ == "stationary-trucks":
        m = bucket_means(having(rd, ("name",), (), fleet, window), lambda p: p[1]["name"],
                         "velocity")
        return [[n, m[n]] for n in sorted(m) if m[n] < 1]
    if typ in ("long-driving-sessions", "long-daily-sessions"):
        m = bucket_means(having(rd, ("name",), (), fleet, window),
                         lambda p: (p[1]["name"], floor(p[0], TEN)), "velocity")
        count = {}
        for (n, _), v in m.items():
            if v > 1:
                count[n] = count.get(n, 0) + 1
        return [[n, count[n]] for n in sorted(count) if count[n] > q["threshold"]]
    if typ == "avg-vs-projected-fuel-consumption":
        groups = {}
        for p in having(rd, ("name", "fleet"), ("velocity",)):
            if p[2]["velocity"] > 1:
                g = groups.setdefault(p[1]["fleet"], ([], []))
                if "fuel_consumption" in p[2]:
                    g[0].append(p[2]["fuel_consumption"])
                if "nominal_fuel_consumption" in p[2]:
                    g[1].append(p[2]["nominal_fuel_consumption"])
        return [[f, mean(groups[f][0]), mean(groups[f][1])] for f in sorted(groups)]
    if typ == "avg-daily-driving-duration":
        m = bucket_means(having(rd, ("name",)), lambda p: (p[1]["name"], floor(p[0], TEN)),
                         "velocity")
        days = {}
        for (n, b), v in m.items():
            if v > 1:
                d = days.setdefault(n, {})
                d[floor(b, DAY)] = d.get(floor(b, DAY), 0) + 1
        return [[n, mean([c / 6.0 for c in days[n].values()])] for n in sorted(days)]
    if typ == "avg-daily-driving-session":
        m = bucket_means(having(rd, ("name",), ("velocity",)),
                         lambda p: (p[1]["name"], floor(p[0], TEN)), "velocity")
        per = {}
        for (n, b), v in m.items():
            per.setdefault(n, []).append((b, v > 5))
        out = {}
        for n, seq in per.items():
            seq.sort()
            changes = [seq[i] for i in range(1, len(seq)) if seq[i][1] != seq[i - 1][1]]
            for j in range(len(changes) - 1):
                start, driving = changes[j]
                if driving:
                    stop = changes[j + 1][0]
                    out.setdefault((n, floor(start, DAY)), []).append((stop - start) / 60e9)
        return [[n, iso(d), mean(out[(n, d)])] for n, d in sorted(out)]
    if typ == "avg-load":
        trucks = {}
        for p in having(dg, ("name", "fleet", "model")):
            t, v = p[1], p[2]
            g = trucks.setdefault((t["fleet"], t["model"], t["name"]), [])
            if "current_load" in v and "load_capacity" in v:
                g.append(v["current_load"] / v["load_capacity"])
        groups = {}
        for (f, mdl, _), ratios in trucks.items():
            g = groups.setdefault((f, mdl), [])
            if ratios:
                g.append(mean(ratios))
        return [[f, mdl, mean(groups[(f, mdl)])] for f, mdl in sorted(groups)]
    if typ == "daily-activity":
        m = bucket_means(having(dg, ("name", "fleet", "model")),
                         lambda p: (p[1]["fleet"], p[1]["model"], p[1]["name"],
                                    floor(p[0], TEN)), "status")
        count = {}
        for (f, mdl, _, b), v in m.items():
            if v < 1:
                k = (floor(b, DAY), f, mdl)
                count[k] = count.get(k, 0) + 1
        return [[f, mdl, iso(d), count[(d, f, mdl)] / 144.0] for d, f, mdl in sorted(count)]
    if typ == "breakdown-frequency":
        buckets = {}
        for p in having(dg, ("name", "model"), ("status",)):
            k = (p[1]["model"], p[1]["name"], floor(p[0], TEN))
            c = buckets.setdefault(k, [0, 0])
            c[0] += p[2]["status"] != 0
            c[1] += 1
        per = {}
        for (mdl, n, b), (nonzero, total) in buckets.items():
            per.setdefault((mdl, n), []).append((b, 2 * nonzero >= total))
        count = {}
        for (mdl, _), seq in per.items():
            seq.sort()
            k = sum(1 for i in range(len(seq) - 1) if not seq[i][1] and seq[i + 1][1])
            if k:
                count[mdl] = count.get(mdl, 0) + k
        return [[mdl, count[mdl]] for mdl in sorted(count)]
    raise ValueError(typ)


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: reference_iot.py LP QUERIES.json RESULTS")
    pts = read_points(sys.argv[1])
    meta = json.load(open(sys.argv[2]))
    w = results.Writer(sys.argv[3])
    for q in meta["queries"]:
        w.query(q["id"], [], [tuple(c) for c in q["cols"]], answer(q, pts))
    w.close()


if __name__ == "__main__":
    main()
