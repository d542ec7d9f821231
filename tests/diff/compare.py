"""CSV parsing and result comparison for the differential harness.

Both sides deliver CSV with a header line (PostgreSQL via COPY ... TO STDOUT
(FORMAT csv, HEADER); Stele via `stele sql --format csv`). parse_csv() keeps
the one distinction CSV can carry beyond text: an unquoted empty field is
NULL (None), a quoted one ("") the empty string.

Cells are equal when (in this order):
  - both are NULL;
  - their texts are equal;
  - both parse as numbers (PostgreSQL's spellings, including Infinity, -Infinity
    and NaN) and agree within REL_TOL relative (or ABS_TOL absolute, for
    results near zero that were computed by cancellation);
  - with empty_is_null, one is NULL and the other the empty string.
Everything else (booleans t/f, timestamps, text) must match exactly.
"""

import math
import re

REL_TOL = 1e-9
ABS_TOL = 1e-12

_NUM = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
_SPECIAL = {"Infinity": math.inf, "+Infinity": math.inf, "-Infinity": -math.inf, "NaN": math.nan}


class CsvError(ValueError):
    pass


def parse_csv(text):
    """RFC 4180 CSV -> list of rows (lists of str or None). Rows end at LF or
    CRLF outside quotes; a missing final newline is fine."""
    rows, row, i, n = [], [], 0, len(text)
    if n == 0:
        return rows
    while True:
        # one field
        if i < n and text[i] == '"':
            i += 1
            buf = []
            while True:
                j = text.find('"', i)
                if j < 0:
                    raise CsvError("unterminated quoted field")
                buf.append(text[i:j])
                if j + 1 < n and text[j + 1] == '"':
                    buf.append('"')
                    i = j + 2
                    continue
                i = j + 1
                break
            row.append("".join(buf))
            if i < n and text[i] not in ",\r\n":
                raise CsvError("text after a closing quote at offset %d" % i)
        else:
            j = i
            while j < n and text[j] not in ",\r\n":
                j += 1
            if '"' in text[i:j]:
                raise CsvError("quote inside an unquoted field at offset %d" % i)
            row.append(text[i:j] if j > i else None)
            i = j
        if i >= n:
            rows.append(row)
            break
        ch = text[i]
        if ch == ",":
            i += 1
            continue
        if ch == "\r":
            if i + 1 < n and text[i + 1] == "\n":
                i += 1
            else:
                raise CsvError("bare CR at offset %d" % i)
        i += 1                      # the newline
        rows.append(row)
        row = []
        if i >= n:
            break
    return rows


def as_number(s):
    if s is None:
        return None
    if s in _SPECIAL:
        return _SPECIAL[s]
    if _NUM.match(s):
        return float(s)
    return None


def cells_equal(a, b, empty_is_null=False):
    if a is None or b is None:
        if a is None and b is None:
            return True
        return empty_is_null and (a == "" or b == "")
    if a == b:
        return True
    x, y = as_number(a), as_number(b)
    if x is None or y is None:
        return False
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    if math.isinf(x) or math.isinf(y):
        return x == y
    return abs(x - y) <= max(REL_TOL * max(abs(x), abs(y)), ABS_TOL)


def rows_equal(a, b, empty_is_null=False):
    return len(a) == len(b) and all(cells_equal(x, y, empty_is_null) for x, y in zip(a, b))


def _sig(x):
    """x rounded to 6 significant digits (a sort key that tolerates noise)."""
    if x == 0 or math.isinf(x):
        return x
    return round(x, 5 - int(math.floor(math.log10(abs(x)))))


def _cell_key(c, empty_is_null):
    if c is None or (empty_is_null and c == ""):
        return (0, 0.0, "")
    x = as_number(c)
    if x is not None:
        if math.isnan(x):
            return (1, math.inf, "nan")
        return (1, _sig(x), "")
    return (2, 0.0, c)


def row_key(row, empty_is_null=False):
    return tuple(_cell_key(c, empty_is_null) for c in row)


