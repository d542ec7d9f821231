"""The TSBS devops query set in four dialects (bench/README.md, "Queries").

    /usr/bin/python3 bench/queries.py --hosts N --start RFC3339 --duration D
        [--instances K] [--seed S] --out DIR

writes, for the data that `gen_devops --hosts N --start ... --duration D`
describes:

    DIR/stele.tsv       ID<TAB>SQL, Stele's SQL        (bench_query reads it)
    DIR/clickhouse.tsv  ID<TAB>SQL, ClickHouse 18.16's
    DIR/influxql.tsv    ID<TAB>InfluxQL, InfluxDB 1.6's
    DIR/postgres.tsv    ID<TAB>SQL, PostgreSQL 15's
    DIR/queries.json    per query: id, type, parameters, and the shape of its
                        answer (columns, kinds, order) for the answer check

K instances of each of the 15 query types (default 5), each with its own
random parameters drawn from --seed (default 321) by the generator below,
so that the same options give the same files everywhere. Debian's
/usr/bin/python3 only, stdlib only.
"""

import argparse
import datetime
import json
import os
import random
import sys

METRICS = ["usage_user", "usage_system", "usage_idle", "usage_nice", "usage_iowait",
           "usage_irq", "usage_softirq", "usage_steal", "usage_guest", "usage_guest_nice"]
TAGS = ["hostname", "region", "datacenter", "rack", "os", "arch", "team", "service",
        "service_version", "service_environment"]
HOUR = 3600 * 10**9
MINUTE = 60 * 10**9

# The 15 query types, in the order the report lists them. kind selects the
# query's form; metrics: how many of METRICS (TSBS takes the first N);
# hosts: random hosts (None: all); hours: the window; bucket: minute or hour.
TYPES = [
    ("single-groupby-1-1-1", dict(kind="groupby", metrics=1, hosts=1, hours=1, bucket="minute")),
    ("single-groupby-1-1-12", dict(kind="groupby", metrics=1, hosts=1, hours=12, bucket="minute")),
    ("single-groupby-1-8-1", dict(kind="groupby", metrics=1, hosts=8, hours=1, bucket="minute")),
    ("single-groupby-5-1-1", dict(kind="groupby", metrics=5, hosts=1, hours=1, bucket="minute")),
    ("single-groupby-5-1-12", dict(kind="groupby", metrics=5, hosts=1, hours=12, bucket="minute")),
    ("single-groupby-5-8-1", dict(kind="groupby", metrics=5, hosts=8, hours=1, bucket="minute")),
    ("cpu-max-all-1", dict(kind="groupby", metrics=10, hosts=1, hours=8, bucket="hour")),
    ("cpu-max-all-8", dict(kind="groupby", metrics=10, hosts=8, hours=8, bucket="hour")),
    ("double-groupby-1", dict(kind="double", metrics=1, hosts=None, hours=12, bucket="hour")),
    ("double-groupby-5", dict(kind="double", metrics=5, hosts=None, hours=12, bucket="hour")),
    ("double-groupby-all", dict(kind="double", metrics=10, hosts=None, hours=12, bucket="hour")),
    ("high-cpu-1", dict(kind="highcpu", hosts=1, hours=12)),
    ("high-cpu-all", dict(kind="highcpu", hosts=None, hours=12)),
    ("lastpoint", dict(kind="lastpoint")),
    ("groupby-orderby-limit", dict(kind="gool")),
]
TYPE_NAMES = [t for t, _ in TYPES]

# The columns of a `SELECT *` answer, in the order the answer check puts
# them (each system's own order is mapped onto this by name).
STAR_COLS = [["ts", "ts"]] + [[t, "str"] for t in sorted(TAGS)] + [[m, "int"] for m in METRICS]


# ---- parameters ---------------------------------------------------------------

class Rand:
    """Uniform draws from Python's Mersenne Twister through random() alone,
    whose output is the same in every Python version (randrange and sample
    are not promised to be)."""

    def __init__(self, seed):
        self.r = random.Random(seed)

    def below(self, n):
        return min(int(self.r.random() * n), n - 1)

    def distinct(self, k, n):
        """k distinct integers from [0, n), in draw order (partial Fisher-Yates)."""
        a = list(range(n))
        for i in range(k):
            j = i + self.below(n - i)
            a[i], a[j] = a[j], a[i]
        return a[:k]


def parse_time(text):
    d = datetime.datetime.strptime(text.replace("Z", "+0000"), "%Y-%m-%dT%H:%M:%S%z")
    return int(d.timestamp()) * 10**9


def parse_duration(text):
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    if text[-1] not in units:
        raise ValueError("duration %r: expected a number and s, m, h or d" % text)
    return int(text[:-1]) * units[text[-1]] * 10**9


