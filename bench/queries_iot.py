"""The TSBS iot (trucks) query set in four dialects (bench/README-iot.md,
"Queries").

    /usr/bin/python3 bench/queries_iot.py --trucks N --start RFC3339 --duration D
        [--instances K] [--seed S] --out DIR

writes, for the data that `gen_iot --trucks N --start ... --duration D`
describes:

    DIR/stele.tsv       ID<TAB>SQL, Stele's SQL        (bench_query reads it)
    DIR/clickhouse.tsv  ID<TAB>SQL, ClickHouse 18.16's
    DIR/influxql.tsv    ID<TAB>InfluxQL, InfluxDB 1.6's; a query InfluxQL
                        cannot express is `UNSUPPORTED: reason` (peers_iot.py
                        reports it as not run, with the reason)
    DIR/postgres.tsv    ID<TAB>SQL, PostgreSQL 15's
    DIR/queries.json    per query: id, type, parameters, and the shape of its
                        answer (columns by name, kinds, order) for answers.py

The six types with parameters (a fleet, and a window for three of them)
get K instances each (default 5), the six without get one (K of them would
be one query K times). Parameters come from --seed (default 321) through
queries.Rand, so that the same options give the same files everywhere.
Debian's /usr/bin/python3 only, stdlib only.
"""

import argparse
import json
import os
import sys

import queries
from queries import HOUR, MINUTE, Rand, parse_duration, parse_time

FLEETS = ["East", "West", "North", "South"]
TEN_MINUTES = 10 * MINUTE
DAY = 24 * HOUR

# type -> its parameters: fleet (a fleet is drawn), window (ns; a window of
# that length is drawn), threshold (the count of driving 10-minute buckets
# to exceed: TSBS's tenMinutePeriods(5, 4h) = 22 and (35, 24h) = 60)
TYPES = [
    ("last-loc", dict(fleet=True)),
    ("low-fuel", dict(fleet=True)),
    ("high-load", dict(fleet=True)),
    ("stationary-trucks", dict(fleet=True, window=10 * MINUTE)),
    ("long-driving-sessions", dict(fleet=True, window=4 * HOUR, threshold=22)),
    ("long-daily-sessions", dict(fleet=True, window=24 * HOUR, threshold=60)),
    ("avg-vs-projected-fuel-consumption", {}),
    ("avg-daily-driving-duration", {}),
    ("avg-daily-driving-session", {}),
    ("avg-load", {}),
    ("daily-activity", {}),
    ("breakdown-frequency", {}),
]
TYPE_NAMES = [t for t, _ in TYPES]

# The answer's columns ([name, kind]) and order ([column index, descending]).
# Columns are matched by name in every system's answer (answers.py's `star`
# mode; InfluxDB's `time` is renamed to the one timestamp column, or dropped
# where there is none, by peers_iot.py).
SHAPES = {
    "last-loc": ([["name", "str"], ["driver", "str"], ["ts", "ts"], ["latitude", "float"],
                  ["longitude", "float"]], [[0, False]]),
    "low-fuel": ([["name", "str"], ["driver", "str"], ["ts", "ts"], ["fuel_state", "float"]],
                 [[0, False]]),
    "high-load": ([["name", "str"], ["driver", "str"], ["ts", "ts"], ["current_load", "float"],
                   ["load_capacity", "float"]], [[0, False]]),
    "stationary-trucks": ([["name", "str"], ["avg_velocity", "float"]], [[0, False]]),
    "long-driving-sessions": ([["name", "str"], ["driving_buckets", "int"]], [[0, False]]),
    "long-daily-sessions": ([["name", "str"], ["driving_buckets", "int"]], [[0, False]]),
    "avg-vs-projected-fuel-consumption": ([["fleet", "str"], ["avg_fuel_consumption", "float"],
                                           ["projected_fuel_consumption", "float"]],
                                          [[0, False]]),
    "avg-daily-driving-duration": ([["name", "str"], ["avg_daily_hours", "float"]],
                                   [[0, False]]),
    "avg-daily-driving-session": ([["name", "str"], ["day", "ts"],
                                   ["avg_session_minutes", "float"]], [[0, False], [1, False]]),
    "avg-load": ([["fleet", "str"], ["model", "str"], ["avg_load_fraction", "float"]],
                 [[0, False], [1, False]]),
    "daily-activity": ([["fleet", "str"], ["model", "str"], ["day", "ts"],
                        ["daily_activity", "float"]], [[2, False], [0, False], [1, False]]),
    "breakdown-frequency": ([["model", "str"], ["breakdowns", "int"]], [[0, False]]),
}


