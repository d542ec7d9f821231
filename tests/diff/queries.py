#!/usr/bin/python3
"""The query corpus of the differential harness, generated deterministically
from a seed and the data's domain (gen.py).

Every query is written once, in Stele's SQL; to_pg() derives the PostgreSQL 15
text by translating Stele's extensions:

  time_bucket(i, t)      date_bin(i, t, TIMESTAMP '2000-01-03')  (TimescaleDB's origin)
  time_bucket(i, t, o)   date_bin(i, t, o)
  first(x, t)            (array_agg(x ORDER BY t) FILTER (WHERE x IS NOT NULL))[1]
  last(x, t)             (array_agg(x ORDER BY t DESC) FILTER (WHERE x IS NOT NULL))[1]
  spread(x)              (max(x) - min(x))

A call with another number of arguments is left as it is (PostgreSQL then
fails, as Stele should). Everything else is spelled the same on both sides.

Each Query has an id (FAMILY-NNN), the two texts, `ordered` (the ORDER BY
fixes the order of all rows: compare in order; else as multisets) and `error`
(both sides must fail; only that is checked).

Rules the generators keep, so that every result is deterministic:
  - cpu rows are unique by (hostname, ts); sensors rows by ts (table-wide);
    devices rows by device_id. An ORDER BY that claims `ordered`, and every
    ORDER BY under a LIMIT, ends with such a key (or with all group keys).
  - first()/last() only where ts is unique in each group: on cpu only when
    the group holds one host (hostname grouped or fixed), on sensors always.
  - extension calls and computed columns carry aliases (names are compared);
    the `names` family checks PostgreSQL's names of unaliased expressions.
  - no now(), random() or anything that depends on the clock.

Usage: queries.py [--seed N] [--family REGEX] [--pg]   (prints the corpus)
"""

import argparse
import os
import random
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen  # noqa: E402

TB_ORIGIN = "TIMESTAMP '2000-01-03 00:00:00'"


# ------------------------------------------------------------ translation

def _skip_quoted(sql, i):
    q = sql[i]
    j = i + 1
    while j < len(sql):
        if sql[j] == q:
            if j + 1 < len(sql) and sql[j + 1] == q:
                j += 2
                continue
            return j + 1
        j += 1
    return len(sql)


def _split_args(sql, i):
    """sql[i] == '('; returns ([argument texts], index after the matching ')')."""
    depth, j, start, args = 0, i, i + 1, []
    while j < len(sql):
        ch = sql[j]
        if ch in "'\"":
            j = _skip_quoted(sql, j)
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                args.append(sql[start:j])
                return [a.strip() for a in args], j + 1
        elif ch == "," and depth == 1:
            args.append(sql[start:j])
            start = j + 1
        j += 1
    raise ValueError("unbalanced parentheses in %r" % sql)


def _translate_call(name, a):
    if name == "time_bucket" and len(a) == 2:
        return "date_bin(%s, %s, %s)" % (a[0], a[1], TB_ORIGIN)
    if name == "time_bucket" and len(a) == 3:
        return "date_bin(%s, %s, %s)" % (a[0], a[1], a[2])
    if name in ("first", "last") and len(a) == 2:
        return "(array_agg(%s ORDER BY %s%s) FILTER (WHERE (%s) IS NOT NULL))[1]" % (
            a[0], a[1], " DESC" if name == "last" else "", a[0])
    if name == "spread" and len(a) == 1:
        return "(max(%s) - min(%s))" % (a[0], a[0])
    return None


EXTENSIONS = ("time_bucket", "first", "last", "spread")


def to_pg(sql):
    """Stele SQL -> PostgreSQL 15 SQL (see the module docstring)."""
    out, i, n = [], 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in "'\"":
            j = _skip_quoted(sql, i)
            out.append(sql[i:j])
            i = j
            continue
        if ch.isalpha() or ch == "_":
            j = i
            while j < n and (sql[j].isalnum() or sql[j] == "_"):
                j += 1
            word = sql[i:j]
            k = j
            while k < n and sql[k] == " ":
                k += 1
            prev = "".join(out).rstrip()[-1:]
            if word.lower() in EXTENSIONS and k < n and sql[k] == "(" and prev != ".":
                args, end = _split_args(sql, k)
                rep = _translate_call(word.lower(), [to_pg(a) for a in args])
                if rep is not None:
                    out.append(rep)
                    i = end
                    continue
            out.append(word)
            i = j
            continue
        out.append(ch)
        i += 1
    return "".join(out)


# ------------------------------------------------------------ the corpus

class Query:
    __slots__ = ("id", "family", "stele", "pg", "ordered", "error")

    def __init__(self, qid, family, stele, pg, ordered, error):
        self.id, self.family, self.stele, self.pg = qid, family, stele, pg
        self.ordered, self.error = ordered, error

    def __repr__(self):
        return "Query(%s)" % self.id


CPU_F = gen.CPU_FIELDS
# fields with full-precision values: averages of different groups never tie
FULL_F = [f for f in CPU_F if f not in ("usage_nice", "usage_steal", "usage_guest")]
CPU_GROUP_TAGS = ["region", "datacenter", "os", "arch", "team", "service", "rack", "hostname"]
CPU_INTERVALS = ["10 seconds", "30 seconds", "1 minute", "90 seconds", "5 minutes", "7 minutes",
                 "15 minutes", "20 minutes", "1 hour", "2 hours", "1 day", "1 week"]
SENS_INTERVALS = ["1 second", "10 seconds", "1 minute", "17 minutes", "5 minutes", "1 hour"]
ORIGINS = ["2016-01-01", "2016-01-01 00:02:30", "2015-12-31 23:59:59", "2016-01-01T00:00:05Z",
           "2016-01-01 00:00:00.25"]
SENS_NUM = ["temperature", "humidity", "reading", "counter"]
SENS_DBL = ["temperature", "humidity"]
SENS_GROUP = ["device", "kind", "location", "ok", "status"]