def fmt_row(row, limit=240):
    out = []
    for c in row:
        if c is None:
            out.append("NULL")
        elif c == "" or any(ch in c for ch in ", '\"\n") or c == "NULL":
            out.append("'" + c.replace("'", "''").replace("\n", "\\n") + "'")
        else:
            out.append(c)
    s = "(" + ", ".join(out) + ")"
    return s if len(s) <= limit else s[:limit - 3] + "..."


EXTENSION_NAMES = {("time_bucket", "date_bin"), ("first", "array_agg"), ("last", "array_agg"),
                   ("spread", "?column?")}


def names_equal(s, p):
    return s == p or (s, p) in EXTENSION_NAMES


def compare(stele, pg, ordered, empty_is_null=False, check_names=True, max_lines=6):
    """stele, pg: (header, rows). Returns None when they agree, else a list of
    lines describing the first differences."""
    sh, sr = stele
    ph, pr = pg
    if len(sh) != len(ph):
        return ["column count differs: stele %d %s, pg %d %s" % (len(sh), fmt_row(sh), len(ph),
                                                                 fmt_row(ph))]
    bad = []
    for row in sr:
        if len(row) != len(sh):
            bad.append("stele row has %d cells, header %d: %s" % (len(row), len(sh), fmt_row(row)))
            break
    if bad:
        return bad
    out = []
    if check_names and not all(names_equal(a, b) for a, b in zip(sh, ph)):
        out.append("column names differ: stele %s, pg %s" % (fmt_row(sh), fmt_row(ph)))
    if len(sr) != len(pr):
        out.append("row count differs: stele %d, pg %d" % (len(sr), len(pr)))
    if ordered:
        for i, (a, b) in enumerate(zip(sr, pr)):
            if not rows_equal(a, b, empty_is_null):
                cols = [sh[j] or "?" for j in range(len(a)) if not cells_equal(a[j], b[j],
                                                                                 empty_is_null)]
                out.append("first difference at row %d (columns %s):" % (i + 1, ", ".join(cols)))
                for k in range(i, min(i + 2, len(sr), len(pr))):
                    out.append("  stele row %d: %s" % (k + 1, fmt_row(sr[k])))
                    out.append("  pg    row %d: %s" % (k + 1, fmt_row(pr[k])))
                break
        else:
            if len(sr) != len(pr):
                longer, name = (sr, "stele") if len(sr) > len(pr) else (pr, "pg")
                k = min(len(sr), len(pr))
                out.append("  %s row %d: %s" % (name, k + 1, fmt_row(longer[k])))
        return out[:max_lines] or None
    # as multisets: sort by a tolerant key, compare pairwise, and where that
    # fails, match greedily (noise can put two rows on either side of a key)
    a = sorted(sr, key=lambda r: row_key(r, empty_is_null))
    b = sorted(pr, key=lambda r: row_key(r, empty_is_null))
    if len(a) == len(b) and all(rows_equal(x, y, empty_is_null) for x, y in zip(a, b)):
        return out[:max_lines] or None
    only_a, only_b = _unmatched(a, b, empty_is_null)
    if not only_a and not only_b:
        return out[:max_lines] or None
    out.append("as multisets: %d rows only in stele, %d only in pg" % (len(only_a), len(only_b)))
    for r in only_a[:2]:
        out.append("  only in stele: %s" % fmt_row(r))
    for r in only_b[:2]:
        out.append("  only in pg:    %s" % fmt_row(r))
    return out[:max_lines]


def _unmatched(a, b, empty_is_null, window=64):
    """Rows of sorted a without a partner in sorted b and vice versa, matching
    each row with an equal one near its sorted position."""
    used = [False] * len(b)
    only_a = []
    j0 = 0
    for x in a:
        hit = -1
        lo = max(0, j0 - window)
        for j in range(lo, min(len(b), j0 + window)):
            if not used[j] and rows_equal(x, b[j], empty_is_null):
                hit = j
                break
        if hit < 0 and len(b) <= 5000 and len(only_a) < 20:
            for j in range(len(b)):
                if not used[j] and rows_equal(x, b[j], empty_is_null):
                    hit = j
                    break
        if hit < 0:
            only_a.append(x)
        else:
            used[hit] = True
            j0 = hit + 1
    return only_a, [y for j, y in enumerate(b) if not used[j]]
