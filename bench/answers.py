"""The answer check of the query benchmark (bench/README.md, "Answer check").

    /usr/bin/python3 bench/answers.py QUERIES.json NAME=RESULTS [NAME=RESULTS ...]
        [--unordered NAME] [--summary FILE]

Before any timing is reported, every system must have given the same
answer to every query: the first NAME (Stele) is the one the others are
compared with. Per query and system:

  - the columns are those of the query's shape (queries.json): by position,
    or, for a `SELECT *`, by name (`time` is `ts`);
  - every value is parsed by its column's kind: timestamps as instants,
    numbers as floats, strings as they are;
  - the rows, as a multiset, must be the same: strings equal, timestamps
    equal, numbers equal within 1e-9 relative (and, for averages, 1e-6
    absolute);
  - the rows must be in the order the query asks for (ORDER BY), except for
    the systems named by --unordered (InfluxQL orders within a series only).

A system that could not run a query (an `error` entry) is reported and
left out of that query's comparison; the check fails only on disagreements
and on answers that are missing or malformed. Exit status 1 with one line
per disagreement (at most 20 shown), naming the query and the systems.
--summary appends answers_checked=, answers_compared=, answers_errors= to
FILE.
"""

import argparse
import json
import sys

import results

REL, ABS = 1e-9, 1e-6


def canonical(q, res):
    """(rows as tuples of values, problem or None)."""
    cols = q["cols"]
    if res["rows"] == 0:
        return [], None
    names = [n for n, _ in res["cols"]]
    if q["star"]:
        norm = ["ts" if n.lower() in ("time", "ts") else n.lower() for n in names]
        idx = []
        for name, _ in cols:
            if name not in norm:
                return None, "no column %s (it has %s)" % (name, ", ".join(names))
            idx.append(norm.index(name))
        if len(norm) != len(cols):
            return None, "%d columns, expected %d (%s)" % (len(norm), len(cols), ", ".join(names))
    else:
        if len(names) != len(cols):
            return None, "%d columns (%s), expected %d" % (len(names), ", ".join(names), len(cols))
        idx = list(range(len(cols)))
    conv = [(i, results.converter(kind)) for i, (_, kind) in zip(idx, cols)]
    out = []
    try:
        for r in res["data"]:
            if len(r) != len(names):
                return None, "a row of %d values under %d columns" % (len(r), len(names))
            out.append(tuple([f(r[i]) for i, f in conv]))
    except ValueError as e:
        return None, str(e)
    return out, None


def same(a, b, kind):
    if a is None or b is None:
        return a is None and b is None
    if kind in ("ts", "str"):
        return a == b
    if a == b:
        return True
    d = abs(a - b)
    return d <= REL * max(abs(a), abs(b)) or (kind == "float" and d <= ABS)


def sorted_rows(rows):
    """The rows in one canonical order (NULLs first in their column)."""
    if any(v is None for r in rows for v in r):
        return sorted(rows, key=lambda r: tuple((v is not None, v if v is not None else 0)
                                                for v in r))
    return sorted(rows)


def ordered(q, rows):
    """The first pair of rows out of the query's order, or None."""
    keys = q["order"]
    for i in range(1, len(rows)):
        a, b = rows[i - 1], rows[i]
        for col, desc in keys:
            x, y = a[col], b[col]
            if x == y:
                continue
            if x is None or y is None:
                break
            if (x > y) != desc:
                return i
            break
    return None


def diff(q, ref, other, ref_name, name):
    """A description of the first difference between two canonical answers
    (ref already sorted by sorted_rows), or None."""
    if len(ref) != len(other):
        return "%s has %d rows, %s %d" % (ref_name, len(ref), name, len(other))
    kinds = [k for _, k in q["cols"]]
    for ra, rb in zip(ref, sorted_rows(other)):
        if ra == rb:
            continue
        for j, kind in enumerate(kinds):
            if not same(ra[j], rb[j], kind):
                return "in the row (%s), %s is %s in %s and %s in %s" % (
                    ", ".join(results.show(v, k) for v, k in zip(ra[:2], kinds[:2])),
                    q["cols"][j][0], results.show(ra[j], kind), ref_name,
                    results.show(rb[j], kind), name)
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("queries")
    ap.add_argument("systems", nargs="+", help="NAME=RESULTS")
    ap.add_argument("--unordered", action="append", default=[])
    ap.add_argument("--summary")
    a = ap.parse_args()
    meta = json.load(open(a.queries))
    # one query at a time, the files read in step (every runner keeps the
    # order of the queries file), so that a large run's answers need not fit
    # in memory together
    systems = []
    for s in a.systems:
        name, path = s.split("=", 1)
        systems.append((name, results.iterate(path)))
    problems, errors = [], []
    compared = 0
    for q in meta["queries"]:
        qid = q["id"]
        answers = []
        for name, it in systems:
            r = next(it, None)
            if r is None or r["id"] != qid:
                problems.append("%s: %s gave no answer (%s)" % (
                    qid, name, "its results end early" if r is None
                    else "it answered %s in its place" % r["id"]))
                continue
            if "error" in r:
                errors.append("%s: %s could not run it: %s" % (qid, name, r["error"]))
                continue
            rows, bad = canonical(q, r)
            if bad:
                problems.append("%s: %s's answer is malformed: %s" % (qid, name, bad))
                continue
            if name not in a.unordered and q["order"]:
                i = ordered(q, rows)
                if i is not None:
                    problems.append("%s: %s's rows %d and %d are out of the query's order"
                                    % (qid, name, i, i + 1))
            answers.append((name, rows))
        if len(answers) < 2:
            continue
        compared += 1
        ref_name, ref = answers[0]
        ref = sorted_rows(ref)
        for name, rows in answers[1:]:
            d = diff(q, ref, rows, ref_name, name)
            if d:
                problems.append("%s: %s and %s disagree: %s" % (qid, ref_name, name, d))
    for e in errors:
        print("   " + e)
    if a.summary:
        with open(a.summary, "a") as f:
            f.write("answers_checked=%d\n" % len(meta["queries"]))
            f.write("answers_compared=%d\n" % compared)
            f.write("answers_errors=%d\n" % len(errors))
    names = ", ".join(n for n, _ in systems)
    if problems:
        print("bench: the answer check failed (%d problems; systems %s):" % (len(problems), names),
              file=sys.stderr)
        for p in problems[:20]:
            print("  " + p, file=sys.stderr)
        if len(problems) > 20:
            print("  ... and %d more" % (len(problems) - 20), file=sys.stderr)
        return 1
    print("   answers agree: %d queries, %s%s" % (
        len(meta["queries"]), names,
        "" if not errors else " (%d answers missing where a system could not run the query)"
        % len(errors)))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, ValueError) as e:
        print("bench: the answer check failed: %s" % e, file=sys.stderr)
        sys.exit(1)
