"""Line protocol for the integration tests: a writer with full escaping and a
parser for what `stele dump` writes, so tests compare values exactly (floats
by their bits). Written for these tests; Debian's /usr/bin/python3 only."""

import math
import struct


def esc(s, specials):
    out = []
    for ch in s:
        if ch in specials or ch == "\\":
            out.append("\\")
        out.append(ch)
    return "".join(out)


def esc_measurement(s):
    return esc(s, ", ")


def esc_tag(s):
    return esc(s, ",= ")


def esc_field_key(s):
    return esc(s, ",= ")


def fmt_value(v):
    kind, x = v
    if kind == "f":
        r = repr(x)
        if r in ("inf", "-inf", "nan"):
            raise ValueError("not representable in line protocol")
        return r
    if kind == "i":
        return "%di" % x
    if kind == "u":
        return "%du" % x
    if kind == "b":
        return "true" if x else "false"
    if kind == "s":
        return '"' + x.replace("\\", "\\\\").replace('"', '\\"') + '"'
    raise ValueError(kind)


def line(meas, tags, fields, ts):
    """tags: dict; fields: list of (key, (kind, value))."""
    head = esc_measurement(meas)
    for k in sorted(tags):
        head += "," + esc_tag(k) + "=" + esc_tag(tags[k])
    body = ",".join(esc_field_key(k) + "=" + fmt_value(v) for k, v in fields)
    return "%s %s %d" % (head, body, ts)


def _split_unescaped(s, sep, quotes=False):
    """Splits s at unescaped sep (outside double quotes if quotes)."""
    parts, cur, i, inq = [], [], 0, False
    while i < len(s):
        ch = s[i]
        if ch == "\\" and i + 1 < len(s):
            cur.append(s[i:i + 2])
            i += 2
            continue
        if quotes and ch == '"':
            inq = not inq
        if ch == sep and not inq:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    parts.append("".join(cur))
    return parts


def _unesc(s):
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            out.append(s[i + 1])
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def _value(text):
    if text.startswith('"'):
        assert text.endswith('"') and len(text) >= 2, text
        return ("s", _unesc(text[1:-1]))
    if text in ("true", "false"):
        return ("b", text == "true")
    if text.endswith("i"):
        return ("i", int(text[:-1]))
    if text.endswith("u"):
        return ("u", int(text[:-1]))
    return ("f", float(text))


def split_lines(text):
    """Splits line protocol into lines; a string field value may hold
    newlines (the same walk as the parser's lp_line_end)."""
    lines, i, n = [], 0, len(text)
    while i < n:
        start, state = i, "key"
        while i < n and text[i] != "\n":
            ch = text[i]
            if state != "value" and ch == "\\" and i + 1 < n and text[i + 1] != "\n":
                i += 2
                continue
            i += 1
            if ch == " ":
                if state != "key":
                    break
                state = "fkey"
            elif ch == "=" and state == "fkey":
                state = "value"
                if i < n and text[i] == '"':
                    i += 1
                    while i < n and text[i] != '"':
                        i += 2 if text[i] == "\\" else 1
                    i += 1
            elif ch == "," and state == "value":
                state = "fkey"
        while i < n and text[i] != "\n":
            i += 1
        lines.append(text[start:i])
        i += 1
    return lines


def parse(text):
    """Parses dump output into a list of (measurement, tags, fields, ts)."""
    rows = []
    for raw in split_lines(text):
        if not raw:
            continue
        parts = _split_unescaped(raw, " ", quotes=True)
        assert len(parts) == 3, raw
        head, body, ts = parts
        hp = _split_unescaped(head, ",")
        meas = _unesc(hp[0])
        tags = {}
        for kv in hp[1:]:
            k, v = _split_unescaped(kv, "=")
            tags[_unesc(k)] = _unesc(v)
        fields = {}
        for kv in _split_unescaped(body, ",", quotes=True):
            k = _split_unescaped(kv, "=", quotes=True)[0]
            fields[_unesc(k)] = _value(kv[len(k) + 1:])
        rows.append((meas, tags, fields, int(ts)))
    return rows


def same_value(a, b):
    """Exact equality; floats by bits (so -0.0 != 0.0)."""
    if a[0] != b[0]:
        return False
    if a[0] == "f":
        return struct.pack("<d", a[1]) == struct.pack("<d", b[1])
    return a[1] == b[1]