def gen_params(hosts, start, duration, instances, seed):
    """The parameters of every query instance: a list of dicts with id, type,
    and the type's parameters (hosts, window [start, end) in ns, or the
    bound `before` for groupby-orderby-limit). Windows start at a whole
    second drawn uniformly so that the window lies in the data; a window
    longer than the data is cut to it (the smoke test's sizes and the
    high-cardinality run, 10 minutes of data)."""
    rnd = Rand(seed)
    end = start + duration
    out = []
    for name, t in TYPES:
        for i in range(1, instances + 1):
            q = {"id": "%s#%d" % (name, i), "type": name}
            if t["kind"] in ("groupby", "double", "highcpu"):
                w = min(t["hours"] * HOUR, duration)
                q["start"] = start + rnd.below((end - w - start) // 10**9 + 1) * 10**9
                q["end"] = q["start"] + w
                if t["hosts"] is not None:
                    k = min(t["hosts"], hosts)
                    q["hosts"] = ["host_%d" % h for h in rnd.distinct(k, hosts)]
            elif t["kind"] == "gool":
                # TSBS: the end of a random one-hour window
                w = min(HOUR, duration)
                q["before"] = start + w + rnd.below((end - w - start) // 10**9 + 1) * 10**9
            out.append(q)
    return out


def shape(q):
    """The answer's columns ([name, kind], kind one of ts, str, int, float),
    its order ([column index, descending]; [] when the query sets none) and
    whether it is a `SELECT *` (columns then matched by name)."""
    t = dict(TYPES)[q["type"]]
    if t["kind"] == "groupby":
        cols = [[t["bucket"], "ts"]] + [["max_" + m, "int"] for m in METRICS[:t["metrics"]]]
        return {"cols": cols, "order": [[0, False]], "star": False}
    if t["kind"] == "double":
        cols = [["hour", "ts"], ["hostname", "str"]] + \
            [["avg_" + m, "float"] for m in METRICS[:t["metrics"]]]
        return {"cols": cols, "order": [[0, False], [1, False]], "star": False}
    if t["kind"] == "highcpu":
        return {"cols": STAR_COLS, "order": [], "star": True}
    if t["kind"] == "lastpoint":
        return {"cols": STAR_COLS, "order": [[STAR_COLS.index(["hostname", "str"]), False]],
                "star": True}
    return {"cols": [["minute", "ts"], ["max_usage_user", "int"]], "order": [[0, True]],
            "star": False}


# ---- dialects -----------------------------------------------------------------

def iso(ns, sep="T", zone="Z"):
    d = datetime.datetime.fromtimestamp(ns // 10**9, datetime.timezone.utc)
    return d.strftime("%Y-%m-%d" + sep + "%H:%M:%S") + zone


def in_list(hosts):
    return ", ".join("'%s'" % h for h in hosts)


def sql_common(q, bucket_fn, ts, lit, lastpoint, star_where=""):
    """Stele, PostgreSQL and ClickHouse share the SQL; they differ in the
    bucket function, the timestamp column and literal, and lastpoint."""
    t = dict(TYPES)[q["type"]]
    kind = t["kind"]
    if kind == "lastpoint":
        return lastpoint
    if kind == "gool":
        return ("SELECT %s AS minute, max(usage_user) AS max_usage_user FROM cpu "
                "WHERE %s < %s GROUP BY minute ORDER BY minute DESC LIMIT 5"
                % (bucket_fn("minute"), ts, lit(q["before"])))
    where = []
    if q.get("hosts"):
        where.append("hostname IN (%s)" % in_list(q["hosts"]))
    where.append("%s >= %s AND %s < %s" % (ts, lit(q["start"]), ts, lit(q["end"])))
    if kind == "highcpu":
        return "SELECT * FROM cpu WHERE usage_user > 90 AND %s" % " AND ".join(reversed(where))
    b = t["bucket"]
    if kind == "groupby":
        aggs = ", ".join("max(%s) AS max_%s" % (m, m) for m in METRICS[:t["metrics"]])
        return ("SELECT %s AS %s, %s FROM cpu WHERE %s GROUP BY %s ORDER BY %s"
                % (bucket_fn(b), b, aggs, " AND ".join(where), b, b))
    aggs = ", ".join("avg(%s) AS avg_%s" % (m, m) for m in METRICS[:t["metrics"]])
    return ("SELECT %s AS hour, hostname, %s FROM cpu WHERE %s GROUP BY hour, hostname "
            "ORDER BY hour, hostname" % (bucket_fn("hour"), aggs, " AND ".join(where)))


def stele_sql(q):
    return sql_common(
        q, lambda b: "time_bucket('1 %s', ts)" % b, "ts", lambda ns: "'%s'" % iso(ns),
        "SELECT DISTINCT ON (hostname) * FROM cpu ORDER BY hostname, ts DESC")


def postgres_sql(q):
    # lastpoint: a loose index scan over (hostname, ts), PostgreSQL's idiom
    # for the latest row per key without a table of hosts (TSBS's
    # TimescaleDB query joins its tags table LATERAL the same way).
    lastpoint = ("WITH RECURSIVE h AS ("
                 "(SELECT hostname FROM cpu ORDER BY hostname LIMIT 1) UNION ALL "
                 "SELECT (SELECT c.hostname FROM cpu c WHERE c.hostname > h.hostname "
                 "ORDER BY c.hostname LIMIT 1) FROM h WHERE h.hostname IS NOT NULL) "
                 "SELECT l.* FROM h CROSS JOIN LATERAL (SELECT * FROM cpu c "
                 "WHERE c.hostname = h.hostname ORDER BY c.ts DESC LIMIT 1) l "
                 "ORDER BY l.hostname")
    return sql_common(
        q, lambda b: "date_trunc('%s', ts)" % b, "ts",
        lambda ns: "'%s'" % iso(ns, " ", "+00"), lastpoint)


def clickhouse_sql(q):
    # lastpoint as TSBS writes it for ClickHouse, on the one flat table
    lastpoint = ("SELECT * FROM cpu WHERE (hostname, time) IN "
                 "(SELECT hostname, max(time) FROM cpu GROUP BY hostname) ORDER BY hostname")
    fn = {"minute": "toStartOfMinute(time)", "hour": "toStartOfHour(time)"}
    return sql_common(q, lambda b: fn[b], "time",
                      lambda ns: "toDateTime('%s')" % iso(ns, " ", ""), lastpoint)


def influxql(q):
    t = dict(TYPES)[q["type"]]
    kind = t["kind"]
    if kind == "lastpoint":
        # the latest row of every series (GROUP BY *: a series is a host)
        return "SELECT * FROM cpu GROUP BY * ORDER BY time DESC LIMIT 1"
    if kind == "gool":
        return ("SELECT max(usage_user) FROM cpu WHERE time < '%s' GROUP BY time(1m) fill(none) "
                "ORDER BY time DESC LIMIT 5" % iso(q["before"]))
    where = []
    if q.get("hosts"):
        where.append("(%s)" % " OR ".join("hostname = '%s'" % h for h in q["hosts"]))
    where.append("time >= '%s' AND time < '%s'" % (iso(q["start"]), iso(q["end"])))
    if kind == "highcpu":
        return "SELECT * FROM cpu WHERE usage_user > 90 AND %s" % " AND ".join(reversed(where))
    if kind == "groupby":
        aggs = ", ".join("max(%s)" % m for m in METRICS[:t["metrics"]])
        return ("SELECT %s FROM cpu WHERE %s GROUP BY time(1%s) fill(none)"
                % (aggs, " AND ".join(where), t["bucket"][0]))
    aggs = ", ".join("mean(%s)" % m for m in METRICS[:t["metrics"]])
    return ("SELECT %s FROM cpu WHERE %s GROUP BY time(1h), hostname fill(none)"
            % (aggs, " AND ".join(where)))


DIALECTS = {"stele": stele_sql, "clickhouse": clickhouse_sql, "influxql": influxql,
            "postgres": postgres_sql}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hosts", type=int, required=True)
    ap.add_argument("--start", default="2016-01-01T00:00:00Z")
    ap.add_argument("--duration", default="1d")
    ap.add_argument("--instances", type=int, default=5)
    ap.add_argument("--seed", type=int, default=321)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    start, duration = parse_time(a.start), parse_duration(a.duration)
    if a.hosts < 1 or duration < MINUTE or a.instances < 1:
        sys.exit("queries.py: need at least one host, one minute of data and one instance")
    params = gen_params(a.hosts, start, duration, a.instances, a.seed)
    os.makedirs(a.out, exist_ok=True)
    for name, fn in DIALECTS.items():
        with open(os.path.join(a.out, name + ".tsv"), "w") as f:
            f.write("# %s: %d queries, generated by bench/queries.py --hosts %d --start %s "
                    "--duration %s --instances %d --seed %d\n"
                    % (name, len(params), a.hosts, a.start, a.duration, a.instances, a.seed))
            for q in params:
                f.write("%s\t%s\n" % (q["id"], fn(q)))
    meta = {"hosts": a.hosts, "start": start, "duration": duration, "seed": a.seed,
            "instances": a.instances, "types": TYPE_NAMES,
            "queries": [dict(q, **shape(q)) for q in params]}
    with open(os.path.join(a.out, "queries.json"), "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