def gen_params(start, duration, instances, seed):
    """Every query instance: dicts with id, type, and its parameters (fleet;
    start and end of the window in ns, start <= ts < end; threshold), plus
    the data's range (data_start, data_end) that InfluxQL's GROUP BY time
    needs. A type's fleets are a random rotation of the four, so that 4 or
    more instances cover every fleet; a window starts at a whole second
    drawn uniformly so that it lies in the data (cut to the data when the
    data is shorter)."""
    rnd = Rand(seed)
    end = start + duration
    out = []
    for name, t in TYPES:
        n = instances if t else 1
        first_fleet = rnd.below(len(FLEETS)) if t.get("fleet") else 0
        for i in range(n):
            q = {"id": "%s#%d" % (name, i + 1), "type": name, "data_start": start,
                 "data_end": end}
            if t.get("fleet"):
                q["fleet"] = FLEETS[(first_fleet + i) % len(FLEETS)]
            if t.get("window"):
                w = min(t["window"], duration)
                q["start"] = start + rnd.below((end - w - start) // 10**9 + 1) * 10**9
                q["end"] = q["start"] + w
            if t.get("threshold") is not None:
                q["threshold"] = t["threshold"]
            out.append(q)
    return out


def shape(q):
    cols, order = SHAPES[q["type"]]
    return {"cols": cols, "order": order, "star": True}


# ---- Stele and PostgreSQL -----------------------------------------------------
# The two share the SQL; they differ in the bucket functions and literals.

def sql_pg_like(q, ten_min, day, lit):
    """ten_min(col) and day(col): the 10-minute and the 1-day bucket of a
    timestamp column; lit(ns): a timestamp literal."""
    typ = q["type"]
    fleet = "'%s'" % q.get("fleet")
    window = ("ts >= %s AND ts < %s" % (lit(q["start"]), lit(q["end"]))) if "start" in q else ""
    if typ == "last-loc":
        return ("SELECT DISTINCT ON (name) name, driver, ts, latitude, longitude FROM readings "
                "WHERE fleet = %s AND name IS NOT NULL AND driver IS NOT NULL "
                "AND latitude IS NOT NULL AND longitude IS NOT NULL "
                "ORDER BY name, ts DESC" % fleet)
    if typ == "low-fuel":
        return ("SELECT name, driver, ts, fuel_state FROM ("
                "SELECT DISTINCT ON (name) name, driver, ts, fuel_state FROM diagnostics "
                "WHERE fleet = %s AND name IS NOT NULL AND driver IS NOT NULL "
                "AND fuel_state IS NOT NULL ORDER BY name, ts DESC) l "
                "WHERE fuel_state < 0.1 ORDER BY name" % fleet)
    if typ == "high-load":
        return ("SELECT name, driver, ts, current_load, load_capacity FROM ("
                "SELECT DISTINCT ON (name) name, driver, ts, current_load, load_capacity "
                "FROM diagnostics WHERE fleet = %s AND name IS NOT NULL AND driver IS NOT NULL "
                "AND current_load IS NOT NULL AND load_capacity IS NOT NULL "
                "ORDER BY name, ts DESC) l "
                "WHERE current_load / load_capacity > 0.9 ORDER BY name" % fleet)
    if typ == "stationary-trucks":
        return ("SELECT name, avg(velocity) AS avg_velocity FROM readings "
                "WHERE fleet = %s AND name IS NOT NULL AND %s "
                "GROUP BY name HAVING avg(velocity) < 1 ORDER BY name" % (fleet, window))
    if typ in ("long-driving-sessions", "long-daily-sessions"):
        return ("SELECT name, count(*) AS driving_buckets FROM ("
                "SELECT name, %s AS bucket FROM readings "
                "WHERE fleet = %s AND name IS NOT NULL AND %s "
                "GROUP BY name, bucket HAVING avg(velocity) > 1) d "
                "GROUP BY name HAVING count(*) > %d ORDER BY name"
                % (ten_min("ts"), fleet, window, q["threshold"]))
    if typ == "avg-vs-projected-fuel-consumption":
        return ("SELECT fleet, avg(fuel_consumption) AS avg_fuel_consumption, "
                "avg(nominal_fuel_consumption) AS projected_fuel_consumption FROM readings "
                "WHERE velocity > 1 AND name IS NOT NULL AND fleet IS NOT NULL "
                "GROUP BY fleet ORDER BY fleet")
    if typ == "avg-daily-driving-duration":
        return ("WITH driving AS (SELECT name, %s AS bucket FROM readings "
                "WHERE name IS NOT NULL GROUP BY name, bucket HAVING avg(velocity) > 1), "
                "daily AS (SELECT name, %s AS day, count(*) / 6.0 AS hours FROM driving "
                "GROUP BY name, day) "
                "SELECT name, avg(hours) AS avg_daily_hours FROM daily "
                "GROUP BY name ORDER BY name" % (ten_min("ts"), day("bucket")))
    if typ == "avg-daily-driving-session":
        return ("WITH status AS (SELECT name, %s AS bucket, avg(velocity) > 5 AS driving "
                "FROM readings WHERE name IS NOT NULL AND velocity IS NOT NULL "
                "GROUP BY name, bucket), "
                "changes AS (SELECT name, bucket, driving FROM ("
                "SELECT name, bucket, driving, "
                "lag(driving) OVER (PARTITION BY name ORDER BY bucket) AS prev FROM status) s "
                "WHERE driving <> prev), "
                "sessions AS (SELECT name, bucket AS start, "
                "lead(bucket) OVER (PARTITION BY name ORDER BY bucket) AS stop, driving "
                "FROM changes) "
                "SELECT name, %s AS day, avg(extract(epoch FROM stop - start)) / 60 "
                "AS avg_session_minutes FROM sessions "
                "WHERE driving AND stop IS NOT NULL GROUP BY name, day ORDER BY name, day"
                % (ten_min("ts"), day("start")))
    if typ == "avg-load":
        return ("SELECT fleet, model, avg(truck_load) AS avg_load_fraction FROM ("
                "SELECT fleet, model, name, avg(current_load / load_capacity) AS truck_load "
                "FROM diagnostics "
                "WHERE name IS NOT NULL AND fleet IS NOT NULL AND model IS NOT NULL "
                "GROUP BY fleet, model, name) t "
                "GROUP BY fleet, model ORDER BY fleet, model")
    if typ == "daily-activity":
        return ("SELECT fleet, model, day, count(*) / 144.0 AS daily_activity FROM ("
                "SELECT fleet, model, name, %s AS day, %s AS bucket FROM diagnostics "
                "WHERE name IS NOT NULL AND fleet IS NOT NULL AND model IS NOT NULL "
                "GROUP BY fleet, model, name, day, bucket HAVING avg(status) < 1) a "
                "GROUP BY fleet, model, day ORDER BY day, fleet, model"
                % (day("ts"), ten_min("ts")))
    if typ == "breakdown-frequency":
        return ("WITH state AS (SELECT model, name, %s AS bucket, "
                "avg(CASE WHEN status <> 0 THEN 1.0 ELSE 0.0 END) >= 0.5 AS broken "
                "FROM diagnostics "
                "WHERE name IS NOT NULL AND model IS NOT NULL AND status IS NOT NULL "
                "GROUP BY model, name, bucket), "
                "next AS (SELECT model, broken, "
                "lead(broken) OVER (PARTITION BY model, name ORDER BY bucket) AS next_broken "
                "FROM state) "
                "SELECT model, count(*) AS breakdowns FROM next "
                "WHERE NOT broken AND next_broken GROUP BY model ORDER BY model"
                % ten_min("ts"))
    raise ValueError(typ)


def stele_sql(q):
    return sql_pg_like(q, lambda c: "time_bucket('10 minutes', %s)" % c,
                       lambda c: "time_bucket('1 day', %s)" % c,
                       lambda ns: "'%s'" % queries.iso(ns))


def postgres_sql(q):
    return sql_pg_like(q, lambda c: "date_bin('10 minutes', %s, TIMESTAMPTZ '2000-01-01')" % c,
                       lambda c: "date_trunc('day', %s)" % c,
                       lambda ns: "'%s'" % queries.iso(ns, " ", "+00"))


# ---- ClickHouse 18.16 -----------------------------------------------------------
# No window functions, no CTEs, no DISTINCT ON: the latest row is argMax, the
# sessions and breakdowns are computed over each truck's buckets as an array.
# Buckets are whole seconds (UInt32) of the epoch: intDiv(t, 600) * 600.

def clickhouse_sql(q):
    typ = q["type"]
    fleet = "'%s'" % q.get("fleet")
    lit = lambda ns: "toDateTime('%s')" % queries.iso(ns, " ", "")  # noqa: E731
    window = ("time >= %s AND time < %s" % (lit(q["start"]), lit(q["end"]))
              if "start" in q else "")
    ten = "intDiv(toUInt32(time), 600) * 600"

    def latest(table, fields, extra_where, having):
        # the latest row of each truck among the rows that pass the WHERE
        cols = ["driver"] + fields
        inner = ", ".join("argMax(%s, time) AS l_%s" % (c, c) for c in cols)
        outer = ", ".join(["l_driver AS driver", "l_time AS ts"] +
                          ["l_%s AS %s" % (f, f) for f in fields])
        return ("SELECT name, %s FROM (SELECT name, max(time) AS l_time, %s FROM %s "
                "WHERE fleet = %s AND name IS NOT NULL %s GROUP BY name)%s ORDER BY name"
                % (outer, inner, table, fleet, extra_where, " " + having if having else ""))
    if typ == "last-loc":
        return latest("readings", ["latitude", "longitude"],
                      "AND driver IS NOT NULL AND latitude IS NOT NULL "
                      "AND longitude IS NOT NULL", "")
    if typ == "low-fuel":
        return latest("diagnostics", ["fuel_state"],
                      "AND driver IS NOT NULL AND fuel_state IS NOT NULL",
                      "WHERE l_fuel_state < 0.1")
    if typ == "high-load":
        return latest("diagnostics", ["current_load", "load_capacity"],
                      "AND driver IS NOT NULL AND current_load IS NOT NULL "
                      "AND load_capacity IS NOT NULL",
                      "WHERE l_current_load / l_load_capacity > 0.9")
    if typ == "stationary-trucks":
        return ("SELECT name, avg(velocity) AS avg_velocity FROM readings "
                "WHERE fleet = %s AND name IS NOT NULL AND %s "
                "GROUP BY name HAVING avg(velocity) < 1 ORDER BY name" % (fleet, window))
    if typ in ("long-driving-sessions", "long-daily-sessions"):
        return ("SELECT name, count() AS driving_buckets FROM ("
                "SELECT name, %s AS bucket FROM readings "
                "WHERE fleet = %s AND name IS NOT NULL AND %s "
                "GROUP BY name, bucket HAVING avg(velocity) > 1) "
                "GROUP BY name HAVING count() > %d ORDER BY name"
                % (ten, fleet, window, q["threshold"]))
    if typ == "avg-vs-projected-fuel-consumption":
        return ("SELECT fleet, avg(fuel_consumption) AS avg_fuel_consumption, "
                "avg(nominal_fuel_consumption) AS projected_fuel_consumption FROM readings "
                "WHERE velocity > 1 AND name IS NOT NULL AND fleet IS NOT NULL "
                "GROUP BY fleet ORDER BY fleet")
    if typ == "avg-daily-driving-duration":
        return ("SELECT name, avg(hours) AS avg_daily_hours FROM ("
                "SELECT name, intDiv(bucket, 86400) AS day, count() / 6 AS hours FROM ("
                "SELECT name, %s AS bucket FROM readings WHERE name IS NOT NULL "
                "GROUP BY name, bucket HAVING avg(velocity) > 1) GROUP BY name, day) "
                "GROUP BY name ORDER BY name" % ten)
    if typ == "avg-daily-driving-session":
        return ("SELECT name, toDateTime(intDiv(s.1, 86400) * 86400) AS day, "
                "avg(s.2 - s.1) / 60 AS avg_session_minutes FROM ("
                "SELECT name, arraySort(groupArray((bucket, driving))) AS seq, "
                "arrayMap(x -> x.1, seq) AS bs, arrayMap(x -> x.2, seq) AS ds, "
                "arrayFilter(i -> i > 1 AND ds[i] != ds[i - 1], arrayEnumerate(ds)) AS ci, "
                "arrayMap(j -> (bs[ci[j]], bs[ci[j + 1]]), "
                "arrayFilter(j -> j < length(ci) AND ds[ci[j]] = 1, arrayEnumerate(ci))) "
                "AS sessions FROM ("
                "SELECT name, %s AS bucket, assumeNotNull(avg(velocity)) > 5 AS driving "
                "FROM readings WHERE name IS NOT NULL AND velocity IS NOT NULL "
                "GROUP BY name, bucket) GROUP BY name) ARRAY JOIN sessions AS s "
                "GROUP BY name, day ORDER BY name, day" % ten)
    if typ == "avg-load":
        return ("SELECT fleet, model, avg(truck_load) AS avg_load_fraction FROM ("
                "SELECT fleet, model, name, avg(current_load / load_capacity) AS truck_load "
                "FROM diagnostics "
                "WHERE name IS NOT NULL AND fleet IS NOT NULL AND model IS NOT NULL "
                "GROUP BY fleet, model, name) GROUP BY fleet, model ORDER BY fleet, model")
    if typ == "daily-activity":
        return ("SELECT fleet, model, toDateTime(intDiv(bucket, 86400) * 86400) AS day, "
                "count() / 144 AS daily_activity FROM ("
                "SELECT fleet, model, name, %s AS bucket FROM diagnostics "
                "WHERE name IS NOT NULL AND fleet IS NOT NULL AND model IS NOT NULL "
                "GROUP BY fleet, model, name, bucket HAVING avg(status) < 1) "
                "GROUP BY fleet, model, day ORDER BY day, fleet, model" % ten)
    if typ == "breakdown-frequency":
        return ("SELECT model, sum(n) AS breakdowns FROM ("
                "SELECT model, name, arrayMap(x -> x.2, arraySort(groupArray((bucket, broken)))) "
                "AS br, arrayCount((x, i) -> i < length(br) AND x = 0 AND br[i + 1] = 1, "
                "br, arrayEnumerate(br)) AS n FROM ("
                "SELECT model, name, %s AS bucket, "
                "assumeNotNull(avg(status != 0)) >= 0.5 AS broken FROM diagnostics "
                "WHERE name IS NOT NULL AND model IS NOT NULL AND status IS NOT NULL "
                "GROUP BY model, name, bucket) GROUP BY model, name) "
                "GROUP BY model HAVING breakdowns > 0 ORDER BY model" % ten)
    raise ValueError(typ)


# ---- InfluxQL (InfluxDB 1.6) ------------------------------------------------------
# A tag that is absent is '' in InfluxQL, so `"name" != ''` is SQL's `name IS
# NOT NULL`. A field has no such test; a comparison that every value passes
# (`"latitude" >= -90`) is false for a point without the field, which is SQL's
# `latitude IS NOT NULL` here. GROUP BY time() in a subquery needs the data's
# range in the WHERE; it is the whole data, so it changes no answer.
# Identifiers are quoted: `name` is an InfluxQL keyword.

PRESENT = {"latitude": '"latitude" >= -90', "longitude": '"longitude" >= -180',
           "fuel_state": '"fuel_state" >= 0', "current_load": '"current_load" >= 0',
           "load_capacity": '"load_capacity" >= 0', "status": '"status" >= 0'}


def influxql(q):
    typ = q["type"]
    fleet = "'%s'" % q.get("fleet")
    iso = queries.iso
    rng = "time >= '%s' AND time < '%s'" % (iso(q["data_start"]), iso(q["data_end"]))
    window = ("time >= '%s' AND time < '%s'" % (iso(q["start"]), iso(q["end"]))
              if "start" in q else "")

    def latest(meas, fields, cond):
        # the raw latest point of each truck (LIMIT 1 per series of the GROUP BY)
        sel = ", ".join('"%s"' % f for f in fields) + ', "driver"'
        inner = ('SELECT %s FROM "%s" WHERE "fleet" = %s AND "name" != \'\' AND "driver" != \'\' '
                 'AND %s GROUP BY "name" ORDER BY time DESC LIMIT 1'
                 % (sel, meas, fleet, " AND ".join(PRESENT[f] for f in fields)))
        if not cond:
            return inner
        return ('SELECT %s FROM (%s) WHERE %s GROUP BY "name" ORDER BY time DESC'
                % (sel, inner, cond))
    if typ == "last-loc":
        return latest("readings", ["latitude", "longitude"], None)
    if typ == "low-fuel":
        return latest("diagnostics", ["fuel_state"], '"fuel_state" < 0.1')
    if typ == "high-load":
        return latest("diagnostics", ["current_load", "load_capacity"],
                      '"current_load" / "load_capacity" > 0.9')
    if typ == "stationary-trucks":
        return ('SELECT "avg_velocity" FROM (SELECT mean("velocity") AS "avg_velocity" '
                'FROM "readings" WHERE "fleet" = %s AND "name" != \'\' AND %s GROUP BY "name") '
                'WHERE "avg_velocity" < 1 GROUP BY "name"' % (fleet, window))
    if typ in ("long-driving-sessions", "long-daily-sessions"):
        return ('SELECT "driving_buckets" FROM (SELECT count("mv") AS "driving_buckets" FROM ('
                'SELECT mean("velocity") AS "mv" FROM "readings" WHERE "fleet" = %s '
                'AND "name" != \'\' AND %s GROUP BY time(10m), "name") WHERE "mv" > 1 '
                'GROUP BY "name") WHERE "driving_buckets" > %d GROUP BY "name"'
                % (fleet, window, q["threshold"]))
    if typ == "avg-vs-projected-fuel-consumption":
        return ('SELECT mean("fuel_consumption") AS "avg_fuel_consumption", '
                'mean("nominal_fuel_consumption") AS "projected_fuel_consumption" '
                'FROM "readings" WHERE "velocity" > 1 AND "name" != \'\' AND "fleet" != \'\' '
                'GROUP BY "fleet"')
    if typ == "avg-daily-driving-duration":
        return ('SELECT mean("hours") AS "avg_daily_hours" FROM ('
                'SELECT count("mv") / 6.0 AS "hours" FROM ('
                'SELECT mean("velocity") AS "mv" FROM "readings" WHERE "name" != \'\' AND %s '
                'GROUP BY time(10m), "name") WHERE "mv" > 1 AND %s '
                'GROUP BY time(1d), "name" fill(none)) GROUP BY "name"' % (rng, rng))
    if typ == "avg-daily-driving-session":
        return ("UNSUPPORTED: InfluxQL cannot pair a session's start with its end and group "
                "by the day of the start (difference() and elapsed() give the end's time "
                "and the gap before it only; TSBS's form writes an intermediate measurement "
                "with SELECT INTO and answers another question)")
    if typ == "avg-load":
        return ('SELECT mean("truck_load") AS "avg_load_fraction" FROM ('
                'SELECT mean("r") AS "truck_load" FROM ('
                'SELECT "current_load" / "load_capacity" AS "r" FROM "diagnostics" '
                'WHERE "name" != \'\' AND "fleet" != \'\' AND "model" != \'\') '
                'GROUP BY "fleet", "model", "name") GROUP BY "fleet", "model"')
    if typ == "daily-activity":
        return ('SELECT count("ms") / 144.0 AS "daily_activity" FROM ('
                'SELECT mean("status") AS "ms" FROM "diagnostics" WHERE "name" != \'\' '
                'AND "fleet" != \'\' AND "model" != \'\' AND %s '
                'GROUP BY time(10m), "fleet", "model", "name") WHERE "ms" < 1 AND %s '
                'GROUP BY time(1d), "fleet", "model" fill(none)' % (rng, rng))
    if typ == "breakdown-frequency":
        # a bucket is broken down when at least half of its statuses are
        # not 0: nz is 1 for a status other than 0 and 0 for 0 (InfluxQL's
        # 0 / 0 is 0), floor(2 * mean) / floor(2 * mean) is then 1 or 0 the
        # same way, and a difference of 1 between a truck's consecutive
        # buckets is a breakdown
        return ('SELECT count("d") AS "breakdowns" FROM ('
                'SELECT difference("broken") AS "d" FROM ('
                'SELECT floor(2 * mean("nz")) / floor(2 * mean("nz")) AS "broken" FROM ('
                'SELECT "status" / "status" AS "nz" FROM "diagnostics" WHERE "name" != \'\' '
                'AND "model" != \'\' AND %s AND %s) WHERE %s '
                'GROUP BY time(10m), "model", "name" fill(none)) GROUP BY "model", "name") '
                'WHERE "d" = 1 GROUP BY "model"' % (PRESENT["status"], rng, rng))
    raise ValueError(typ)


DIALECTS = {"stele": stele_sql, "clickhouse": clickhouse_sql, "influxql": influxql,
            "postgres": postgres_sql}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--trucks", type=int, required=True)
    ap.add_argument("--start", default="2016-01-01T00:00:00Z")
    ap.add_argument("--duration", default="1d")
    ap.add_argument("--instances", type=int, default=5)
    ap.add_argument("--seed", type=int, default=321)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    start, duration = parse_time(a.start), parse_duration(a.duration)
    if a.trucks < 1 or duration < TEN_MINUTES or a.instances < 1:
        sys.exit("queries_iot.py: need at least one truck, ten minutes of data and one instance")
    params = gen_params(start, duration, a.instances, a.seed)
    os.makedirs(a.out, exist_ok=True)
    for name, fn in DIALECTS.items():
        with open(os.path.join(a.out, name + ".tsv"), "w") as f:
            f.write("# %s: %d queries, generated by bench/queries_iot.py --trucks %d --start %s "
                    "--duration %s --instances %d --seed %d\n"
                    % (name, len(params), a.trucks, a.start, a.duration, a.instances, a.seed))
            for q in params:
                f.write("%s\t%s\n" % (q["id"], fn(q)))
    meta = {"trucks": a.trucks, "start": start, "duration": duration, "seed": a.seed,
            "instances": a.instances, "types": TYPE_NAMES,
            "queries": [dict(q, **shape(q)) for q in params]}
    with open(os.path.join(a.out, "queries.json"), "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