class Corpus:
    def __init__(self, seed, dom):
        self.r = random.Random("stele-diff-queries-%d" % seed)
        self.d = dom
        self.queries = []
        self.seen = set()
        self.counts = {}

    # -- bookkeeping
    def add(self, family, sql, ordered=False, error=False, pg=None):
        sql = " ".join(sql.split())
        if sql in self.seen:
            return False
        self.seen.add(sql)
        n = self.counts.get(family, 0) + 1
        self.counts[family] = n
        self.queries.append(Query("%s-%03d" % (family, n), family, sql,
                                  pg if pg is not None else to_pg(sql), ordered, error))
        return True

    def fill(self, family, count, templates):
        """Calls templates round-robin (each returns (sql, ordered) or None)
        until family has count queries."""
        tries = 0
        i = 0
        while self.counts.get(family, 0) < count and tries < count * 30:
            t = templates[i % len(templates)]
            i += 1
            tries += 1
            got = t()
            if got:
                self.add(family, got[0], got[1])

    # -- random pieces
    def pick(self, xs, k=None):
        return self.r.choice(xs) if k is None else self.r.sample(xs, k)

    def host(self):
        return self.pick(self.d["hosts"])

    def hosts_in(self, k=None):
        hs = self.pick(self.d["hosts"], k or self.r.randint(2, 4))
        return "(%s)" % ", ".join("'%s'" % h for h in hs)

    def tagval(self, tag):
        return self.pick(self.d["cpu_tag_values"][tag])

    def lit(self, us, style=None):
        """A timestamp literal in one of the spellings both sides accept."""
        t = gen.ts_text(us)
        style = self.r.randrange(3) if style is None else style
        if style == 0:
            return "'%s'" % t
        if style == 1:
            return "'%sZ'" % t.replace(" ", "T")
        return "'%s'" % t.replace(" ", "T")

    def cpu_t(self, lo_frac=0.0, hi_frac=1.0):
        d = self.d
        n = (d["cpu_end"] - d["cpu_start"]) // (d["cpu_step_s"] * 1000000)
        k = self.r.randint(int(n * lo_frac), int(n * hi_frac))
        return d["cpu_start"] + k * d["cpu_step_s"] * 1000000

    def cpu_window(self, min_min=2, max_min=60):
        a = self.cpu_t(0, 0.8)
        a -= a % 60000000
        b = a + self.r.randint(min_min, max_min) * 60000000
        return a, b

    def sens_t(self, lo_frac=0.0, hi_frac=1.0, whole=True):
        d = self.d
        span = d["sensors_end"] - d["sensors_start"]
        t = d["sensors_start"] + int(span * self.r.uniform(lo_frac, hi_frac))
        return t - t % 1000000 if whole else t

    def sens_window(self, min_min=1, max_min=30):
        a = self.sens_t(0, 0.85)
        a -= a % 60000000
        return a, a + self.r.randint(min_min, max_min) * 60000000

    def f(self, k=None):
        return self.pick(CPU_F, k)

    def v(self, lo=5, hi=95):
        return self.pick([str(self.r.randint(lo, hi)), "%.1f" % self.r.uniform(lo, hi)])

    def thr(self, lo, hi):
        """A threshold for a computed (rounded) aggregate such as avg or sum:
        six decimals ending in 7, which no average of values with a few
        decimals equals exactly, so that no result sits on the edge."""
        return "%.5f7" % self.r.uniform(lo, hi)

    def cpu_time_cond(self, col="ts"):
        a, b = self.cpu_window(5, 90)
        return self.pick([
            "%s >= %s AND %s < %s" % (col, self.lit(a), col, self.lit(b)),
            "%s BETWEEN %s AND %s" % (col, self.lit(a), self.lit(b)),
            "%s > %s" % (col, self.lit(a)),
            "%s < %s" % (col, self.lit(b)),
        ])

    def cpu_tag_cond(self):
        t = self.pick(["region", "datacenter", "os", "arch", "team", "hostname"])
        v = self.tagval(t)
        return self.pick([
            "%s = '%s'" % (t, v),
            "%s <> '%s'" % (t, v),
            "hostname IN %s" % self.hosts_in(),
            "region LIKE '%s%%'" % v[:3] if t == "region" else "%s = '%s'" % (t, v),
        ])

    # ====================================================== families

    def fam_select(self):
        r, F = self.r, CPU_F
        T = [
            lambda: ("SELECT ts, hostname, %s FROM cpu WHERE hostname = '%s' ORDER BY ts%s LIMIT %d"
                     % (", ".join(self.f(3)), self.host(), self.pick(["", " DESC", " ASC"]),
                        self.pick([1, 5, 10, 25])), True),
            lambda: ("SELECT * FROM cpu WHERE ts = %s ORDER BY hostname" % self.lit(self.cpu_t()),
                     True),
            lambda: (lambda f, w: ("SELECT hostname, ts, %s FROM cpu WHERE ts >= %s AND ts < %s "
                                   "AND %s > %s ORDER BY hostname, ts"
                                   % (f, self.lit(w[0]), self.lit(w[1]), f, self.v()), True))(
                self.f(), self.cpu_window(1, 6)),
            lambda: ("SELECT * FROM sensors ORDER BY ts LIMIT %d OFFSET %d"
                     % (self.pick([5, 20, 50]), r.randint(0, 4000)), True),
            lambda: (lambda f: ("SELECT hostname, ts, usage_user + usage_system AS busy, "
                                "100 - usage_idle AS notidle, %s * 2 AS dbl, -%s AS neg, "
                                "%s / 3 AS third FROM cpu WHERE hostname IN %s AND ts < %s "
                                "ORDER BY ts, hostname" % (f[0], f[1], f[2], self.hosts_in(),
                                                           self.lit(self.cpu_t(0, 0.05))),
                                True))(self.f(3)),
            lambda: ("SELECT device, location, kind, ts, temperature, humidity, reading, ok, "
                     "status, note FROM sensors WHERE device = '%s' ORDER BY ts%s"
                     % (self.pick(self.d["devices"]), self.pick(["", " LIMIT 40"])), True),
            lambda: ("SELECT * FROM devices WHERE install_year >= %d" % r.randint(2012, 2015),
                     False),
            lambda: ("SELECT device_id, vendor, model, capacity, site FROM devices ORDER BY "
                     "device_id%s" % self.pick(["", " DESC"]), True),
            lambda: (lambda w: ("SELECT ts, hostname, %s FROM cpu WHERE hostname = '%s' AND ts "
                                "BETWEEN %s AND %s" % (self.f(), self.host(), self.lit(w[0]),
                                                       self.lit(w[1])), False))(
                self.cpu_window(1, 20)),
            lambda: (lambda w: ("SELECT ts, device, reading, counter FROM sensors WHERE ts >= %s "
                                "AND ts < %s ORDER BY ts DESC LIMIT %d"
                                % (self.lit(w[0]), self.lit(w[1]), r.randint(1, 30)), True))(
                self.sens_window()),
            lambda: ("SELECT ts, device, temperature FROM sensors WHERE ts = %s"
                     % self.lit(self.pick(self.d["sensor_ts"]), 0), False),
            lambda: ("SELECT %s" % self.pick([
                "1 AS one, 'x' AS s, 2.5 AS d, true AS b, NULL AS n",
                "1 + 2 * 3 AS x, 7 / 2 AS q, 7.0 / 2 AS r, -4 AS neg",
                "'a,b' AS c, 'say \"hi\"' AS q, ' x ' AS sp"]), True),
        ]
        self.fill("select", 40, T)

    def fam_where(self):
        r = self.r

        def cpu_cond():
            kind = r.randrange(9)
            f, g = self.f(2)
            op = self.pick(["=", "<>", "!=", "<", "<=", ">", ">="])
            if kind == 0:
                if op in ("=", "<>", "!="):
                    return "usage_nice %s %d" % (op, r.randint(0, 100))
                return "%s %s %s" % (f, op, self.v())
            if kind == 1:
                return "%s > %s" % (f, g)
            if kind == 2:
                return "(%s > %s OR %s < %s) AND %s" % (f, self.v(50, 95), g, self.v(5, 50),
                                                       self.cpu_tag_cond())
            if kind == 3:
                return "NOT (%s) AND %s %s %s" % (self.cpu_tag_cond(), f, op, self.v())
            if kind == 4:
                return "%s %sIN %s" % (self.pick(["hostname", "hostname"]),
                                       self.pick(["", "NOT "]), self.hosts_in())
            if kind == 5:
                a = r.randint(0, 60)
                return "%s %sBETWEEN %d AND %d" % (f, self.pick(["", "NOT "]), a,
                                                   a + r.randint(1, 40))
            if kind == 6:
                return self.pick(["hostname LIKE 'host_1%'", "hostname LIKE 'host\\_1_'",
                                  "region LIKE '%west%'", "datacenter LIKE 'us-%a'",
                                  "os LIKE 'Ubuntu16%'", "os NOT LIKE '%LTS'",
                                  "region NOT LIKE 'us-%'", "hostname LIKE '%5'",
                                  "team LIKE '_Y_'"])
            if kind == 7:
                return "%s AND %s" % (self.cpu_time_cond(), self.cpu_tag_cond())
            return "(%s OR %s) AND NOT %s > %s" % (self.cpu_tag_cond(), self.cpu_tag_cond(), f,
                                                  self.v(60, 99))

        def sens_cond():
            return self.pick([
                "humidity IS NULL", "humidity IS NOT NULL", "status IS NULL",
                "kind IS NULL", "kind IS NOT NULL", "note IS NOT NULL", "ok IS NULL",
                "ok", "NOT ok", "ok = false", "ok <> true",
                "kind = 'thermo'", "kind <> 'thermo'", "kind NOT IN ('thermo', 'hygro')",
                "kind IN ('combo', 'hygro')", "status = 'error, retrying'",
                "status = 'said \"hi\"'", "status LIKE '%,%'", "status LIKE '%\"%'",
                "status = '  padded  '", "status LIKE 'ok'", "status LIKE 'O%'",
                "location = 'dock 3, north'", "location = 'lab=2'", "location = 'back\\yard'",
                "location LIKE 'hall _'", "reading = 0", "reading < 0", "reading >= 100",
                "temperature = 0", "temperature < 0", "temperature <= -10.5",
                "humidity IS NULL AND reading IS NOT NULL", "reading IN (0, 7, -7)",
                "reading BETWEEN -10 AND 10", "reading NOT BETWEEN -100 AND 100",
                "temperature > humidity", "counter > %d" % r.randint(1000, 30000),
                "ok AND reading > 0", "ok OR humidity > 50", "NOT (ok OR humidity > 50)",
                "device IN ('dev-01', 'dev-05', 'dev-09') AND temperature > 0",
                "ts >= %s AND status <> 'ok'" % self.lit(self.sens_t()),
                "ts < %s OR ts > %s" % (self.lit(self.sens_t(0, 0.2)),
                                         self.lit(self.sens_t(0.8, 1.0))),
            ])

        T = [
            lambda: ("SELECT count(*) AS n FROM cpu WHERE %s" % cpu_cond(), True),
            lambda: ("SELECT hostname, ts, %s FROM cpu WHERE %s ORDER BY hostname, ts LIMIT %d"
                     % (", ".join(self.f(2)), cpu_cond(), r.randint(10, 60)), True),
            lambda: ("SELECT count(*) AS n FROM sensors WHERE %s" % sens_cond(), True),
            lambda: ("SELECT ts, device, kind, temperature, humidity, reading, ok, status FROM "
                     "sensors WHERE %s ORDER BY ts LIMIT %d" % (sens_cond(), r.randint(10, 50)),
                     True),
            lambda: ("SELECT ts, device, reading FROM sensors WHERE %s AND %s"
                     % (sens_cond(), sens_cond()), False),
        ]
        self.fill("where", 55, T)

    def fam_agg(self):
        r = self.r
        T = [
            lambda: (lambda f: ("SELECT count(*) AS n, sum(%s) AS s, avg(%s) AS a, min(%s) AS mn, "
                                "max(%s) AS mx FROM cpu%s" % (f, f, f, f, self.pick(
                                    ["", " WHERE %s" % self.cpu_tag_cond(),
                                     " WHERE %s" % self.cpu_time_cond()])), True))(self.f()),
            lambda: (lambda f: ("SELECT stddev(%s) AS sd, variance(%s) AS var FROM cpu WHERE %s"
                                % (f, f, self.pick(["hostname = '%s'" % self.host(),
                                                    self.cpu_tag_cond()])), True))(self.f()),
            lambda: ("SELECT count(*) AS n, count(humidity) AS nh, count(status) AS ns, "
                     "count(kind) AS nk, count(note) AS nn, count(ok) AS nok FROM sensors%s"
                     % self.pick(["", " WHERE device = '%s'" % self.pick(self.d["devices"])]),
                     True),
            lambda: ("SELECT sum(reading) AS s, avg(reading) AS a, min(reading) AS mn, "
                     "max(reading) AS mx, sum(counter) AS sc FROM sensors%s"
                     % self.pick(["", " WHERE kind = 'thermo'", " WHERE ok"]), True),
            lambda: ("SELECT sum(temperature) AS s, avg(temperature) AS a, min(temperature) AS mn, "
                     "max(temperature) AS mx, avg(humidity) AS ah, stddev(temperature) AS sd "
                     "FROM sensors%s" % self.pick(["", " WHERE reading > 0",
                                                   " WHERE location = 'hall A'"]), True),
            lambda: ("SELECT min(status) AS mn, max(status) AS mx, min(location) AS ml, "
                     "max(kind) AS mk, min(ts) AS t0, max(ts) AS t1 FROM sensors", True),
            lambda: ("SELECT count(*) AS n, sum(%s) AS s, avg(%s) AS a, max(%s) AS mx, "
                     "stddev(%s) AS sd FROM cpu WHERE hostname = 'no such host'"
                     % ((self.f(),) * 4), True),
            lambda: ("SELECT sum(usage_user + usage_system) AS s, avg(usage_idle * 2) AS a, "
                     "max(100 - usage_idle) AS m FROM cpu WHERE %s" % self.cpu_tag_cond(), True),
            lambda: ("SELECT stddev(%s) AS sd, variance(%s) AS v, count(*) AS n FROM cpu "
                     "WHERE hostname = '%s' AND ts = %s" % (self.f(), self.f(), self.host(),
                                                          self.lit(self.cpu_t())), True),
            lambda: ("SELECT min(install_year) AS mn, max(capacity) AS mx, count(capacity) AS nc, "
                     "avg(firmware) AS af, sum(capacity) AS sc FROM devices", True),
            lambda: ("SELECT max(abs(temperature)) AS m, sum(abs(reading)) AS s, "
                     "variance(reading) AS v, stddev(humidity) AS sd FROM sensors WHERE %s"
                     % self.pick(["kind IS NULL", "ok", "NOT ok", "reading <> 0"]), True),
            lambda: ("SELECT count(*) AS n, min(ts) AS first_ts, max(ts) AS last_ts FROM cpu "
                     "WHERE %s" % self.cpu_time_cond(), True),
        ]
        self.fill("agg", 40, T)

    def fam_group(self):
        r = self.r

        def cpu_aggs(k=None):
            fs = self.f(k or r.randint(1, 3))
            out = []
            for i, f in enumerate(fs):
                a = self.pick(["avg", "max", "min", "sum", "stddev"])
                out.append("%s(%s) AS %s_%d" % (a, f, a, i))
            return ", ".join(out)

        def sens_aggs():
            return self.pick([
                "count(*) AS n, avg(temperature) AS t, sum(reading) AS r",
                "count(humidity) AS nh, min(humidity) AS mn, max(humidity) AS mx",
                "min(reading) AS mn, max(reading) AS mx, avg(reading) AS a",
                "count(*) AS n, sum(temperature) AS st, min(status) AS ms",
                "max(counter) AS mc, count(status) AS ns, stddev(temperature) AS sd",
            ])

        T = [
            lambda: (lambda t, o: ("SELECT %s, count(*) AS n, %s FROM cpu GROUP BY %s%s"
                                   % (t, cpu_aggs(), t, " ORDER BY %s" % t if o else ""), o))(
                self.pick(CPU_GROUP_TAGS), r.random() < 0.7),
            lambda: (lambda ts: ("SELECT %s, %s, count(*) AS n, %s FROM cpu WHERE %s GROUP BY "
                                 "%s, %s ORDER BY %s, %s" % (ts[0], ts[1], cpu_aggs(),
                                                             self.cpu_time_cond(), ts[0], ts[1],
                                                             ts[0], ts[1]), True))(
                self.pick(CPU_GROUP_TAGS[:-1], 2)),
            lambda: (lambda t, f: ("SELECT %s, avg(%s) AS a, count(*) AS n FROM cpu GROUP BY %s "
                                   "HAVING %s ORDER BY %s" % (
                                       t, f, t, self.pick(["count(*) > %d" % r.randint(1000, 5000),
                                                           "avg(%s) > %s" % (f, self.thr(30, 70)),
                                                           "max(%s) - min(%s) > %d" % (f, f, r.randint(50, 95)),
                                                           "min(%s) < %s" % (f, self.v(1, 20))]),
                                       t), True))(self.pick(CPU_GROUP_TAGS), self.f()),
            lambda: (lambda t, f: ("SELECT %s, max(%s) AS m FROM cpu GROUP BY %s ORDER BY m DESC, "
                                   "%s LIMIT %d" % (t, f, t, t, r.randint(1, 5)), True))(
                self.pick(CPU_GROUP_TAGS), self.f()),
            lambda: (lambda ts: ("SELECT %s, %s, count(*) AS n FROM cpu GROUP BY 1, 2 ORDER BY "
                                 "1, 2" % tuple(ts), True))(self.pick(CPU_GROUP_TAGS, 2)),
            lambda: (lambda t, o: ("SELECT %s, %s FROM sensors GROUP BY %s%s"
                                   % (t, sens_aggs(), t,
                                      " ORDER BY %s%s" % (t, self.pick(["", " NULLS FIRST",
                                                                        " DESC"])) if o else ""),
                                   o))(self.pick(SENS_GROUP), r.random() < 0.6),
            lambda: (lambda ts: ("SELECT %s, %s, count(*) AS n, avg(humidity) AS h FROM sensors "
                                 "GROUP BY %s, %s" % (ts[0], ts[1], ts[0], ts[1]), False))(
                self.pick(SENS_GROUP, 2)),
            lambda: ("SELECT usage_nice, count(*) AS n FROM cpu WHERE hostname = '%s' GROUP BY "
                     "usage_nice ORDER BY usage_nice" % self.host(), True),
            lambda: ("SELECT reading, count(*) AS n, min(ts) AS t FROM sensors GROUP BY reading "
                     "ORDER BY n DESC, reading LIMIT %d" % r.randint(3, 15), True),
            lambda: ("SELECT count(*) AS n, avg(%s) AS a FROM cpu GROUP BY %s"
                     % (self.f(), self.pick(CPU_GROUP_TAGS)), False),
            lambda: ("SELECT device, kind, count(*) AS n FROM sensors WHERE %s GROUP BY device, "
                     "kind HAVING count(*) > %d ORDER BY device, kind"
                     % (self.pick(["ok", "reading > 0", "humidity IS NOT NULL"]),
                        r.randint(20, 150)), True),
        ]
        self.fill("group", 50, T)

    def fam_count_distinct(self):
        r = self.r
        T = [
            lambda: ("SELECT count(DISTINCT hostname) AS h, count(DISTINCT region) AS r FROM cpu "
                     "WHERE %s" % self.pick([self.cpu_tag_cond(), self.cpu_time_cond()]), True),
            lambda: (lambda t: ("SELECT %s, count(DISTINCT hostname) AS h, count(DISTINCT "
                                "usage_nice) AS nn, count(DISTINCT usage_steal) AS ns FROM cpu "
                                "GROUP BY %s ORDER BY %s" % (t, t, t), True))(
                self.pick(["region", "os", "arch", "team"])),
            lambda: ("SELECT count(DISTINCT status) AS s, count(DISTINCT kind) AS k, "
                     "count(DISTINCT reading) AS r, count(DISTINCT ok) AS b, "
                     "count(DISTINCT temperature) AS t FROM sensors%s"
                     % self.pick(["", " WHERE ts < %s" % self.lit(self.sens_t())]), True),
            lambda: (lambda t: ("SELECT %s, count(DISTINCT location) AS l, count(DISTINCT status) "
                                "AS s, count(*) AS n FROM sensors GROUP BY %s ORDER BY %s"
                                % (t, t, t), True))(self.pick(["device", "kind", "ok"])),
            lambda: ("SELECT count(DISTINCT model) AS m, count(DISTINCT vendor) AS v, "
                     "count(DISTINCT site) AS s FROM devices", True),
            lambda: ("SELECT hostname, count(DISTINCT usage_nice) AS n FROM cpu WHERE ts < %s "
                     "GROUP BY hostname ORDER BY n DESC, hostname LIMIT 5"
                     % self.lit(self.cpu_t(0.1, 0.9)), True),
        ]
        self.fill("count_distinct", 15, T)

    def fam_time_bucket(self):
        r = self.r

        def tb(iv_list=CPU_INTERVALS, origin_p=0.25, col="ts"):
            iv = self.pick(iv_list)
            ivs = self.pick(["'%s'" % iv, "interval '%s'" % iv])
            if r.random() < origin_p:
                return "time_bucket(%s, %s, '%s')" % (ivs, col, self.pick(ORIGINS))
            return "time_bucket(%s, %s)" % (ivs, col)

        T = [
            lambda: (lambda f: ("SELECT %s AS bucket, avg(%s) AS a, max(%s) AS mx, count(*) AS n "
                                "FROM cpu WHERE hostname = '%s' GROUP BY bucket ORDER BY bucket"
                                % (tb(), f, f, self.host()), True))(self.f()),
            lambda: (lambda t, w: ("SELECT %s AS bucket, %s, count(*) AS n, avg(%s) AS a FROM cpu "
                                   "WHERE ts >= %s AND ts < %s GROUP BY bucket, %s ORDER BY "
                                   "bucket, %s" % (tb(CPU_INTERVALS[:9]), t, self.f(),
                                                   self.lit(w[0]), self.lit(w[1]), t, t), True))(
                self.pick(CPU_GROUP_TAGS[:-2]), self.cpu_window(15, 90)),
            lambda: ("SELECT %s AS bucket, count(*) AS n, avg(temperature) AS t, sum(reading) AS "
                     "r, max(humidity) AS h FROM sensors GROUP BY bucket ORDER BY bucket%s"
                     % (tb(SENS_INTERVALS[2:]), self.pick(["", " DESC LIMIT 10"])), True),
            lambda: ("SELECT %s AS b, device, count(*) AS n FROM sensors WHERE device IN "
                     "('dev-01', 'dev-02', 'dev-05') AND ts < %s GROUP BY 1, 2 ORDER BY 1, 2"
                     % (tb(SENS_INTERVALS), self.lit(self.sens_t(0.02, 0.2))), True),
            lambda: (lambda e: ("SELECT %s AS bucket, min(usage_idle) AS m FROM cpu WHERE "
                                "hostname IN %s GROUP BY %s ORDER BY 1 DESC LIMIT %d"
                                % (e, self.hosts_in(), e, r.randint(3, 20)), True))(tb()),
            lambda: ("SELECT count(*) AS n, avg(usage_user) AS a FROM cpu WHERE "
                     "time_bucket('1 hour', ts) = '2016-01-01 0%d:00:00'" % r.randint(0, 2), True),
            lambda: ("SELECT DISTINCT %s AS b FROM cpu ORDER BY b" % tb(CPU_INTERVALS[6:]), True),
            lambda: ("SELECT %s AS ts, count(*) AS n FROM cpu GROUP BY 1 ORDER BY 1"
                     % tb(CPU_INTERVALS[7:]), True),
            lambda: ("SELECT %s AS bucket, kind, avg(temperature) AS t FROM sensors GROUP BY "
                     "bucket, kind" % tb(SENS_INTERVALS[3:]), False),
            lambda: ("SELECT ts, %s AS b FROM sensors WHERE device = '%s' ORDER BY ts LIMIT 30"
                     % (tb(SENS_INTERVALS, 0.5), self.pick(self.d["devices"])), True),
        ]
        self.fill("time_bucket", 50, T)

    def fam_first_last(self):
        r = self.r
        T = [
            lambda: (lambda f: ("SELECT hostname, first(%s, ts) AS f, last(%s, ts) AS l FROM cpu%s "
                                "GROUP BY hostname ORDER BY hostname"
                                % (f, f, self.pick(["", " WHERE %s" % self.cpu_time_cond()])),
                                True))(self.f()),
            lambda: (lambda f: ("SELECT time_bucket('%s', ts) AS bucket, first(%s, ts) AS open, "
                                "max(%s) AS high, min(%s) AS low, last(%s, ts) AS close FROM cpu "
                                "WHERE hostname = '%s' GROUP BY bucket ORDER BY bucket"
                                % (self.pick(CPU_INTERVALS[2:10]), f, f, f, f, self.host()),
                                True))(self.f()),
            lambda: ("SELECT first(temperature, ts) AS f, last(temperature, ts) AS l, "
                     "first(humidity, ts) AS fh, last(humidity, ts) AS lh, first(status, ts) AS "
                     "fs, last(status, ts) AS ls, first(note, ts) AS fn FROM sensors%s"
                     % self.pick(["", " WHERE ts > %s" % self.lit(self.sens_t()),
                                  " WHERE kind IS NULL"]), True),
            lambda: ("SELECT device, first(humidity, ts) AS fh, last(humidity, ts) AS lh, "
                     "last(counter, ts) - first(counter, ts) AS inc, count(*) AS n FROM sensors "
                     "GROUP BY device ORDER BY device", True),
            lambda: (lambda t: ("SELECT %s, first(ok, ts) AS fo, last(location, ts) AS ll, "
                                "first(ts, ts) AS t0, last(reading, ts) AS lr, first(note, ts) AS "
                                "fn FROM sensors GROUP BY %s ORDER BY %s NULLS FIRST"
                                % (t, t, t), True))(self.pick(["kind", "location", "ok",
                                                               "status"])),
            lambda: ("SELECT time_bucket('%s', ts) AS bucket, first(temperature, ts) AS f, "
                     "last(temperature, ts) AS l, first(status, ts) AS s FROM sensors GROUP BY "
                     "bucket ORDER BY bucket" % self.pick(SENS_INTERVALS[3:]), True),
            lambda: (lambda t: ("SELECT hostname, %s, first(usage_idle, ts) AS f, last(usage_user, "
                                "ts) AS l FROM cpu GROUP BY hostname, %s ORDER BY %s, hostname"
                                % (t, t, t), True))(self.pick(CPU_GROUP_TAGS[:-1])),
            lambda: ("SELECT first(%s, ts) AS f, last(%s, ts) AS l FROM cpu WHERE hostname = '%s' "
                     "AND %s" % (self.f(), self.f(), self.host(), self.cpu_time_cond()), True),
            lambda: ("SELECT device, last(temperature, ts) AS lt FROM sensors WHERE ts < %s "
                     "GROUP BY device HAVING last(temperature, ts) > %d ORDER BY device"
                     % (self.lit(self.sens_t(0.3, 1)), r.randint(-10, 20)), True),
        ]
        self.fill("first_last", 30, T)

    def fam_spread(self):
        r = self.r
        T = [
            lambda: (lambda f: ("SELECT hostname, spread(%s) AS s FROM cpu GROUP BY hostname "
                                "ORDER BY hostname" % f, True))(self.f()),
            lambda: ("SELECT device, spread(reading) AS sr, spread(temperature) AS st, "
                     "spread(humidity) AS sh FROM sensors GROUP BY device ORDER BY device", True),
            lambda: ("SELECT spread(%s) AS s, spread(usage_nice) AS n FROM cpu WHERE %s"
                     % (self.f(), self.pick([self.cpu_tag_cond(), self.cpu_time_cond()])), True),
            lambda: ("SELECT time_bucket('%s', ts) AS bucket, spread(%s) AS s FROM cpu WHERE "
                     "hostname = '%s' GROUP BY bucket ORDER BY bucket"
                     % (self.pick(CPU_INTERVALS[3:10]), self.f(), self.host()), True),
            lambda: (lambda f: ("SELECT region, spread(%s) AS s FROM cpu GROUP BY region HAVING "
                                "spread(%s) > %d ORDER BY region" % (f, f, r.randint(60, 99)),
                                True))(self.f()),
            lambda: ("SELECT kind, spread(counter) AS s, spread(reading) AS r FROM sensors GROUP BY "
                     "kind ORDER BY kind", True),
            lambda: ("SELECT spread(temperature) AS st, spread(reading) AS sr FROM sensors WHERE "
                     "device = '%s'" % self.pick(self.d["devices"]), True),
        ]
        self.fill("spread", 15, T)

    def fam_percentile(self):
        r = self.r
        P = ["0", "0.25", "0.5", "0.9", "0.99", "1", "0.333"]
        T = [
            lambda: ("SELECT percentile_cont(%s) WITHIN GROUP (ORDER BY %s) AS p FROM cpu%s"
                     % (self.pick(P), self.f(), self.pick(["", " WHERE %s" % self.cpu_tag_cond()])),
                     True),
            lambda: (lambda t, f: ("SELECT %s, percentile_cont(0.5) WITHIN GROUP (ORDER BY %s) AS "
                                   "med, percentile_cont(%s) WITHIN GROUP (ORDER BY %s) AS p FROM "
                                   "cpu GROUP BY %s ORDER BY %s" % (t, f, self.pick(P), f, t, t),
                                   True))(self.pick(CPU_GROUP_TAGS), self.f()),
            lambda: ("SELECT device, percentile_cont(%s) WITHIN GROUP (ORDER BY reading) AS pr, "
                     "percentile_cont(0.5) WITHIN GROUP (ORDER BY humidity) AS ph FROM sensors "
                     "GROUP BY device ORDER BY device" % self.pick(P), True),
            lambda: ("SELECT percentile_cont(%s) WITHIN GROUP (ORDER BY temperature DESC) AS p, "
                     "percentile_cont(%s) WITHIN GROUP (ORDER BY counter) AS c FROM sensors"
                     % (self.pick(P), self.pick(P)), True),
            lambda: ("SELECT time_bucket('%s', ts) AS bucket, percentile_cont(0.9) WITHIN GROUP "
                     "(ORDER BY %s) AS p90 FROM cpu WHERE hostname = '%s' GROUP BY bucket ORDER BY "
                     "bucket" % (self.pick(CPU_INTERVALS[4:10]), self.f(), self.host()), True),
        ]
        self.fill("percentile", 15, T)

    def fam_window(self):
        r = self.r
        early = lambda: self.lit(self.cpu_t(0.005, 0.02))  # noqa: E731
        part = "PARTITION BY hostname ORDER BY ts"
        T = [
            lambda: ("SELECT hostname, ts, %s, row_number() OVER (%s) AS rn FROM cpu WHERE ts < %s "
                     "ORDER BY hostname, ts" % (self.f(), part, early()), True),
            lambda: ("SELECT * FROM (SELECT hostname, ts, %s, row_number() OVER (PARTITION BY "
                     "hostname ORDER BY ts DESC) AS rn FROM cpu) sq WHERE rn <= %d ORDER BY "
                     "hostname, rn" % (self.f(), r.randint(1, 3)), True),
            lambda: (lambda f: ("SELECT hostname, ts, %s, lag(%s) OVER (%s) AS prev, lead(%s) OVER "
                                "(%s) AS next FROM cpu WHERE hostname IN %s AND ts < %s ORDER BY "
                                "hostname, ts" % (f, f, part, f, part, self.hosts_in(), early()),
                                True))(self.f()),
            lambda: (lambda f: ("SELECT hostname, ts, %s - lag(%s) OVER (%s) AS delta, lag(%s, 2) "
                                "OVER (%s) AS prev2, lead(%s, 1, 0.0) OVER (%s) AS nxt FROM cpu "
                                "WHERE ts < %s ORDER BY hostname, ts"
                                % (f, f, part, f, part, f, part, early()), True))(self.f()),
            lambda: (lambda f: ("SELECT hostname, ts, sum(%s) OVER (%s) AS running, avg(%s) OVER "
                                "(%s) AS ravg, count(*) OVER (%s) AS c FROM cpu WHERE hostname = "
                                "'%s' AND ts < %s ORDER BY ts"
                                % (f, part, f, part, part, self.host(),
                                   self.lit(self.cpu_t(0.02, 0.1))), True))(self.f()),
            lambda: ("SELECT device, ts, counter, counter - lag(counter) OVER (PARTITION BY device "
                     "ORDER BY ts) AS inc FROM sensors WHERE %s ORDER BY ts"
                     % self.pick(["device = '%s'" % self.pick(self.d["devices"]),
                                  "ts < %s" % self.lit(self.sens_t(0.01, 0.05))]), True),
            lambda: ("SELECT ts, device, reading, row_number() OVER (ORDER BY ts) AS rn, "
                     "sum(reading) OVER (ORDER BY ts) AS rs FROM sensors WHERE ts < %s ORDER BY ts"
                     % self.lit(self.sens_t(0.01, 0.05)), True),
            lambda: ("SELECT device, ts, humidity, lag(humidity) OVER (PARTITION BY device ORDER "
                     "BY ts) AS ph, sum(reading) OVER (PARTITION BY device ORDER BY ts) AS rs, "
                     "avg(temperature) OVER (PARTITION BY device ORDER BY ts) AS at FROM sensors "
                     "WHERE device IN ('%s', '%s') ORDER BY ts"
                     % tuple(self.pick(self.d["devices"], 2)), True),
            lambda: ("SELECT kind, ts, temperature, avg(temperature) OVER (PARTITION BY kind ORDER "
                     "BY ts) AS ra, row_number() OVER (PARTITION BY kind ORDER BY ts) AS rn FROM "
                     "sensors WHERE ts < %s ORDER BY ts" % self.lit(self.sens_t(0.02, 0.06)),
                     True),
            lambda: (lambda f: ("SELECT bucket, a, a - lag(a) OVER (ORDER BY bucket) AS d, "
                                "row_number() OVER (ORDER BY bucket DESC) AS rn FROM (SELECT "
                                "time_bucket('%s', ts) AS bucket, avg(%s) AS a FROM cpu WHERE "
                                "hostname = '%s' GROUP BY bucket) sq ORDER BY bucket"
                                % (self.pick(CPU_INTERVALS[4:10]), f, self.host()), True))(
                self.f()),
            lambda: (lambda f: ("SELECT region, avg(%s) AS a, row_number() OVER (ORDER BY avg(%s) "
                                "DESC) AS rnk FROM cpu GROUP BY region ORDER BY region"
                                % (f, f), True))(self.pick(FULL_F)),
            lambda: (lambda f: ("SELECT hostname, ts, %s, avg(%s) OVER (PARTITION BY hostname) AS "
                                "host_avg, max(%s) OVER (PARTITION BY hostname) AS host_max FROM "
                                "cpu WHERE ts = %s ORDER BY hostname"
                                % (f, f, f, self.lit(self.cpu_t())), True))(self.f()),
            lambda: ("SELECT device, ts, status, lead(status) OVER (PARTITION BY device ORDER BY "
                     "ts) AS next_status, lag(ok) OVER (PARTITION BY device ORDER BY ts) AS "
                     "prev_ok FROM sensors WHERE device = '%s' ORDER BY ts"
                     % self.pick(self.d["devices"]), True),
        ]
        self.fill("window", 40, T)

    def fam_datetime(self):
        r = self.r
        EXTRACT = ["year", "month", "day", "hour", "minute", "second", "epoch", "dow", "doy",
                   "microseconds", "milliseconds", "week", "quarter", "isodow"]
        T = [
            lambda: ("SELECT date_trunc('%s', ts) AS t, count(*) AS n, avg(%s) AS a FROM cpu "
                     "WHERE hostname = '%s' GROUP BY 1 ORDER BY 1"
                     % (self.pick(["minute", "hour", "day", "week"]), self.f(), self.host()),
                     True),
            lambda: ("SELECT date_trunc('%s', ts) AS t, count(*) AS n, max(reading) AS m FROM "
                     "sensors WHERE ts < %s GROUP BY 1 ORDER BY 1"
                     % (self.pick(["second", "minute", "hour"]),
                        self.lit(self.sens_t(0.01, 0.1))), True),
            lambda: (lambda fl: ("SELECT ts, extract(%s FROM ts) AS x, date_part('%s', ts) AS y "
                                 "FROM sensors WHERE device = '%s' ORDER BY ts LIMIT 25"
                                 % (fl, fl, self.pick(self.d["devices"])), True))(
                self.pick(EXTRACT)),
            lambda: ("SELECT extract(%s FROM ts) AS h, count(*) AS n FROM cpu GROUP BY 1 ORDER BY 1"
                     % self.pick(["hour", "minute", "second", "dow"]), True),
            lambda: ("SELECT count(*) AS n FROM cpu WHERE extract(minute FROM ts) = %d AND "
                     "extract(second FROM ts) = 0" % r.randint(0, 59), True),
            lambda: (lambda a: ("SELECT count(*) AS n, min(ts) AS t0 FROM cpu WHERE ts >= "
                                "to_timestamp(%d) AND ts < to_timestamp(%s)"
                                % (a, self.pick([str(a + r.randint(60, 3600)),
                                                    "%d.5" % (a + r.randint(60, 3600))])),
                                True))(self.cpu_t() // 1000000),
            lambda: ("SELECT to_timestamp(%s) AS t" % self.pick(
                ["1451606400", "1451606400.25", "0", "1451606400 + 3600"]), True),
            lambda: ("SELECT ts, ts + interval '%s' AS later, ts - interval '%s' AS earlier FROM cpu "
                     "WHERE hostname = '%s' ORDER BY ts LIMIT 5"
                     % (self.pick(["1 hour", "90 seconds", "1 day", "1 hour 30 minutes"]),
                        self.pick(["1 minute", "10 seconds", "2 days"]), self.host()), True),
            lambda: ("SELECT count(*) AS n FROM cpu WHERE ts > TIMESTAMP '2016-01-01 0%d:00:00' - "
                     "interval '%d minutes'" % (r.randint(1, 2), r.randint(5, 50)), True),
            lambda: ("SELECT count(*) AS n FROM sensors WHERE ts + interval '1 day' < "
                     "'2016-01-02 0%d:%02d:00'" % (r.randint(0, 1), r.randint(0, 59)), True),
            lambda: ("SELECT floor(extract(epoch FROM ts) / %d) AS slot, count(*) AS n FROM "
                     "sensors GROUP BY 1 ORDER BY 1 LIMIT 20" % self.pick([60, 300, 900]), True),
            lambda: ("SELECT ts, extract(epoch FROM ts) AS e, extract(second FROM ts) AS s, "
                     "extract(microseconds FROM ts) AS us FROM sensors WHERE ts > %s ORDER BY ts "
                     "LIMIT 10" % self.lit(self.sens_t()), True),
            lambda: ("SELECT date_part('%s', ts) AS d, count(*) AS n FROM sensors GROUP BY 1"
                     % self.pick(["hour", "minute"]), False),
            lambda: ("SELECT ts, date_trunc('millisecond', ts) AS ms, date_trunc('second', ts) AS s "
                     "FROM sensors WHERE device = '%s' ORDER BY ts LIMIT 10"
                     % self.pick(self.d["devices"]), True),
        ]
        self.fill("datetime", 40, T)

    def fam_case_cast(self):
        r = self.r
        T = [
            lambda: (lambda f: ("SELECT hostname, ts, CASE WHEN %s > 80 THEN 'high' WHEN %s > 40 "
                                "THEN 'mid' ELSE 'low' END AS lvl FROM cpu WHERE hostname = '%s' "
                                "ORDER BY ts LIMIT 20" % (f, f, self.host()), True))(self.f()),
            lambda: (lambda f: ("SELECT CASE WHEN %s > %d THEN 'high' WHEN %s > %d THEN 'mid' ELSE "
                                "'low' END AS lvl, count(*) AS n FROM cpu GROUP BY 1 ORDER BY 1"
                                % (f, r.randint(60, 90), f, r.randint(10, 50)), True))(self.f()),
            lambda: ("SELECT hostname, CASE region WHEN 'us-east-1' THEN 'east' WHEN 'us-west-1' "
                     "THEN 'west' WHEN 'us-west-2' THEN 'west' END AS coast FROM cpu WHERE ts = %s "
                     "ORDER BY hostname" % self.lit(self.cpu_t()), True),
            lambda: ("SELECT ts, CASE WHEN humidity IS NULL THEN -1 ELSE humidity END AS h, "
                     "CASE WHEN ok THEN 'yes' WHEN NOT ok THEN 'no' END AS o FROM sensors WHERE "
                     "device = '%s' ORDER BY ts LIMIT 30" % self.pick(self.d["devices"]), True),
            lambda: (lambda f: ("SELECT ts, CAST(%s AS bigint) AS i, %s::bigint AS j, %s::text AS "
                                "t FROM cpu WHERE hostname = '%s' ORDER BY ts LIMIT 15"
                                % (f, self.pick(["usage_guest", "usage_nice"]), f, self.host()),
                                True))(self.f()),
            lambda: ("SELECT ts, reading::double precision / 3 AS d, CAST(reading AS text) AS t, "
                     "ok::text AS b, CAST(counter AS varchar) AS c FROM sensors WHERE ts < %s "
                     "ORDER BY ts" % self.lit(self.sens_t(0.005, 0.02)), True),
            lambda: ("SELECT hostname, CAST(rack AS bigint) AS rk, CAST(service AS bigint) + 1 AS "
                     "sv FROM cpu WHERE ts = %s AND CAST(rack AS bigint) < %d ORDER BY hostname"
                     % (self.lit(self.cpu_t()), r.randint(30, 90)), True),
            lambda: ("SELECT %s" % self.pick([
                "'42'::bigint AS a, CAST('3.25' AS double precision) AS b, CAST('t' AS boolean) "
                "AS c, CAST(7 AS text) AS d",
                "CAST('2016-01-01 00:00:10.5' AS timestamp) AS t, '-0'::double precision AS z, "
                "CAST('1e3' AS double precision) AS e",
                "CAST(2.5 AS bigint) AS a, CAST(3.5 AS bigint) AS b, CAST(-2.5 AS bigint) AS c, "
                "CAST('false' AS boolean) AS d",
                "CAST(1.0e15 AS double precision) AS a, 1e16::double precision AS b, "
                "0.1::double precision + 0.2::double precision AS c"]), True),
            lambda: ("SELECT sum(CAST(rack AS bigint)) AS s, max(CAST(service AS bigint)) AS m, "
                     "avg(usage_nice::bigint) AS a FROM cpu", True),
            lambda: ("SELECT ts, COALESCE(humidity, -1) AS h, COALESCE(status, note, 'none') AS s, "
                     "COALESCE(temperature, humidity, 0.0) AS t FROM sensors WHERE ts < %s ORDER "
                     "BY ts" % self.lit(self.sens_t(0.005, 0.02)), True),
            lambda: ("SELECT COALESCE(kind, 'unknown') AS k, count(*) AS n FROM sensors GROUP BY 1 "
                     "ORDER BY 1", True),
            lambda: (lambda fs: ("SELECT hostname, ts, %s > %s AS gt, %s <= %s AS le FROM cpu "
                                 "WHERE hostname = '%s' ORDER BY ts LIMIT 10"
                                 % (fs[0], fs[1], fs[0], self.v(), self.host()), True))(
                self.f(2)),
            lambda: ("SELECT ts, ok, NOT ok AS notok, ok AND reading > 0 AS a, ok OR reading > 0 "
                     "AS o, humidity > 50 AS hum FROM sensors WHERE ts < %s ORDER BY ts"
                     % self.lit(self.sens_t(0.005, 0.02)), True),
            lambda: ("SELECT device, sum(CASE WHEN ok THEN 1 ELSE 0 END) AS n_ok, count(CASE WHEN "
                     "reading > 0 THEN 1 END) AS n_pos, count(*) AS n FROM sensors GROUP BY device "
                     "ORDER BY device", True),
            lambda: ("SELECT CASE WHEN %s > 50 THEN hostname ELSE region END AS k, count(*) AS n "
                     "FROM cpu GROUP BY 1" % self.f(), False),
            lambda: ("SELECT ts, CAST(ts AS text) AS t FROM sensors WHERE device = '%s' ORDER BY "
                     "ts LIMIT 5" % self.pick(self.d["devices"]), True),
        ]
        self.fill("case_cast", 40, T)

    def fam_math(self):
        r = self.r
        T = [
            lambda: (lambda f: ("SELECT ts, %s, abs(%s - 50) AS a, round(%s) AS r, floor(%s) AS "
                                "fl, ceil(%s) AS c, sqrt(%s) AS sq FROM cpu WHERE hostname = '%s' "
                                "ORDER BY ts LIMIT 20" % ((f,) * 6 + (self.host(),)), True))(
                self.f()),
            lambda: (lambda f: ("SELECT ts, ln(%s + 1) AS l, exp(%s / 100) AS e, power(%s, 2) AS "
                                "p2, power(2, %s / 25) AS p, power(%s, 0.5) AS h FROM cpu WHERE "
                                "hostname = '%s' ORDER BY ts LIMIT 20"
                                % ((f,) * 5 + (self.host(),)), True))(self.f()),
            lambda: ("SELECT ts, temperature, abs(temperature) AS a, round(temperature) AS r, "
                     "floor(temperature) AS fl, ceil(temperature) AS c FROM sensors WHERE ts < %s "
                     "ORDER BY ts" % self.lit(self.sens_t(0.005, 0.03)), True),
            lambda: ("SELECT ts, usage_guest, round(usage_guest) AS r FROM cpu WHERE hostname = "
                     "'%s' ORDER BY ts LIMIT 40" % self.host(), True),
            lambda: ("SELECT ts, reading, reading * 3 + counter AS x, reading / 7 AS q, -reading AS "
                     "n, abs(reading) AS a, reading / 2.0 AS h FROM sensors WHERE reading IS NOT "
                     "NULL AND ts < %s ORDER BY ts" % self.lit(self.sens_t(0.005, 0.03)), True),
            lambda: (lambda f: ("SELECT hostname, avg(sqrt(%s)) AS a, sum(abs(%s - 50)) AS s, "
                                "max(power(%s, 2)) AS m FROM cpu GROUP BY hostname ORDER BY hostname"
                                % (f, f, f), True))(self.f()),
            lambda: (lambda f: ("SELECT ts, round(%s * 100) / 100 AS r2, floor(%s / 10) * 10 AS "
                                "decade FROM cpu WHERE hostname = '%s' ORDER BY ts LIMIT 20"
                                % (f, f, self.host()), True))(self.f()),
            lambda: ("SELECT count(*) AS n FROM cpu WHERE floor(%s) = %d" % (self.f(),
                                                                            r.randint(20, 80)),
                     True),
            lambda: ("SELECT ts, sqrt(abs(reading)) AS s, ln(abs(reading) + 1) AS l, "
                     "exp(temperature / 20) AS e FROM sensors WHERE device = '%s' ORDER BY ts "
                     "LIMIT 20" % self.pick(self.d["devices"]), True),
            lambda: ("SELECT %s" % self.pick([
                "abs(-5) AS a, power(2, 10) AS p, sqrt(16) AS s, floor(-2.5) AS f, ceil(-2.5) AS c",
                "round(2.5) AS a, round(-2.5) AS b, round(0.5) AS c, ln(1) AS l, exp(0) AS e",
                "7 / 2 AS a, -7 / 2 AS b, 7.0 / 2 AS c, 2 * 3 + 4 AS d, 10 - 2 - 3 AS e",
                "abs(-2.5::double precision) AS a, round(2.5::double precision) AS b, "
                "round(3.5::double precision) AS c, ceil(-0.5::double precision) AS d"]), True),
            lambda: ("SELECT device, sum(abs(temperature)) AS s, avg(reading * 2) AS a, "
                     "max(abs(reading) / 3) AS m FROM sensors GROUP BY device ORDER BY device",
                     True),
        ]
        self.fill("math", 30, T)

    def fam_string(self):
        r = self.r
        dev = lambda: self.pick(self.d["devices"])  # noqa: E731
        T = [
            lambda: ("SELECT DISTINCT hostname, lower(hostname) AS l, upper(hostname) AS u, "
                     "length(hostname) AS n FROM cpu ORDER BY hostname", True),
            lambda: ("SELECT DISTINCT hostname, region, substr(hostname, 1, %d) AS a, substr(region, "
                     "%d) AS b, substr(region, %d, %d) AS c FROM cpu ORDER BY hostname"
                     % (r.randint(1, 6), r.randint(1, 8), r.randint(-2, 3), r.randint(1, 5)),
                     True),
            lambda: ("SELECT DISTINCT status, length(status) AS n, upper(status) AS u, "
                     "lower(status) AS l, substr(status, %d, %d) AS s FROM sensors ORDER BY status"
                     % (r.randint(0, 3), r.randint(1, 4)), True),
            lambda: ("SELECT DISTINCT status, substr(status, 50) AS tail, COALESCE(note, '') AS n2, "
                     "'' AS e FROM sensors WHERE device = '%s' AND ts < %s" % (
                         dev(), self.lit(self.sens_t(0.1, 0.5))), False),
            lambda: ("SELECT DISTINCT hostname, concat(hostname, '/', region) AS hr, hostname || "
                     "'-' || rack AS hk FROM cpu ORDER BY hostname", True),
            lambda: ("SELECT DISTINCT device, kind, location, concat(kind, '/', location) AS c, "
                     "kind || '/' || location AS p FROM sensors ORDER BY device, location", True),
            lambda: ("SELECT count(*) AS n FROM sensors WHERE %s" % self.pick([
                "status LIKE '%retry%'", "location LIKE '%,%'", "status LIKE '% %'",
                "upper(status) = 'OK'", "lower(status) LIKE 'o%'", "length(status) > 5",
                "length(location) = 4", "status LIKE '%\\\\%'", "concat(device, kind) LIKE "
                "'dev-0%o'"]), True),
            lambda: ("SELECT lower(model) AS m, count(*) AS n FROM devices GROUP BY 1 ORDER BY 1",
                     True),
            lambda: ("SELECT device_id, model, length(model) AS n, upper(model) AS u FROM devices "
                     "WHERE model LIKE '%s' ORDER BY device_id"
                     % self.pick(["TX%", "%\"%", "%,%", "tx%", "%-%"]), True),
            lambda: ("SELECT ts, concat(device, ':', reading) AS a, 'v=' || reading AS b, "
                     "concat(hostname_like, '') AS c FROM (SELECT ts, device, reading, location "
                     "AS hostname_like FROM sensors WHERE device = '%s') sq ORDER BY ts LIMIT 15"
                     % dev(), True),
            lambda: ("SELECT DISTINCT hostname, concat(hostname, usage_nice) AS hn FROM cpu WHERE "
                     "ts = %s ORDER BY hostname" % self.lit(self.cpu_t()), True),
            lambda: ("SELECT DISTINCT status FROM sensors ORDER BY status%s"
                     % self.pick(["", " DESC", " NULLS FIRST"]), True),
            lambda: ("SELECT count(*) AS n FROM cpu WHERE upper(hostname) = 'HOST_%d' AND "
                     "length(region) > %d" % (r.randint(0, 19), r.randint(5, 10)), True),
            lambda: ("SELECT location, length(location) AS n, count(*) AS c FROM sensors GROUP BY "
                     "location ORDER BY location DESC", True),
        ]
        self.fill("string", 35, T)

    def fam_subquery(self):
        r = self.r
        T = [
            lambda: (lambda f, a: ("SELECT region, avg(m) AS avg_m, count(*) AS hosts FROM (SELECT "
                                   "hostname, region, %s(%s) AS m FROM cpu GROUP BY hostname, "
                                   "region) sq GROUP BY region ORDER BY region" % (a, f), True))(
                self.f(), self.pick(["max", "min", "avg"])),
            lambda: ("WITH b AS (SELECT time_bucket('%s', ts) AS bucket, hostname, avg(%s) AS a "
                     "FROM cpu GROUP BY bucket, hostname) SELECT bucket, max(a) AS hi, min(a) AS "
                     "lo, count(*) AS n FROM b GROUP BY bucket ORDER BY bucket"
                     % (self.pick(CPU_INTERVALS[5:11]), self.f()), True),
            lambda: ("WITH a AS (SELECT hostname, region, avg(%s) AS x FROM cpu GROUP BY hostname, "
                     "region), b AS (SELECT region, max(x) AS mx FROM a GROUP BY region) SELECT "
                     "a.region, a.hostname, a.x FROM a JOIN b ON a.region = b.region AND a.x = "
                     "b.mx ORDER BY a.region, a.hostname" % self.pick(FULL_F), True),
            lambda: ("SELECT avg(%s) AS a, count(*) AS n, min(ts) AS t FROM (SELECT ts, %s FROM cpu "
                     "WHERE hostname = '%s' ORDER BY ts DESC LIMIT %d) sq"
                     % ((self.f(),) * 2 + (self.host(), r.randint(5, 100))), True),
            lambda: ("SELECT k, n FROM (SELECT kind AS k, count(*) AS n FROM (SELECT kind, device "
                     "FROM sensors WHERE reading > %d) s1 GROUP BY kind) s2 ORDER BY k NULLS FIRST"
                     % r.randint(-100, 100), True),
            lambda: ("WITH h AS (SELECT hostname, avg(%s) AS a FROM cpu GROUP BY hostname) SELECT "
                     "x.hostname, x.a, count(*) AS below FROM h x JOIN h y ON y.a < x.a GROUP BY "
                     "x.hostname, x.a ORDER BY x.hostname" % self.pick(FULL_F), True),
            lambda: ("SELECT * FROM (SELECT device, count(*) AS n, avg(temperature) AS t FROM "
                     "sensors GROUP BY device) sq WHERE n > %d ORDER BY device"
                     % r.randint(150, 260), True),
            lambda: ("WITH d AS (SELECT device, ts, counter - lag(counter) OVER (PARTITION BY "
                     "device ORDER BY ts) AS inc FROM sensors) SELECT device, sum(inc) AS s, "
                     "max(inc) AS m, count(inc) AS n FROM d GROUP BY device ORDER BY device", True),
            lambda: ("WITH x AS (SELECT device, first(temperature, ts) AS f, last(temperature, ts) "
                     "AS l FROM sensors GROUP BY device) SELECT count(*) AS n, sum(l - f) AS total, "
                     "max(l) AS ml FROM x", True),
            lambda: ("SELECT sq.hostname, sq.mx - sq.mn AS rng FROM (SELECT hostname, max(%s) AS "
                     "mx, min(%s) AS mn FROM cpu WHERE %s GROUP BY hostname) sq ORDER BY rng DESC, "
                     "hostname LIMIT %d" % (self.f(), self.f(), self.cpu_time_cond(),
                                            r.randint(3, 10)), True),
            lambda: ("WITH t AS (SELECT ts, device, reading FROM sensors WHERE reading IS NOT NULL) "
                     "SELECT device, count(*) AS n FROM t WHERE reading %s 0 GROUP BY device"
                     % self.pick(["<", ">", "="]), False),
        ]
        self.fill("subquery", 30, T)

    def fam_join(self):
        r = self.r
        T = [
            lambda: ("SELECT s.device, d.model, count(*) AS n FROM sensors s JOIN devices d ON "
                     "s.device = d.device_id GROUP BY s.device, d.model ORDER BY s.device", True),
            lambda: ("SELECT s.device, d.vendor, d.site, count(*) AS n FROM sensors s LEFT JOIN "
                     "devices d ON s.device = d.device_id GROUP BY s.device, d.vendor, d.site "
                     "ORDER BY s.device", True),
            lambda: ("SELECT d.device_id, count(s.ts) AS n, avg(s.temperature) AS t, max(s.ts) AS "
                     "last_seen FROM devices d LEFT JOIN sensors s ON s.device = d.device_id GROUP "
                     "BY d.device_id ORDER BY d.device_id", True),
            lambda: ("SELECT s.ts, s.device, s.reading, d.firmware, d.capacity FROM sensors s JOIN "
                     "devices d ON s.device = d.device_id WHERE %s AND s.ts < %s ORDER BY s.ts"
                     % (self.pick(["d.active", "NOT d.active", "d.install_year > 2013",
                                   "d.capacity IS NULL"]),
                        self.lit(self.sens_t(0.01, 0.05))), True),
            lambda: ("SELECT s.device, count(*) AS n FROM sensors s JOIN devices d ON s.device = "
                     "d.device_id AND s.ok = d.active GROUP BY s.device ORDER BY s.device", True),
            lambda: ("SELECT s.ts, s.device, d.install_year FROM sensors s LEFT JOIN devices d ON "
                     "s.device = d.device_id AND d.install_year > %d WHERE s.ts < %s ORDER BY s.ts"
                     % (r.randint(2012, 2014), self.lit(self.sens_t(0.005, 0.02))), True),
            lambda: (lambda f: ("SELECT a.hostname, a.ts, a.%s - b.%s AS d FROM cpu a JOIN cpu b "
                                "ON a.hostname = b.hostname AND b.ts = a.ts - interval '10 seconds' "
                                "WHERE a.hostname = '%s' AND a.ts < %s ORDER BY a.ts"
                                % (f, f, self.host(), self.lit(self.cpu_t(0.01, 0.05))), True))(
                self.f()),
            lambda: (lambda f: ("SELECT c.hostname, c.ts, c.%s FROM cpu c JOIN (SELECT hostname, "
                                "max(%s) AS m FROM cpu GROUP BY hostname) m ON c.hostname = "
                                "m.hostname AND c.%s = m.m ORDER BY c.hostname, c.ts"
                                % (f, f, f), True))(self.f()),
            lambda: (lambda f: ("SELECT a.region, a.n, b.mx FROM (SELECT region, count(*) AS n FROM "
                                "cpu GROUP BY region) a JOIN (SELECT region, max(%s) AS mx FROM "
                                "cpu GROUP BY region) b ON a.region = b.region ORDER BY a.region"
                                % f, True))(self.f()),
            lambda: ("SELECT s.device, d.model, st.n, st.t FROM (SELECT device, count(*) AS n, "
                     "max(temperature) AS t FROM sensors GROUP BY device) st JOIN devices d ON "
                     "st.device = d.device_id JOIN sensors s ON s.device = st.device AND s.ts = %s "
                     "ORDER BY s.device" % self.lit(self.pick(self.d["sensor_ts"]), 0), True),
            lambda: ("WITH latest AS (SELECT device, max(ts) AS t FROM sensors GROUP BY device) "
                     "SELECT s.device, s.ts, s.temperature, s.status FROM sensors s JOIN latest l "
                     "ON s.device = l.device AND s.ts = l.t ORDER BY s.device", True),
            lambda: ("SELECT d.vendor, count(*) AS n, avg(s.reading) AS r FROM sensors s JOIN "
                     "devices d ON s.device = d.device_id WHERE s.ts < %s GROUP BY d.vendor"
                     % self.lit(self.sens_t(0.3, 1)), False),
            lambda: ("SELECT s.ts, s.device, d.model FROM devices d JOIN sensors s ON d.device_id "
                     "= s.device WHERE s.status = '%s' AND s.ts < %s ORDER BY s.ts" % (
                         self.pick(["ok", "warn", "error, retrying"]),
                         self.lit(self.sens_t(0.1, 0.4))), True),
        ]
        self.fill("join", 30, T)

    def fam_set(self):
        r = self.r
        T = [
            lambda: ("SELECT DISTINCT %s FROM cpu ORDER BY %s" % ((self.pick(CPU_GROUP_TAGS),) * 2),
                     True),
            lambda: ("SELECT DISTINCT %s, %s FROM cpu" % tuple(self.pick(CPU_GROUP_TAGS, 2)),
                     False),
            lambda: ("SELECT DISTINCT %s FROM cpu WHERE hostname = '%s' ORDER BY 1%s"
                     % (self.pick(["usage_nice", "usage_steal"]), self.host(),
                        self.pick(["", " DESC"])), True),
            lambda: ("SELECT DISTINCT %s FROM sensors" % self.pick(
                ["kind", "ok", "status", "location", "ok, kind", "kind, location"]), False),
            lambda: ("SELECT DISTINCT reading FROM sensors ORDER BY reading %s"
                     % self.pick(["DESC", "ASC", "NULLS FIRST", "DESC NULLS LAST"]), True),
            lambda: ("SELECT count(*) AS n FROM (SELECT DISTINCT %s FROM %s) sq" % self.pick([
                ("hostname, usage_nice", "cpu"), ("reading", "sensors"),
                ("device, status", "sensors"), ("temperature", "sensors"),
                ("region, os, arch", "cpu")]), True),
            lambda: ("SELECT DISTINCT ON (hostname) hostname, ts, %s FROM cpu%s ORDER BY hostname, "
                     "ts DESC" % (self.f(), self.pick(["", " WHERE %s" % self.cpu_time_cond()])),
                     True),
            lambda: ("SELECT DISTINCT ON (device) device, ts, temperature, status FROM sensors "
                     "ORDER BY device, ts%s" % self.pick(["", " DESC"]), True),
            lambda: (lambda f: ("SELECT DISTINCT ON (region) region, hostname, %s FROM cpu WHERE ts "
                                "= %s ORDER BY region, %s DESC, hostname"
                                % (f, self.lit(self.cpu_t()), f), True))(self.f()),
            lambda: ("SELECT DISTINCT ON (kind) kind, ts, device FROM sensors WHERE %s ORDER BY "
                     "kind, ts" % self.pick(["ok", "reading < 0", "true"]), True),
            lambda: (lambda f: ("SELECT hostname AS name, max(%s) AS m FROM cpu GROUP BY hostname "
                                "UNION ALL SELECT device, max(temperature) FROM sensors GROUP BY "
                                "device ORDER BY name" % f, True))(self.f()),
            lambda: ("SELECT 'cpu' AS t, count(*) AS n FROM cpu UNION ALL SELECT 'sensors', "
                     "count(*) FROM sensors UNION ALL SELECT 'devices', count(*) FROM devices",
                     False),
            lambda: ("SELECT region FROM cpu WHERE hostname = '%s' AND ts < %s UNION ALL SELECT "
                     "region FROM cpu WHERE hostname = '%s' AND ts < %s"
                     % (self.host(), self.lit(self.cpu_t(0, 0.02)), self.host(),
                        self.lit(self.cpu_t(0, 0.02))), False),
            lambda: ("SELECT k, count(*) AS n FROM (SELECT kind AS k FROM sensors UNION ALL SELECT "
                     "vendor FROM devices) u GROUP BY k ORDER BY k NULLS FIRST", True),
            lambda: ("SELECT reading AS v FROM sensors WHERE device = '%s' AND reading IS NOT NULL "
                     "UNION ALL SELECT temperature FROM sensors WHERE device = '%s'"
                     % tuple(self.pick(self.d["devices"], 2)), False),
        ]
        self.fill("set", 30, T)

    def fam_order(self):
        r = self.r
        sw = lambda: self.lit(self.sens_t(0.01, 0.05))  # noqa: E731
        T = [
            lambda: ("SELECT ts, device, humidity FROM sensors WHERE ts < %s ORDER BY humidity%s, "
                     "ts LIMIT %d" % (sw(), self.pick(["", " NULLS FIRST", " NULLS LAST", " DESC",
                                                       " DESC NULLS LAST", " ASC NULLS FIRST"]),
                                      r.randint(10, 60)), True),
            lambda: ("SELECT ts, status FROM sensors ORDER BY status%s, ts LIMIT %d OFFSET %d"
                     % (self.pick(["", " DESC", " DESC NULLS LAST", " NULLS FIRST"]),
                        r.randint(5, 40), self.pick([0, 100, 700, 4000])), True),
            lambda: ("SELECT ts, kind, device FROM sensors WHERE ts < %s ORDER BY kind%s, ts"
                     % (sw(), self.pick(["", " NULLS FIRST", " DESC"])), True),
            lambda: ("SELECT ts, ok FROM sensors WHERE ts < %s ORDER BY ok%s, ts DESC"
                     % (sw(), self.pick(["", " DESC", " NULLS FIRST"])), True),
            lambda: ("SELECT ts, hostname FROM cpu ORDER BY ts, hostname LIMIT 0", True),
            lambda: ("SELECT ts, hostname FROM cpu WHERE hostname = '%s' ORDER BY ts LIMIT 10 "
                     "OFFSET %d" % (self.host(), self.pick([1075, 1080, 100000])), True),
            lambda: ("SELECT ts, device FROM sensors WHERE device = '%s' ORDER BY ts OFFSET %d"
                     % (self.pick(self.d["devices"]), r.randint(150, 230)), True),
            lambda: ("SELECT hostname, ts, usage_user + usage_system AS busy FROM cpu ORDER BY "
                     "usage_user + usage_system DESC, hostname, ts LIMIT %d" % r.randint(1, 20),
                     True),
            lambda: ("SELECT ts, temperature FROM sensors WHERE temperature IS NOT NULL ORDER BY "
                     "abs(temperature) DESC, ts LIMIT %d" % r.randint(5, 20), True),
            lambda: ("SELECT hostname, region, %s FROM cpu WHERE ts = %s ORDER BY 3 DESC, 1"
                     % (self.f(), self.lit(self.cpu_t())), True),
            lambda: ("SELECT hostname, %s AS v FROM cpu WHERE ts = %s ORDER BY v, hostname"
                     % (self.f(), self.lit(self.cpu_t())), True),
            lambda: ("SELECT hostname FROM cpu WHERE ts = %s ORDER BY %s DESC, hostname"
                     % (self.lit(self.cpu_t()), self.f()), True),
            lambda: ("SELECT ts, hostname, usage_nice FROM cpu WHERE ts < %s ORDER BY usage_nice "
                     "DESC, ts, hostname LIMIT %d" % (self.lit(self.cpu_t(0.05, 0.3)),
                                                      r.randint(5, 50)), True),
            lambda: ("SELECT device_id, capacity FROM devices ORDER BY capacity%s, device_id"
                     % self.pick(["", " DESC", " NULLS FIRST"]), True),
        ]
        self.fill("order", 30, T)

    def fam_combo(self):
        r = self.r

        def cpu_combo():
            iv = self.pick(CPU_INTERVALS[:10])
            tb = "time_bucket('%s', ts%s)" % (iv, self.pick(["", "", ", '%s'" % self.pick(ORIGINS)]))
            tags = self.pick(CPU_GROUP_TAGS, r.randint(0, 2))
            one_host = "hostname" in tags
            where = [self.cpu_time_cond()]
            if r.random() < 0.2:
                where.append("hostname = '%s'" % self.host())
                one_host = True
            elif r.random() < 0.5:
                where.append(self.cpu_tag_cond())
            if r.random() < 0.3:
                where.append("%s > %s" % (self.f(), self.v(5, 40)))
            aggs = []
            for i in range(r.randint(1, 3)):
                f = self.f()
                choices = ["avg(%s)", "max(%s)", "min(%s)", "sum(%s)", "count(*)", "spread(%s)",
                           "stddev(%s)", "percentile_cont(0.5) WITHIN GROUP (ORDER BY %s)",
                           "count(DISTINCT hostname)"]
                if one_host:
                    choices += ["first(%s, ts)", "last(%s, ts)"]
                a = self.pick(choices)
                aggs.append((a % f if "%s" in a else a, "a%d" % i))
            sel = ["%s AS bucket" % tb] + tags + ["%s AS %s" % a for a in aggs]
            keys = ["bucket"] + tags
            sql = "SELECT %s FROM cpu WHERE %s GROUP BY %s" % (", ".join(sel), " AND ".join(where),
                                                                ", ".join(keys))
            if r.random() < 0.4:
                a = self.pick(aggs)[0]
                if a.startswith(("count", "spread")):
                    cond = "%s > %d" % (a, self.pick([0, 1, 2]))
                elif a.startswith(("stddev", "sum")):
                    cond = "%s > %s" % (a, self.thr(0.5, 5))
                else:
                    cond = self.pick(["%s > %s" % (a, self.thr(5, 40)),
                                      "%s < %s" % (a, self.thr(50, 95))])
                sql += " HAVING " + cond
            mode = r.randrange(3)
            if mode == 0:
                return sql, False
            if mode == 1:
                order = ["%s%s" % (k, self.pick(["", " DESC"])) for k in keys]
                sql += " ORDER BY " + ", ".join(order)
            else:
                # ordering by a rounded aggregate (avg, sum, stddev, percentile)
                # is not deterministic across engines where two groups tie
                # mathematically; min, max, count, first, last, spread are exact
                exact = [a for a in aggs if a[0].startswith(("min(", "max(", "count(", "first(",
                                                            "last(", "spread("))]
                if exact:
                    sql += " ORDER BY %s%s, %s" % (self.pick(exact)[1], self.pick([" DESC", ""]),
                                                   ", ".join(keys))
                else:
                    sql += " ORDER BY " + ", ".join(keys)
            if r.random() < 0.6:
                sql += " LIMIT %d" % r.randint(1, 30)
                if r.random() < 0.3:
                    sql += " OFFSET %d" % r.randint(1, 10)
            return sql, True

        def sens_combo():
            iv = self.pick(SENS_INTERVALS)
            tb = "time_bucket('%s', ts)" % iv
            tags = self.pick(["device", "kind", "location", "ok"], r.randint(0, 2))
            where = []
            a, b = self.sens_window(10, 90)
            where.append("ts >= %s AND ts < %s" % (self.lit(a), self.lit(b)))
            if r.random() < 0.4:
                where.append(self.pick(["ok", "kind IS NOT NULL", "reading > 0",
                                        "humidity IS NULL", "status <> 'ok'",
                                        "device IN ('dev-01', 'dev-03', 'dev-05', 'dev-09')"]))
            aggs = []
            for i in range(r.randint(1, 3)):
                f = self.pick(SENS_NUM)
                a = self.pick(["avg(%s)", "max(%s)", "min(%s)", "sum(%s)", "count(%s)",
                               "count(*)", "spread(%s)", "first(%s, ts)", "last(%s, ts)",
                               "percentile_cont(0.5) WITHIN GROUP (ORDER BY %s)",
                               "count(DISTINCT %s)", "last(status, ts)"])
                aggs.append((a % f if "%s" in a else a, "a%d" % i))
            sel = ["%s AS bucket" % tb] + tags + ["%s AS %s" % x for x in aggs]
            keys = ["bucket"] + tags
            sql = "SELECT %s FROM sensors WHERE %s GROUP BY %s" % (
                ", ".join(sel), " AND ".join(where), ", ".join(keys))
            if r.random() < 0.3:
                sql += " HAVING count(*) > %d" % r.randint(0, 2)
            if r.random() < 0.25:
                return sql, False
            order = ["%s%s" % (k, self.pick(["", " DESC", " NULLS FIRST"])) for k in keys]
            sql += " ORDER BY " + ", ".join(order)
            if r.random() < 0.5:
                sql += " LIMIT %d" % r.randint(1, 25)
            return sql, True

        self.fill("combo", 60, [cpu_combo, cpu_combo, sens_combo])

    def fam_names(self):
        h = self.d["hosts"][0]
        for sql in [
            "SELECT count(*) FROM cpu",
            "SELECT avg(usage_user), max(usage_user), min(ts), sum(usage_idle) FROM cpu",
            "SELECT hostname, usage_user + 1 FROM cpu WHERE ts = '2016-01-01 00:00:00' "
            "ORDER BY hostname",
            "SELECT usage_user::bigint, CAST(usage_idle AS bigint) FROM cpu WHERE hostname = "
            "'%s' ORDER BY ts LIMIT 3" % h,
            "SELECT coalesce(kind, 'x'), lower(device), length(device) FROM sensors ORDER BY ts "
            "LIMIT 3",
            "SELECT CASE WHEN ok THEN 1 ELSE 0 END FROM sensors ORDER BY ts LIMIT 3",
            "SELECT date_trunc('hour', ts), extract(hour FROM ts), date_part('minute', ts) FROM "
            "cpu WHERE hostname = '%s' ORDER BY ts LIMIT 2" % h,
            "SELECT s.device, d.model FROM sensors s JOIN devices d ON s.device = d.device_id "
            "ORDER BY s.ts LIMIT 3",
            "SELECT 1, 'a', 2.5",
            "SELECT row_number() OVER (ORDER BY ts), lag(usage_user) OVER (ORDER BY ts) FROM cpu "
            "WHERE hostname = '%s' ORDER BY ts LIMIT 3" % h,
            "SELECT count(DISTINCT hostname), stddev(usage_user), percentile_cont(0.5) WITHIN "
            "GROUP (ORDER BY usage_user) FROM cpu",
            "SELECT upper(hostname) AS \"Host Name\", usage_user AS \"User%\" FROM cpu WHERE ts = "
            "'2016-01-01 00:00:00' ORDER BY hostname",
            "SELECT HOSTNAME, Usage_User FROM cpu WHERE ts = '2016-01-01 00:00:00' ORDER BY 1",
            "SELECT * FROM (SELECT hostname, count(*) FROM cpu GROUP BY hostname) sq ORDER BY 1",
            "SELECT abs(reading), round(temperature), ts::text FROM sensors ORDER BY ts LIMIT 2",
        ]:
            self.add("names", sql, True)

    def fam_error(self):
        E = [
            # unknown names
            "SELECT nosuch FROM cpu",
            "SELECT hostname FROM cpu WHERE nosuch > 1",
            "SELECT count(*) FROM cpu GROUP BY nosuch",
            "SELECT hostname FROM cpu ORDER BY nosuch",
            "SELECT * FROM nosuch",
            "SELECT s.nosuch FROM sensors s",
            "SELECT nosuch(usage_user) FROM cpu",
            "SELECT x.hostname FROM cpu",
            # type errors
            "SELECT hostname + 1 FROM cpu",
            "SELECT sum(hostname) FROM cpu",
            "SELECT avg(status) FROM sensors",
            "SELECT count(*) FROM cpu WHERE usage_user = 'abc'",
            "SELECT count(*) FROM cpu WHERE hostname > 5",
            "SELECT ok + 1 FROM sensors",
            "SELECT -hostname FROM cpu",
            "SELECT lower(usage_user) FROM cpu",
            "SELECT count(*) FROM cpu WHERE usage_user LIKE 'x%'",
            "SELECT time_bucket('5 minutes', hostname) AS b FROM cpu",
            "SELECT time_bucket('abc', ts) AS b FROM cpu",
            "SELECT time_bucket('0 seconds', ts) AS b FROM cpu",
            "SELECT count(*) FROM sensors WHERE ok = 'maybe'",
            "SELECT spread(hostname) AS s FROM cpu",
            "SELECT spread(ok) AS s FROM sensors",
            "SELECT first(usage_user) AS f FROM cpu",
            "SELECT count(*) FROM cpu WHERE ts > 'notatime'",
            "SELECT count(*) FROM cpu WHERE ts > 5",
            "SELECT date_trunc('fortnight', ts) AS t FROM cpu",
            "SELECT extract(nosuch FROM ts) AS x FROM cpu",
            "SELECT ts + interval 'abc' AS t FROM cpu",
            "SELECT percentile_cont(1.5) WITHIN GROUP (ORDER BY usage_user) AS p FROM cpu",
            "SELECT CASE WHEN usage_user > 50 THEN 'high' ELSE 1 END AS c FROM cpu",
            # division by zero
            "SELECT 1 / 0 AS x",
            "SELECT usage_user / 0 AS x FROM cpu",
            "SELECT reading / 0 AS x FROM sensors",
            "SELECT count(*) / 0 AS x FROM cpu",
            "SELECT sum(usage_user) / (count(*) - count(*)) AS x FROM cpu",
            "SELECT counter / (reading - reading) AS x FROM sensors WHERE reading IS NOT NULL",
            # bad casts, overflow, domain errors
            "SELECT 'abc'::bigint AS x",
            "SELECT CAST(hostname AS bigint) AS x FROM cpu",
            "SELECT CAST(status AS boolean) AS x FROM sensors",
            "SELECT CAST('2016-13-45' AS timestamp) AS x",
            "SELECT '1.5'::bigint AS x",
            "SELECT CAST(usage_user * 1e20 AS bigint) AS x FROM cpu",
            "SELECT 9223372036854775807 + 1 AS x",
            "SELECT counter * 9223372036854775807 AS x FROM sensors",
            "SELECT sqrt(-1) AS x",
            "SELECT sqrt(usage_user - 200) AS x FROM cpu",
            "SELECT ln(0) AS x",
            "SELECT ln(usage_user - 200) AS x FROM cpu",
            "SELECT power(0, -1) AS x",
            "SELECT exp(usage_user * 1000) AS x FROM cpu WHERE usage_user > 1",
            # misuse of aggregates, windows, grouping, set operations
            "SELECT hostname, count(*) FROM cpu",
            "SELECT usage_user FROM cpu GROUP BY hostname",
            "SELECT hostname FROM cpu WHERE count(*) > 1 GROUP BY hostname",
            "SELECT sum(avg(usage_user)) FROM cpu GROUP BY hostname",
            "SELECT lag(usage_user) AS l FROM cpu",
            "SELECT hostname FROM cpu WHERE row_number() OVER (ORDER BY ts) > 1",
            "SELECT ts FROM sensors s JOIN devices d ON s.device = d.device_id",
            "SELECT hostname FROM cpu UNION ALL SELECT hostname, region FROM cpu",
            "SELECT usage_user FROM cpu UNION ALL SELECT hostname FROM cpu",
            "SELECT DISTINCT ON (hostname) hostname, ts FROM cpu ORDER BY ts",
            "SELECT * FROM cpu LIMIT -1",
            "SELECT hostname FROM cpu ORDER BY 5",
            # syntax
            "SELEC 1",
            "SELECT FROM WHERE",
            "SELECT * FROM cpu ORDER BY",
            "SELECT * FROM cpu WHERE",
            "SELECT (1 + 2 AS x",
            "SELECT 'unterminated AS x",
        ]
        for sql in E:
            self.add("error", sql, True, error=True)


FAMILIES = ["select", "where", "agg", "group", "count_distinct", "time_bucket", "first_last",
            "spread", "percentile", "window", "datetime", "case_cast", "math", "string",
            "subquery", "join", "set", "order", "combo", "names", "error"]


def build(seed, domain):
    c = Corpus(seed, domain)
    for fam in FAMILIES:
        getattr(c, "fam_" + fam)()
    return c.queries


def main():
    ap = argparse.ArgumentParser(description="print the query corpus")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--filter", default=None, help="regex on query ids")
    ap.add_argument("--pg", action="store_true", help="also print the PostgreSQL text")
    a = ap.parse_args()
    ds = gen.build(a.seed)
    qs = build(a.seed, ds.domain)
    counts = {}
    for q in qs:
        counts[q.family] = counts.get(q.family, 0) + 1
        if a.filter and not re.search(a.filter, q.id):
            continue
        print("%s%s%s\t%s" % (q.id, " [ordered]" if q.ordered else "",
                              " [error]" if q.error else "", q.stele))
        if a.pg and q.pg != q.stele:
            print("\tpg: %s" % q.pg)
    print("# %d queries: %s" % (len(qs), ", ".join("%s %d" % kv for kv in counts.items())),
          file=sys.stderr)


if __name__ == "__main__":
    main()
