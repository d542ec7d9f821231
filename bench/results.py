r"""Reading and writing the query results that every system's runner writes
(bench_query for Stele, peers.py for the others, reference.py for the smoke
test), and turning answers into comparable values.

A results file holds, per query:

    query<TAB>ID<TAB>MEDIAN_MS<TAB>P95_MS<TAB>ROWS<TAB>T1,T2,...
    cols<TAB>NAME:TYPE<TAB>...            (the system's own names and types)
    <row: values separated by tabs; \\ \t \n \r escaped; NULL as \N>
    end

or, for a query the system could not run,

    error<TAB>ID<TAB>MESSAGE

Values are written as the system returned them (text); value() parses them
by the kind the query's shape gives the column (ts, str, int, float):
timestamps as instants (RFC 3339 with Z or +00 or a space, or integer
nanoseconds), numbers as floats.
"""

import datetime
import functools
import math
import re

ESC = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
UNESC = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}


def escape(v):
    """The text form of one value (None is NULL)."""
    if v is None:
        return "\\N"
    s = v if isinstance(v, str) else repr(v) if isinstance(v, float) else str(v)
    return "".join(ESC.get(c, c) for c in s)


def unescape(s):
    if s == "\\N":
        return None
    if "\\" not in s:
        return s
    return re.sub(r"\\(.)", lambda m: UNESC.get(m.group(1), m.group(1)), s)


def median(xs):
    s = sorted(xs)
    n = len(s)
    if not n:
        return 0.0
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def p95(xs):
    s = sorted(xs)
    if not s:
        return 0.0
    return s[max(1, math.ceil(0.95 * len(s))) - 1]


class Writer:
    """Writes a results file as bench_query does."""

    def __init__(self, path):
        self.f = open(path, "w")

    def query(self, qid, times_ms, cols, rows):
        """cols: [(name, type)]; rows: lists of values (str, int, float, None)."""
        self.f.write("query\t%s\t%.4f\t%.4f\t%d\t%s\n" % (
            qid, median(times_ms), p95(times_ms), len(rows),
            ",".join("%.4f" % t for t in times_ms)))
        self.f.write("cols" + "".join("\t%s:%s" % (escape(n), escape(t)) for n, t in cols) + "\n")
        for r in rows:
            self.f.write("\t".join(escape(v) for v in r) + "\n")
        self.f.write("end\n")
        self.f.flush()

    def error(self, qid, msg):
        self.f.write("error\t%s\t%s\n" % (qid, escape(" ".join(str(msg).split()))))
        self.f.flush()

    def close(self):
        self.f.close()


def iterate(path, data=True):
    """Yields the file's entries in order: {"id", "median", "p95", "rows",
    "times", "cols": [(name, type)], "data": [[text or None]]} or {"id",
    "error"}. With data=False the rows are skipped ("data" is empty), so
    that the timings of a large run are read without its answers."""
    cur = None
    with open(path, encoding="utf-8", newline="\n") as f:
        for line in f:
            line = line.rstrip("\n")
            if cur is not None:
                if line == "end":
                    if data and len(cur["data"]) != cur["rows"]:
                        raise ValueError("%s: %s says %d rows and holds %d" % (
                            path, cur["id"], cur["rows"], len(cur["data"])))
                    yield cur
                    cur = None
                elif "cols" not in cur:
                    cur["cols"] = [tuple(unescape(p).rsplit(":", 1))
                                   for p in line.split("\t")[1:]] if line != "cols" else []
                elif not data:
                    pass
                elif "\\" in line:
                    cur["data"].append([unescape(v) for v in line.split("\t")])
                else:
                    cur["data"].append(line.split("\t"))
                continue
            p = line.split("\t")
            if p[0] == "query":
                cur = {"id": p[1], "median": float(p[2]), "p95": float(p[3]), "rows": int(p[4]),
                       "times": [float(t) for t in p[5].split(",") if t], "data": []}
            elif p[0] == "error":
                yield {"id": p[1], "error": unescape(p[2]) if len(p) > 2 else "error"}
    if cur is not None:
        raise ValueError("%s: the answer of %s is cut short (no `end`)" % (path, cur["id"]))


def load(path, data=True):
    """{id: entry} of iterate()."""
    return {r["id"]: r for r in iterate(path, data)}


_TS = re.compile(r"^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?"
                 r"(Z|[+-]\d\d(?::?\d\d)?)?$")


@functools.lru_cache(maxsize=1 << 20)
def parse_ts(text):
    """An instant as integer nanoseconds since the epoch; a string without a
    zone is UTC (every system here runs in UTC)."""
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    m = _TS.match(text)
    if not m:
        raise ValueError("not a timestamp: %r" % text)
    y, mo, d, h, mi, s = (int(x) for x in m.groups()[:6])
    frac = int((m.group(7) or "").ljust(9, "0") or 0)
    secs = int(datetime.datetime(y, mo, d, h, mi, s, tzinfo=datetime.timezone.utc).timestamp())
    z = m.group(8)
    if z and z != "Z":
        sign = -1 if z[0] == "-" else 1
        digits = z[1:].replace(":", "")
        off = int(digits[:2]) * 3600 + (int(digits[2:4]) * 60 if len(digits) >= 4 else 0)
        secs -= sign * off
    return secs * 10**9 + frac


def value(text, kind):
    if text is None:
        return None
    if kind == "ts":
        return parse_ts(text)
    if kind == "str":
        return text
    return float(text)


def _num(text):
    return None if text is None else float(text)


def _ts(text):
    return None if text is None else parse_ts(text)


def converter(kind):
    """value(text, kind) as a one-argument function, for whole columns."""
    return {"ts": _ts, "str": lambda t: t}.get(kind, _num)


def show(v, kind):
    """A canonical value as a person reads it in a message."""
    if v is None:
        return "NULL"
    if kind == "ts":
        s = datetime.datetime.fromtimestamp(v // 10**9, datetime.timezone.utc)
        frac = v % 10**9
        return s.strftime("%Y-%m-%dT%H:%M:%S") + (".%09d" % frac if frac else "") + "Z"
    if kind in ("int", "float"):
        return repr(int(v)) if kind == "int" and v == int(v) else repr(v)
    return repr(v)


def by_type(entries):
    """{type: [timed runs of all its instances, ms]} from iterate() entries
    (the type is the id up to '#'); types in the order first seen."""
    out = {}
    for r in entries:
        if "error" not in r:
            out.setdefault(r["id"].split("#")[0], []).extend(r["times"])
    return out


if __name__ == "__main__":
    # results.py summary FILE: the median and p95 per query type, for progress
    import sys
    if len(sys.argv) != 3 or sys.argv[1] != "summary":
        sys.exit("usage: results.py summary FILE")
    entries = list(iterate(sys.argv[2], data=False))
    for name, times in by_type(entries).items():
        print("   %-24s median %10.3f ms   p95 %10.3f ms   (%d runs)" % (
            name, median(times), p95(times), len(times)))
    for r in entries:
        if "error" in r:
            print("   %-24s could not run: %s" % (r["id"], r["error"]))
