"""InfluxDB line protocol for the differential harness: a writer (escaping as
src/ingest/README.md describes) and a parser that applies Stele's
schema-on-write rules (DESIGN.md, "Data model"), used by fake_stele.py to
load the same file into PostgreSQL. Debian's /usr/bin/python3 only."""


def _esc(s, specials):
    out = []
    for ch in s:
        if ch == "\\" or ch in specials:
            out.append("\\")
        out.append(ch)
    return "".join(out)


def esc_measurement(s):
    return _esc(s, ", ")


def esc_key(s):
    """Tag keys, tag values and field keys."""
    return _esc(s, ",= ")


def esc_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def fmt_field(v):
    """A Python value as a line-protocol field value: float -> double,
    int -> bigint (`i`), bool -> boolean, str -> varchar."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return "%di" % v
    if isinstance(v, float):
        r = repr(v)
        if r in ("inf", "-inf", "nan"):
            raise ValueError("not representable in line protocol: %r" % v)
        return r
    if isinstance(v, str):
        return esc_string(v)
    raise TypeError("no line-protocol type for %r" % (v,))


def line(measurement, tags, fields, ts_ns):
    """tags: list of (key, value) with value None meaning absent; fields:
    list of (key, value) with None meaning absent (at least one present).
    Tags are written sorted by key, as Stele stores them."""
    head = esc_measurement(measurement)
    for k, v in sorted(tags):
        if v is not None:
            head += "," + esc_key(k) + "=" + esc_key(v)
    body = ",".join(esc_key(k) + "=" + fmt_field(v) for k, v in fields if v is not None)
    if not body:
        raise ValueError("a line needs at least one field")
    return "%s %s %d" % (head, body, ts_ns)


# ---------------------------------------------------------------- parsing

class LpError(ValueError):
    pass


def _unescape_token(text, i, stops, escapes=None):
    """Reads from text[i] up to an unescaped byte of stops (or end/newline).
    A backslash before a byte of escapes (default: stops) or a backslash
    stands for that byte; before anything else it is itself."""
    out = []
    n = len(text)
    escapes = stops if escapes is None else escapes
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n and (text[i + 1] in escapes or text[i + 1] == "\\"):
            out.append(text[i + 1])
            i += 2
            continue
        if ch in stops or ch == "\n":
            break
        out.append(ch)
        i += 1
    return "".join(out), i


def _field_value(raw, lineno):
    if raw in ("t", "T", "true", "True", "TRUE"):
        return "boolean", True
    if raw in ("f", "F", "false", "False", "FALSE"):
        return "boolean", False
    try:
        if raw.endswith("i"):
            return "bigint", int(raw[:-1])
        if raw.endswith("u"):
            return "ubigint", int(raw[:-1])
        return "double", float(raw)
    except ValueError:
        raise LpError("line %d: bad field value %r" % (lineno, raw))


def parse(text):
    """Yields (lineno, measurement, [(tagkey, value)] sorted, [(fieldkey, type,
    value)], ts_ns) for every line of text."""
    i, n, lineno = 0, len(text), 1
    while i < n:
        # skip blank lines and comments
        j = i
        while j < n and text[j] in " \t\r":
            j += 1
        if j >= n:
            break
        if text[j] == "\n":
            i = j + 1
            lineno += 1
            continue
        if text[j] == "#":
            k = text.find("\n", j)
            i = n if k < 0 else k + 1
            lineno += 1
            continue
        start_line = lineno
        meas, i = _unescape_token(text, j, ", ")
        tags = []
        while i < n and text[i] == ",":
            k, i = _unescape_token(text, i + 1, ",= ")
            if i >= n or text[i] != "=":
                raise LpError("line %d: tag without '='" % lineno)
            v, i = _unescape_token(text, i + 1, ", ", ",= ")
            tags.append((k, v))
        if i >= n or text[i] != " ":
            raise LpError("line %d: missing field set" % lineno)
        while i < n and text[i] == " ":
            i += 1
        fields = []
        while True:
            k, i = _unescape_token(text, i, ",= ")
            if i >= n or text[i] != "=":
                raise LpError("line %d: field without '='" % lineno)
            i += 1
            if i < n and text[i] == '"':
                i += 1
                out = []
                while True:
                    if i >= n:
                        raise LpError("line %d: unterminated string" % lineno)
                    ch = text[i]
                    if ch == "\\" and i + 1 < n and text[i + 1] in '"\\':
                        out.append(text[i + 1])
                        i += 2
                        continue
                    if ch == '"':
                        i += 1
                        break
                    if ch == "\n":
                        lineno += 1
                    out.append(ch)
                    i += 1
                fields.append((k, "varchar", "".join(out)))
            else:
                j = i
                while i < n and text[i] not in ", \n\r":
                    i += 1
                t, v = _field_value(text[j:i], lineno)
                fields.append((k, t, v))
            if i < n and text[i] == ",":
                i += 1
                continue
            break
        while i < n and text[i] == " ":
            i += 1
        j = i
        while i < n and text[i] not in " \r\n":
            i += 1
        if j == i:
            raise LpError("line %d: the harness needs explicit timestamps" % lineno)
        ts = int(text[j:i])
        while i < n and text[i] in " \r":
            i += 1
        if i < n and text[i] != "\n":
            raise LpError("line %d: unexpected text after timestamp" % lineno)
        i += 1
        lineno += 1
        # duplicate field keys: the last value wins, in the first one's place
        dedup = {}
        for pos, (k, t, v) in enumerate(fields):
            if k in dedup:
                fields[dedup[k]] = (k, t, v)
                fields[pos] = None
            else:
                dedup[k] = pos
        yield (start_line, meas, sorted(tags), [f for f in fields if f], ts)


class Table:
    def __init__(self, name):
        self.name = name
        self.columns = [("ts", "timestamp", "time")]   # (name, type, kind)
        self.index = {"ts": 0}
        self.rows = {}        # (series key, ts) -> {column index: value}

    def column(self, name, typ, kind, lineno):
        c = self.index.get(name)
        if c is None:
            self.index[name] = len(self.columns)
            self.columns.append((name, typ, kind))
            return len(self.columns) - 1
        _, t, k = self.columns[c]
        if k != kind:
            raise LpError("line %d: column %r is a %s, not a %s" % (lineno, name, k, kind))
        if t != typ:
            raise LpError("line %d: column %r has type %s, not %s" % (lineno, name, t, typ))
        return c


def load(text):
    """Applies Stele's schema on write to line protocol: returns {name: Table}
    in order of creation. Columns: ts, then tags and fields in order of first
    appearance (a line's tags, sorted by key, when its series is new, then its
    fields); same series and ts: the later line wins, field by field."""
    tables = {}
    series_seen = set()
    for lineno, meas, tags, fields, ts in parse(text):
        t = tables.get(meas)
        if t is None:
            t = tables[meas] = Table(meas)
        skey = (meas, tuple(tags))
        tagcols = {}
        if skey not in series_seen:
            for k, v in tags:
                t.column(k, "varchar", "tag", lineno)
        for k, v in tags:
            c = t.index.get(k)
            if c is None or t.columns[c][2] != "tag":
                raise LpError("line %d: %r is not a tag of %s" % (lineno, k, meas))
            tagcols[c] = v
        fcols = {}
        for k, typ, v in fields:
            fcols[t.column(k, typ, "field", lineno)] = v
        series_seen.add(skey)
        row = t.rows.get((skey, ts))
        if row is None:
            row = dict(tagcols)
            t.rows[(skey, ts)] = row
        row.update(fcols)
    return tables
