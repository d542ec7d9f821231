"""Writes the measured part of docs/BENCHMARKS.md from bench/run.sh's results.

Everything above the marker line in docs/BENCHMARKS.md is hand-written and
kept; everything below it is replaced by tables built from the results file
(KEY=VALUE lines). No figure is written that was not measured in the run."""

import json
import math
import os
import subprocess
import sys

import results as qresults

MARKER = "<!-- Everything below is written by bench/run.sh (make bench); do not edit. -->"


def load(path):
    r = {}
    with open(path) as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                r[k] = v
    return r


def fnum(x, digits=0):
    return "{:,.{}f}".format(float(x), digits)


def ratio(stele, peer, higher_is_better):
    s, p = float(stele), float(peer)
    if s == 0 or p == 0:
        return "n/a"
    x = s / p if higher_is_better else p / s
    return "%.2f× %s" % (x, "better" if x >= 1 else "worse")


# ---- the query benchmark -------------------------------------------------------

SYSTEMS = [("stele", "Stele"), ("clickhouse", "ClickHouse"), ("influxdb", "InfluxDB"),
           ("postgres", "PostgreSQL")]
# The charts' file names, beside the document: bench-queries.png and so on
# for docs/BENCHMARKS.md, bench-X-queries.png for BENCHMARKS-X.md (main).
charts = {"queries": "bench-queries.png", "iot": "bench-iot-queries.png",
          "ingest": "bench-ingest.png"}


def size_text(r, times="×"):
    """The devops data's size: "100 hosts × 1 day", "100,000 hosts × 10 minutes"."""
    rows = int(r["data_rows"])
    secs = int(r.get("data_duration_s", 86400))
    hosts = int(r.get("data_hosts", rows * 10 // secs))
    for unit, n in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        if secs % n == 0:
            k = secs // n
            return "%s hosts %s %d %s%s" % (fnum(hosts), times, k, unit, "" if k == 1 else "s")


def fms(x):
    """Milliseconds with about three significant digits."""
    x = float(x)
    if x < 1:
        return "%.3f" % x
    if x < 10:
        return "%.2f" % x
    if x < 100:
        return "%.1f" % x
    return fnum(x)


def lat_ratio(stele, peer):
    """Stele's median over the peer's, and how much faster or slower that is."""
    if not stele or not peer:
        return "n/a"
    q = stele / peer
    f = 1 / q if q <= 1 else q
    return "%s (%s× %s)" % ("%.2f" % q if q >= 0.1 else "%.2g" % q,
                            "%.2f" % f if f < 10 else "%.1f" % f if f < 100 else fnum(f),
                            "faster" if q <= 1 else "slower")


def load_times(r, prefix=""):
    """{system: {type: [ms]}}, {system: {query id: median}}, {system: [errors]}
    of the systems whose results the run kept (prefix "iot_": the iot stage's)."""
    by_type, by_query, errors = {}, {}, {}
    for key, _ in SYSTEMS:
        path = r.get(prefix + "q_results_" + key)
        if not path:
            continue
        entries = list(qresults.iterate(path, data=False))
        by_type[key] = qresults.by_type(entries)
        by_query[key] = {e["id"]: e["median"] for e in entries if "error" not in e}
        errors[key] = ["%s: %s" % (e["id"], e["error"]) for e in entries if "error" in e]
    return by_type, by_query, errors


def chart(r, types, stats, docdir, systems, png=None, title=None, outdir=None, bmargin=9):
    """A clustered bar chart of the median per type and system, log scale,
    drawn by gnuplot into docs/bench-queries.png (or docdir/png)."""
    png = png or charts["queries"]
    outdir = outdir or os.path.dirname(r["q_results_stele"])
    dat = os.path.join(outdir, "chart.dat")
    gp = os.path.join(outdir, "chart.gp")
    if title is None:
        title = "TSBS devops queries, %s" % size_text(r, "x")
    with open(dat, "w") as f:
        f.write("# type " + " ".join(name for _, name in systems) + "\n")
        for t in types:
            f.write(t + " " + " ".join(
                "%.4f" % stats[k][t][0] if t in stats.get(k, {}) else "NaN"
                for k, _ in systems) + "\n")
    colors = {"stele": "#1b7837", "clickhouse": "#f1a340", "influxdb": "#5e3c99",
              "postgres": "#2166ac"}
    plots = []
    for i, (k, name) in enumerate(systems):
        plots.append("'%s' using %d%s title '%s' lc rgb '%s'" % (
            dat, i + 2, ":xtic(1)" if i == 0 else "", name, colors[k]))
    # where a system has no figure for a type, say so where its bar would be;
    # the y range is then fixed, whole decades around every bar with room on top
    extra = ""
    missing = [(x, i) for x, t in enumerate(types) for i, (k, _) in enumerate(systems)
               if t not in stats.get(k, {})]
    values = [stats[k][t][0] for k, _ in systems for t in types
              if t in stats.get(k, {}) and stats[k][t][0] > 0]
    if missing and values:
        lo = 10 ** math.floor(math.log10(min(values)) - 0.0001)
        hi = 10 ** math.ceil(math.log10(max(values) * 2))
        extra = "set yrange [%g:%g]\n" % (lo, hi) + "".join(
            "set label 'not measured' at %.4f,%g rotate by 90 left font ',8' tc rgb '%s'\n" % (
                x + (i - (len(systems) - 1) / 2) / (len(systems) + 1), lo * 1.15,
                colors[systems[i][0]]) for x, i in missing)
    script = """set terminal pngcairo size 1400,%d font 'Sans,10'
set output '%s'
set title '%s: median latency per query type (ms, log scale; lower is better)'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.9 border -1
set boxwidth 0.9
set logscale y
set format y '%%g'
set ylabel 'median latency, ms'
set grid ytics
set xtics rotate by -35 left
set key top left
set bmargin %d
set rmargin 12
set datafile missing 'NaN'
%splot %s
""" % (700 + 20 * (bmargin - 9), os.path.join(docdir, png), title, bmargin, extra,
       ", ".join(plots))
    with open(gp, "w") as f:
        f.write(script)
    subprocess.run(["gnuplot", gp], check=True)


def queries_section(r, docdir):
    by_type, by_query, errors = load_times(r)
    kept = [(k, n) for k, n in SYSTEMS if k in by_type]
    stats = {k: {t: (qresults.median(v), qresults.p95(v), len(v)) for t, v in by_type[k].items()}
             for k, _ in kept}
    types = list(by_type["stele"].keys())
    for k, _ in kept:
        for t in by_type[k]:
            if t not in types:
                types.append(t)
    hosts = int(r["q_hosts"])
    names = dict(SYSTEMS)
    out = ["## Queries: the TSBS devops set, Stele beside ClickHouse, InfluxDB and PostgreSQL", ""]
    out.append("Data: the file above (%s, %s rows) loaded into every system. "
               "Queries: %s, %s instances of each of the %d TSBS devops query types with random "
               "hosts and windows (`bench/queries.py`, seed 321; `bench/README.md` defines each "
               "type and shows each dialect). Every instance runs %s times untimed (the first "
               "keeps the answer), then up to %s times timed, fewer (but at least 3) once the "
               "timed runs have taken %s s together; a type's median and p95 are over all "
               "timed runs of its instances. The systems run one after another, each alone on "
               "the machine." % (
                   size_text(r), fnum(r["data_rows"]), r["q_count"], r["q_instances"],
                   len(types), r["q_warmup"], r["q_runs"], r["q_max_seconds"]))
    out.append("")
    out.append("Commands (in `%s`; machine as above): `bench/queries.py --hosts %s --duration "
               "%s --instances %s --out bench/out/queries`; Stele: `build/bench/bench_query --db "
               "bench/out/stele-db --queries bench/out/queries/stele.tsv --warmup %s --runs %s "
               "--max-seconds %s`; each peer: `bench/peers.py clickhouse|postgres|influxdb --dir "
               "bench/out/peer-NAME --queries bench/out/queries/NAME.tsv` with the same "
               "`--warmup`, `--runs` and `--max-seconds`; then `bench/answers.py`." % (
                   r.get("run_command", "make bench (bench/run.sh)").split(" (")[0],
                   r["q_hosts"], r.get("data_duration", "1d"), r["q_instances"], r["q_warmup"],
                   r["q_runs"], r["q_max_seconds"]))
    out.append("")
    agree = ", ".join(names[k] for k in r.get("q_systems", "").split(",") if k)
    out.append("Answers: every one of the %s queries gave the same answer in %s (the same rows; "
               "timestamps as instants; numbers equal within 1e-9 relative, averages within "
               "1e-6 absolute; rows in the order the query asks for, InfluxDB's compared as a "
               "set), checked before the timings below were kept (`bench/answers.py`)."
               % (r.get("answers_checked", r["q_count"]), agree))
    out.append("")
    # the systems: versions, loading, how a query is timed
    how = {
        "stele": ("`stele import` of the line protocol (above)",
                  "in the process, through the C API: `stele_prepare`, `stele_next` over every "
                  "batch (every value read), `stele_finalize` (`build/bench/bench_query`)"),
        "clickhouse": ("`clickhouse-client --query 'INSERT INTO cpu FORMAT TabSeparated'` "
                       "from the rows converted out of the line protocol, then `OPTIMIZE TABLE "
                       "cpu FINAL` once no merge runs, until one part per partition is left",
                       "HTTP POST of the query on one kept-alive connection to 127.0.0.1, "
                       "from sending it to the last byte of the TabSeparated answer"),
        "influxdb": ("the line protocol POSTed to `/write` in batches of 10,000 lines by one "
                     "client",
                     "HTTP GET `/query?epoch=ns` on one kept-alive connection to 127.0.0.1, "
                     "from sending it to the last byte of the JSON answer"),
        "postgres": ("`COPY cpu FROM STDIN` of the converted rows, then `CREATE INDEX` on "
                     "(hostname, ts) and on (ts), `VACUUM ANALYZE`",
                     "psycopg2 over the unix socket: `execute` and `fetchall`, values kept as "
                     "PostgreSQL's text"),
    }
    out.append("| system | version | loaded by | load time | a query's latency is |")
    out.append("| --- | --- | --- | ---: | --- |")
    for k, name in SYSTEMS:
        status = r.get(k + "_status", "ok")
        if k == "stele":
            ver, load = r["stele_version"], "%s s" % r["stele_import_s"]
        else:
            ver = "%s (Debian %s)" % (r.get(k + "_version", "?").split(" ")[0],
                                      r.get(k + "_package", "?"))
            load = "%s s" % r[k + "_load_s"] if k + "_load_s" in r else "—"
            if k == "clickhouse" and "clickhouse_optimize_s" in r:
                load += " + %s s" % r["clickhouse_optimize_s"]
                if "clickhouse_parts" in r:
                    load += " (%s part%s)" % (r["clickhouse_parts"],
                                              "" if r["clickhouse_parts"] == "1" else "s")
            if k == "postgres" and "postgres_index_s" in r:
                load += " + %s s" % r["postgres_index_s"]
        if status != "ok":
            load = "—"
        out.append("| %s | %s | %s | %s | %s |" % (name, ver, how[k][0], load, how[k][1]))
    out.append("")
    failed = [(names[k], r[k + "_status"]) for k, _ in SYSTEMS
              if r.get(k + "_status", "ok") != "ok"]
    for name, st in failed:
        out.append("**%s was not measured**: it %s" % (name, st))
        out.append("")
    # bytes on disk of every system holding the same data
    disk = [(n, r.get(k + "_bytes_on_disk")) for k, n in kept]
    if r.get("stele_bytes_on_disk") and any(b for _, b in disk[1:]):
        values = int(r["data_rows"]) * 10
        out.append("Bytes on disk of the same data once loaded (Stele: its whole directory after "
                   "the import; ClickHouse: its active parts after `OPTIMIZE FINAL`; InfluxDB: "
                   "`data` and `wal` once they stop changing; PostgreSQL: "
                   "`pg_total_relation_size`, indexes included; VictoriaMetrics: in the ingest "
                   "table above):")
        out.append("")
        out.append("| system | bytes on disk | bytes per field value | Stele's ratio |")
        out.append("| --- | ---: | ---: | --- |")
        for n, b in disk:
            if not b:
                continue
            rat = "—" if n == "Stele" else ratio(r["stele_bytes_on_disk"], b, False)
            out.append("| %s | %s | %.4f | %s |" % (n, fnum(b), int(b) / values, rat))
        out.append("")
    # the table
    peers = [(k, n) for k, n in kept if k != "stele"]
    out.append("### Latency per query type, ms: median / p95")
    out.append("")
    out.append("| query | " + " | ".join(n for _, n in kept) + " | " +
               " | ".join("Stele ÷ %s (median)" % n for _, n in peers) + " |")
    out.append("| --- | " + " | ".join("---:" for _ in kept) + " | " +
               " | ".join("---" for _ in peers) + " |")
    for t in types:
        cells = []
        for k, _ in kept:
            st = stats[k].get(t)
            cells.append("%s / %s" % (fms(st[0]), fms(st[1])) if st else "failed")
        sm = stats["stele"].get(t, (0,))[0]
        rat = [lat_ratio(sm, stats[k][t][0]) if t in stats[k] else "n/a" for k, _ in peers]
        out.append("| %s | %s | %s |" % (t, " | ".join(cells), " | ".join(rat)))
    out.append("")
    out.append("A ratio under 1 means Stele is faster. Stele runs in the benchmark's own "
               "process; the peers' figures include their client protocol and a loopback round "
               "trip (about 0.1 ms with Python's http.client or psycopg2), which matters only "
               "for the sub-millisecond queries.")
    out.append("")
    chart(r, types, stats, docdir, kept)
    out.append("![median latency per query type and system](%s)" % charts["queries"])
    out.append("")
    for k, name in SYSTEMS:
        for e in errors.get(k, []):
            out.append("- %s could not run %s" % (name, e))
    if any(errors.values()):
        out.append("")
    # targets
    out.append("### Targets (issue: the TSBS query benchmark)")
    out.append("")
    out.append("| target | measured | met |")
    out.append("| --- | --- | --- |")
    if "clickhouse" in stats:
        ch = stats["clickhouse"]
        ok_types = [t for t in types if t in ch and t in stats["stele"]
                    and stats["stele"][t][0] <= ch[t][0] / 2]
        missed = ["%s (%.2f)" % (t, stats["stele"][t][0] / ch[t][0]) for t in types
                  if t in ch and t in stats["stele"] and t not in ok_types]
        out.append("| every query type's median at most half of ClickHouse's (Stele ÷ ClickHouse "
                   "≤ 0.50) | %d of %d types; over: %s | %s |" % (
                       len(ok_types), len(types), ", ".join(missed) or "none",
                       "yes" if not missed and len(ok_types) == len(types) else "**no**"))
        sq, cq = by_query["stele"], by_query["clickhouse"]
        both = [q for q in sq if q in cq]
        ok_q = [q for q in both if sq[q] <= cq[q] / 2]
        out.append("| the same for every query instance, each against the same query on "
                   "ClickHouse | %d of %d | %s |" % (len(ok_q), len(both),
                                                    "yes" if len(ok_q) == len(both) else "**no**"))
    else:
        out.append("| every query type's median at most half of ClickHouse's | ClickHouse was "
                   "not measured | not known |")
    lp = stats["stele"].get("lastpoint")
    if lp and hosts == 1000:
        out.append("| lastpoint under 1 ms at 1,000 hosts (median) | %s ms | %s |" % (
            fms(lp[0]), "yes" if lp[0] < 1 else "**no**"))
    elif lp:
        out.append("| lastpoint under 1 ms at 1,000 hosts (median) | %s ms at %s hosts; "
                   "1,000 hosts are measured by `make bench-full` "
                   "([BENCHMARKS-1000-hosts.md](BENCHMARKS-1000-hosts.md)) | not measured at this "
                   "size |" % (fms(lp[0]), fnum(hosts)))
    out.append("")
    return out


# ---- the iot query benchmark (bench/run_iot.sh) ---------------------------------

IOT_HOW = {
    "stele": "`stele import --db DIR --sync interval=100ms FILE` of the line protocol as "
             "generated, out of order and with its holes",
    "clickhouse": "`clickhouse-client --query 'INSERT INTO readings FORMAT TabSeparated'` "
                  "(and `diagnostics`) of the rows `bench/peers_iot.py tsv` converts out of "
                  "the line protocol (`\\N` for a tag or field a point lacks) into two "
                  "MergeTree tables `ORDER BY (ifNull(name, ''), time)`, every tag "
                  "`Nullable(String)`, then `OPTIMIZE TABLE … FINAL` until one part per "
                  "partition is left",
    "influxdb": "the line protocol as it is, POSTed to `/write` in batches of 10,000 lines by "
                "one client",
    "postgres": "`COPY` of the same rows into two tables, then `CREATE INDEX` on (name, ts) and "
                "on (ts) of each, `VACUUM ANALYZE`",
}


def pct(part, whole):
    return "%.1f %%" % (100.0 * float(part) / float(whole)) if float(whole) else "?"


def geomean(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else 0.0


def iot_section(r, docdir):
    """The TSBS iot (trucks) queries of bench/run_iot.sh: the data and its
    disorder, how each system was loaded, the latency per query type beside
    the peers', the answer check, the chart."""
    g = lambda k, d=None: r.get("iot_" + k, d)  # noqa: E731
    names = dict(SYSTEMS)
    by_type, by_query, errors = load_times(r, "iot_")
    stats = {k: {t: (qresults.median(v), qresults.p95(v), len(v)) for t, v in by_type[k].items()}
             for k in by_type}
    # every type, in the order of the query set, whoever could run it
    types = []
    meta = os.path.join(os.path.dirname(g("q_results_stele")), "queries.json")
    try:
        with open(meta) as f:
            for q in json.load(f)["queries"]:
                t = q["id"].split("#")[0]
                if t not in types:
                    types.append(t)
    except (OSError, ValueError, KeyError):
        pass
    for k in by_type:
        for t in by_type[k]:
            if t not in types:
                types.append(t)
    # why a system has no figure for a type: its status, or its error
    not_run = {}
    for k, _ in SYSTEMS:
        for e in errors.get(k, []):
            qid, msg = e.split(": ", 1)
            not_run.setdefault(k, {}).setdefault(qid.split("#")[0], msg)
    ok = {k: g(k + "_status", "ok") == "ok" and k in by_type for k, _ in SYSTEMS}
    trucks = int(g("data_trucks"))
    gen = lambda k: g("gen_" + k, "0")  # noqa: E731
    lines = int(g("data_lines"))
    run = g("q_runs"), g("q_warmup"), g("q_max_seconds")
    out = ["## Queries: the TSBS iot set (trucks), Stele beside ClickHouse, InfluxDB and "
           "PostgreSQL", ""]
    out.append("Data: `build/bench/gen_iot --trucks %s --duration %s --interval %s` (TSBS's "
               "iot use case: per truck and tick a `readings` and a `diagnostics` point, each "
               "with the truck's tags `name`, `fleet`, `driver`, `model`, `device_version`; "
               "`bench/README-iot.md` defines it), %s trucks × 1 day every 10 s: %s lines, %s "
               "bytes of line protocol (md5 %s), with TSBS's disorder: of %s points generated "
               "%s were never written (%s; %s of them in %s whole missing batches), %s came "
               "late as single points (%s) and %s batches of 10 late as a whole (%s), %s "
               "points lost one field and %s one tag; %s. Stele holds "
               "%s rows and %s field values (two nameless points of one series and time "
               "merge, as in InfluxDB), in %s bytes on disk (%.4f bytes per value), imported "
               "in %s s (%s rows/s, peak RSS %s MiB)." % (
                   trucks, g("data_duration"), g("data_interval"), fnum(trucks), fnum(lines),
                   fnum(g("data_bytes")), g("data_md5"), fnum(gen("points_generated")),
                   fnum(gen("points_missing")),
                   pct(gen("points_missing"), gen("points_generated")),
                   fnum(int(gen("batches_missing")) * 10), fnum(gen("batches_missing")),
                   fnum(gen("points_late")), pct(gen("points_late"), gen("points_generated")),
                   fnum(gen("batches_late")), pct(gen("batches_late"), gen("batches")),
                   fnum(gen("fields_nulled")), fnum(gen("tags_nulled")),
                   "no point arrived after a later point of its own truck (the data is out "
                   "of order across trucks, in order within each)"
                   if gen("points_behind_their_series") == "0" else
                   "%s points arrived after a later point of their own truck"
                   % fnum(gen("points_behind_their_series")),
                   fnum(g("stele_rows")), fnum(g("stele_values")), fnum(g("stele_bytes_on_disk")),
                   float(g("stele_bytes_per_value")), g("stele_import_s"),
                   fnum(g("stele_rows_per_s")), fnum(int(g("stele_peak_rss_kib")) / 1024)))
    out.append("")
    out.append("Queries: %s, the 12 TSBS iot query types (`bench/queries_iot.py`, seed 321), %s "
               "instances of each of the six with parameters (a fleet, a window) and one of "
               "each of the six without; what each one answers, exactly, and each dialect's "
               "form are in [`bench/README-iot.md`](../bench/README-iot.md) (\"Queries: TSBS "
               "iot, four systems\"). A point takes part in a query only when it has every tag "
               "the query uses. The timing rule is the devops set's: %s untimed runs (the "
               "first keeps the answer), up to %s timed, fewer (at least 3) once they have "
               "taken %s s; a type's median and p95 are over all timed runs of its instances; "
               "each system alone on the machine." % (
                   g("q_count"), g("q_instances"), run[1], run[0], run[2]))
    out.append("")
    out.append("Command (in `%s`): `bench/run_iot.sh --trucks %s --duration %s --instances %s "
               "RESULTS`, %s s (%s s of it the queries); it runs `build/bench/bench_query` for "
               "Stele and `bench/peers_iot.py clickhouse|postgres|influxdb` for the peers, with "
               "`--warmup %s --runs %s --max-seconds %s`, then `bench/answers.py`; every "
               "system's answers and timings are in `bench/out/iot/queries/SYSTEM.res`." % (
                   r.get("run_command", "make bench (bench/run.sh)").split(" (")[0], trucks,
                   g("data_duration"), g("q_instances"), fnum(g("run_wall_s", 0)),
                   fnum(g("q_wall_s", 0)), run[1], run[0], run[2]))
    out.append("")
    # the answer check
    agree = [k for k in g("q_systems", "").split(",") if k]
    checked = int(g("answers_checked", g("q_count")))
    partial = []
    for k in agree:
        missing = sorted(set(e.split(": ", 1)[0] for e in errors.get(k, [])))
        if missing:
            partial.append("%s answered %d of them (%s: %s)" % (
                names[k], checked - len(missing), ", ".join(missing),
                "not expressible in InfluxQL" if k == "influxdb" and all(
                    not_run["influxdb"].get(q.split("#")[0], "").startswith("not measured")
                    for q in missing) else "not run"))
    out.append("Answers: every one of the %d queries gave the same answer in every system "
               "that ran it, %s (the same "
               "rows; timestamps as instants; numbers equal within 1e-9 relative, averages "
               "within 1e-6 absolute; columns matched by name; rows in the order the query "
               "asks for, InfluxDB's compared as a set), checked before the timings below "
               "were kept (`bench/answers.py`)%s." % (
                   checked, ", ".join(names[k] for k in agree) or "no system",
                   "; %s" % "; ".join(partial) if partial else ""))
    out.append("")
    # the systems
    out.append("| system | version | loaded by | load time | on disk |")
    out.append("| --- | --- | --- | ---: | ---: |")
    for k, name in SYSTEMS:
        if k == "stele":
            ver, load = r.get("stele_version", "?"), "%s s" % g("stele_import_s")
            disk = fnum(g("stele_bytes_on_disk")) + " B"
        else:
            ver = "%s (Debian %s)" % ((g(k + "_version") or "?").split(" ")[0],
                                      g(k + "_package", "?"))
            load = "%s s" % g(k + "_load_s") if g(k + "_load_s") else "—"
            if k == "clickhouse" and g("clickhouse_optimize_s"):
                load += " + %s s" % g("clickhouse_optimize_s")
                if g("clickhouse_parts"):
                    load += " (%s part%s)" % (g("clickhouse_parts"),
                                              "" if g("clickhouse_parts") == "1" else "s")
            if k == "postgres" and g("postgres_index_s"):
                load += " + %s s" % g("postgres_index_s")
            disk = fnum(g(k + "_bytes_on_disk")) + " B" if g(k + "_bytes_on_disk") else "—"
            if not ok[k]:
                load = disk = "—"
        out.append("| %s | %s | %s | %s | %s |" % (name, ver, IOT_HOW[k], load, disk))
    out.append("")
    out.append("Each load is checked before any query: ClickHouse and PostgreSQL hold every "
               "line's row, InfluxDB every field value that remains once points meet, Stele "
               "every row and value. A query's latency is measured as for the devops set "
               "(above).")
    out.append("")
    for k, name in SYSTEMS:
        st = g(k + "_status", "ok")
        if k != "stele" and (st != "ok" or k not in by_type):
            why = st[len("failed: "):] if st.startswith("failed: ") else \
                st if st != "ok" else "no results were kept"
            out.append("**%s was not measured**: %s" % (name, why))
            out.append("")
    # the table
    peers = [(k, n) for k, n in SYSTEMS if k != "stele"]
    out.append("### Latency per iot query type, ms: median / p95")
    out.append("")
    out.append("| query | " + " | ".join(n for _, n in SYSTEMS) + " | " +
               " | ".join("Stele ÷ %s (median)" % n for _, n in peers) + " |")
    out.append("| --- | " + " | ".join("---:" for _ in SYSTEMS) + " | " +
               " | ".join("---" for _ in peers) + " |")
    for t in types:
        cells = []
        for k, _ in SYSTEMS:
            st = stats.get(k, {}).get(t) if ok[k] or k == "stele" else None
            cells.append("%s / %s" % (fms(st[0]), fms(st[1])) if st else "not measured")
        sm = stats.get("stele", {}).get(t)
        rat = [lat_ratio(sm[0], stats[k][t][0]) if sm and ok[k] and t in stats.get(k, {})
               else "—" for k, _ in peers]
        out.append("| %s | %s | %s |" % (t, " | ".join(cells), " | ".join(rat)))
    out.append("")
    for k, name in SYSTEMS:
        if not ok[k] and k != "stele":
            continue
        for t, msg in not_run.get(k, {}).items():
            if msg.startswith("not measured: ") and t not in stats.get(k, {}):
                out.append("- %s, %s: not measured: %s" % (name, t, msg[len("not measured: "):]))
            else:
                ids = [e.split(": ", 1)[0] for e in errors[k]
                       if e.split(": ", 1)[0].split("#")[0] == t]
                out.append("- %s could not run %s: %s%s" % (
                    name, ", ".join(ids), msg, " (the figures above are its other instances')"
                    if t in stats.get(k, {}) else ""))
    if any(not_run.get(k) and (ok[k] or k == "stele") for k, _ in SYSTEMS):
        out.append("")
    summary = []
    for k, name in peers:
        both = [t for t in types if ok[k] and t in stats.get(k, {}) and t in stats["stele"]]
        if not both:
            continue
        q = [stats["stele"][t][0] / stats[k][t][0] for t in both]
        summary.append("Stele's median is lower than %s's in %d of %d types (geometric mean of "
                       "Stele ÷ %s: %.2f)" % (name, sum(1 for x in q if x < 1), len(both),
                                              name, geomean(q)))
    out.append("A ratio under 1 means Stele is faster. %s. As above, Stele runs in the "
               "benchmark's own process and the peers' figures include a client protocol and a "
               "loopback round trip." % ("; ".join(summary) if summary else
                                         "No peer was measured"))
    out.append("")
    drawn = [(k, n) for k, n in SYSTEMS if k in stats and (ok[k] or k == "stele")]
    chart(r, types, stats, docdir, drawn, png=charts["iot"],
          title="TSBS iot queries, %s trucks x 1 day" % fnum(trucks),
          outdir=os.path.dirname(g("q_results_stele")), bmargin=13)
    out.append("![median latency per iot query type and system](%s)" % charts["iot"])
    out.append("")
    return out


def import_sections(r):
    """Stele's import and storage beside VictoriaMetrics, the targets of the
    foundation issue, the parser, a million series."""
    out = []
    out.append("Command: `%s`, %s s in all. Stele: `stele import --db DIR --sync "
               "interval=100ms FILE`, the median of 3 runs, wall time and peak RSS from "
               "`/usr/bin/time -v`. VictoriaMetrics: the same file POSTed to its InfluxDB "
               "`/write` endpoint in 8 MB chunks by one curl client, then `force_flush`; bytes "
               "on disk after `force_merge` once the size stops changing." % (
                   r.get("run_command", "make bench (bench/run.sh)").split(" (")[0],
                   fnum(r.get("run_wall_s", 0))))
    out.append("")
    out.append("### Ingest and storage, Stele beside VictoriaMetrics")
    out.append("")
    out.append("| measure | Stele | VictoriaMetrics | Stele's ratio |")
    out.append("| --- | ---: | ---: | --- |")
    out.append("| import rows/s | %s | %s | %s |" % (
        fnum(r["stele_rows_per_s"]), fnum(r["vm_rows_per_s"]),
        ratio(r["stele_rows_per_s"], r["vm_rows_per_s"], True)))
    out.append("| import MB/s of line protocol | %s | %s | %s |" % (
        fnum(r["stele_mb_per_s"], 1), fnum(r["vm_mb_per_s"], 1),
        ratio(r["stele_mb_per_s"], r["vm_mb_per_s"], True)))
    out.append("| bytes on disk | %s | %s | %s |" % (
        fnum(r["stele_bytes_on_disk"]), fnum(r["vm_bytes_on_disk"]),
        ratio(r["stele_bytes_on_disk"], r["vm_bytes_on_disk"], False)))
    out.append("| bytes per field value | %.4f | %.4f | %s |" % (
        float(r["stele_bytes_per_value"]), float(r["vm_bytes_per_value"]),
        ratio(r["stele_bytes_per_value"], r["vm_bytes_per_value"], False)))
    out.append("| peak RSS during import | %s MiB | %s MiB | %s |" % (
        fnum(int(r["stele_peak_rss_kib"]) / 1024), fnum(int(r["vm_peak_rss_kib"]) / 1024),
        ratio(r["stele_peak_rss_kib"], r["vm_peak_rss_kib"], False)))
    out.append("")
    out.append("VictoriaMetrics' import time includes the HTTP client; Stele's includes reading "
               "the file. Both count every byte each keeps in its data directory (Stele: WAL, "
               "segments, series index, manifest).")
    out.append("")
    out.append("### Targets (issue: foundation)")
    out.append("")
    out.append("| target | measured | met |")
    out.append("| --- | ---: | --- |")
    checks = [
        ("import ≥ 1,000,000 rows/s with `--sync interval=100ms`",
         fnum(r["stele_rows_per_s"]) + " rows/s", float(r["stele_rows_per_s"]) >= 1e6),
        ("≤ 0.45 bytes per value on disk", "%.4f" % float(r["stele_bytes_per_value"]),
         float(r["stele_bytes_per_value"]) <= 0.45),
        ("peak RSS < 256 MB while importing", fnum(int(r["stele_peak_rss_kib"]) * 1024 / 1e6)
         + " MB", int(r["stele_peak_rss_kib"]) * 1024 < 256e6),
    ]
    if r.get("lp_mb_per_s_time_1m"):
        slowest = min(float(r[k]) for k in ("lp_mb_per_s_host_1m", "lp_mb_per_s_host_4m",
                                             "lp_mb_per_s_time_1m", "lp_mb_per_s_time_4m"))
        checks.append(("line-protocol parsing ≥ 500 MB/s on one core (the slowest of the "
                       "four cases below)", fnum(slowest) + " MB/s", slowest >= 500))
    for name, val, ok in checks:
        out.append("| %s | %s | %s |" % (name, val, "yes" if ok else "**no**"))
    out.append("")
    if r.get("lp_mb_per_s_time_1m"):
        out.append("### Line-protocol parsing, one core (`build/bench/bench_lp`)")
        out.append("")
        out.append("| order of the lines | 1 MiB batches (an HTTP write) | 4 MiB batches "
                   "(`stele import`) |")
        out.append("| --- | ---: | ---: |")
        out.append("| host-major: a source's points in a run | %s MB/s | %s MB/s |" % (
            fnum(r["lp_mb_per_s_host_1m"]), fnum(r["lp_mb_per_s_host_4m"])))
        out.append("| time-major: no two consecutive lines of one series | %s MB/s | %s MB/s |" % (
            fnum(r["lp_mb_per_s_time_1m"]), fnum(r["lp_mb_per_s_time_4m"])))
        out.append("")
        out.append("A line that repeats a recent line's measurement and tags byte for byte "
                   "shares their parse (runs of one series are cheapest).")
        out.append("")
    if "hc_series" in r:
        out.append("### A million series")
        out.append("")
        out.append("`gen_devops --hosts 1000000 --duration 10s` (one row for each of 1,000,000 "
                   "hosts) imported the same way: %s series in %s s, peak RSS %s MiB "
                   "(series index, memtable and flush together)." % (
                       fnum(r["hc_series"]), r["hc_import_s"],
                       fnum(int(r["hc_peak_rss_kib"]) / 1024)))
        out.append("")
    if r.get("scan_ms_1") and r.get("mem_read_gbps_1"):
        out += hot_paths(r)
    return out


def codec_rows(path):
    """bench_codec's automatic choice per dataset (zstd level 0) and its
    devops rows at 1024-row blocks: (name, bits a value, encode MB/s,
    decode MB/s, codecs)."""
    rows = []
    try:
        lines = open(path).read().splitlines()
    except OSError:
        return rows
    for l in lines:
        if "auto (zstd 0)" in l:
            name, rest = l.split("auto (zstd 0)")
            f = rest.split()
            rows.append((name.strip(), f[0], f[1], f[2], " ".join(f[3:])))
        f = l.split()
        if len(f) >= 9 and f[0] == "1024" and f[1] == "zstd" and f[2] == "0":
            rows.append(("devops day, 1024-row blocks (fields; bits: per field value)",
                         f[4], f[7], f[8], " ".join(f[9:])))
    return rows


def hot_paths(r):
    rows = int(r["data_rows"])
    rd1 = float(r["mem_read_gbps_1"])
    out = ["### Hot paths, one core, beside the memory bandwidth", ""]
    out.append("Memory bandwidth of this machine, measured in the same run (`build/bench/membw "
               "--mib 1024`: the best of 5 passes over 1 GiB): read %s GB/s, write %s GB/s, "
               "copy %s GB/s on one thread; %s, %s and %s GB/s on %s threads." % (
                   r["mem_read_gbps_1"], r["mem_write_gbps_1"], r["mem_copy_gbps_1"],
                   r["mem_read_gbps_all"], r["mem_write_gbps_all"], r["mem_copy_gbps_all"],
                   r["machine_cores"] if "machine_cores" in r else "all"))
    out.append("")
    out.append("A scan of the whole day on one thread (`bench_query --threads 1`, median of 10 "
               "runs after 2), each value decoded (the sums are of expressions, so block "
               "statistics cannot answer them); decoded bytes count 8 a value:")
    out.append("")
    out.append("| query | columns decoded | rows/s | values/s | decoded bytes/s | of one "
               "thread's read bandwidth |")
    out.append("| --- | ---: | ---: | ---: | ---: | ---: |")
    for key, sql, ncols in (("1", "SELECT sum(usage_user + 1) FROM cpu", 1),
                            ("10", "SELECT sum(usage_user + ... + usage_guest_nice) FROM cpu",
                             10),
                            ("ts", "SELECT max(ts + interval '1 second') FROM cpu", 1)):
        ms = r.get("scan_ms_" + key)
        if not ms:
            continue
        rps = rows / (float(ms) / 1e3)
        bps = rps * ncols * 8
        out.append("| `%s` | %d | %s | %s | %.2f GB/s | %.0f%% |" % (
            sql, ncols, fnum(rps), fnum(rps * ncols), bps / 1e9, 100 * bps / 1e9 / rd1))
    out.append("")
    crows = codec_rows(r.get("codec_bench_file", ""))
    if crows:
        out.append("The codecs on characteristic columns (`build/bench/bench_codec --quick`; "
                   "MB/s of raw values, 8 bytes a number; the automatic choice at zstd level "
                   "0; `src/storage/codecs/README.md` explains each):")
        out.append("")
        out.append("| column | bits a value | encode MB/s | decode MB/s | codecs taken |")
        out.append("| --- | ---: | ---: | ---: | --- |")
        for name, bits, enc, dec, codecs in crows:
            out.append("| %s | %s | %s | %s | %s |" % (name, bits, fnum(enc), fnum(dec), codecs))
        out.append("")
    return out


# ---- HTTP ingest ----------------------------------------------------------------

INGEST = [("stele", "Stele"), ("victoriametrics", "VictoriaMetrics"), ("influxdb", "InfluxDB"),
          ("discard", "discard server")]
ACKED = {
    "stele": "the batch is in the WAL and fsynced (`--sync always`, the default; concurrent "
             "requests share an fsync)",
    "victoriametrics": "the rows are in memory; they reach disk in the background, with no "
                       "fsync before the answer",
    "influxdb": "the batch is in the WAL and fsynced (`wal-fsync-delay = 0s`, the default)",
    "discard": "the request has been read",
}
STARTED = {
    "stele": "`stele serve --data DIR --http 127.0.0.1:PORT --pg off --insecure`",
    "victoriametrics": "`victoria-metrics -storageDataPath=DIR -retentionPeriod=100y "
                       "-httpListenAddr=127.0.0.1:PORT`",
    "influxdb": "`influxd -config influxdb.conf`, generated as for the query benchmark "
                "(`bench/README.md`, \"Peers\")",
    "discard": "`load_http --discard PORT`: reads each request whole and answers 204",
}


def ingest_chart(r, systems, workers, docdir):
    """rows/s per system, clustered by the number of client workers, log
    scale, values on the bars; gnuplot into docs/bench-ingest.png."""
    outdir = os.path.dirname(os.path.abspath(sys.argv[1]))
    dat = os.path.join(outdir, "ingest-chart.dat")
    gp = os.path.join(outdir, "ingest-chart.gp")
    with open(dat, "w") as f:
        f.write("# workers " + " ".join(k for k, _ in systems) + "\n")
        for w in workers:
            f.write('"%d worker%s" ' % (w, "s" if w != 1 else "") + " ".join(
                r.get("http_%s_w%d_rows_per_s" % (k, w), "NaN") for k, _ in systems) + "\n")
    colors = {"stele": "#1b7837", "victoriametrics": "#e66101", "influxdb": "#5e3c99",
              "discard": "#9e9e9e"}
    n, gap = len(systems), 1
    plots, labels = [], []
    for i, (k, name) in enumerate(systems):
        plots.append("'%s' using %d%s title \"%s\" lc rgb '%s'" % (
            dat, i + 2, ":xtic(1)" if i == 0 else "",
            name + (" (the load client's ceiling)" if k == "discard" else ""), colors[k]))
        labels.append("'%s' using ($0 + %.4f):%d:(fmt(column(%d))) with labels offset 0,0.8 "
                      "font ',9' notitle" % (dat, (i - (n - 1) / 2) / (n + gap), i + 2, i + 2))
    script = """set terminal pngcairo size 1000,600 font 'Sans,10'
set output '%s'
set title 'HTTP ingest, %s, %s-line batches: rows/s (log scale; higher is better)'
set style data histograms
set style histogram clustered gap %d
set style fill solid 0.9 border -1
set boxwidth 0.9
set logscale y
set yrange [10000:*]
set format y '%%.0s%%c'
set ylabel 'rows/s'
set grid ytics
set key top left
set datafile missing 'NaN'
fmt(x) = x >= 1e6 ? sprintf('%%.3gM', x / 1e6) : sprintf('%%.3gk', x / 1e3)
plot %s
""" % (os.path.join(docdir, charts["ingest"]), size_text(r, "x"),
       fnum(r["http_batch_lines"]), gap, ", ".join(plots + labels))
    with open(gp, "w") as f:
        f.write(script)
    subprocess.run(["gnuplot", gp], check=True)


def ingest_section(r, docdir):
    workers = [int(w) for w in r["http_workers"].split(",")]
    names = dict(INGEST)
    ran = [k for k in r["http_systems"].split(",") if k]
    kept = [(k, n) for k, n in INGEST if k in ran and r.get("http_%s_status" % k) == "ok"]
    batch = fnum(r["http_batch_lines"])
    rows = int(r["data_rows"])

    def g(k, w, what):
        return r.get("http_%s_w%d_%s" % (k, w, what))

    out = ["## HTTP ingest (%s, %s-line batches)" % (size_text(r), batch), ""]
    out.append("The file above POSTed over HTTP to each system's InfluxDB-compatible "
               "`/write?db=bench&precision=ns` by `build/bench/load_http` (C: the file read into "
               "memory first, cut into batches of %s whole lines, each request one `sendmsg` of "
               "a prebuilt head and a slice of the file; one kept-alive HTTP/1.1 connection per "
               "client worker, batches taken from one shared counter; every response must be "
               "2xx), with %s client workers. Each system ran alone, on 127.0.0.1, started "
               "fresh with an empty throwaway directory for each run, and held every row and "
               "value afterwards, counted through its own query interface, before its figures "
               "were kept. Each system and worker count ran %s time%s, each time on a fresh "
               "server, with the machine to itself: a run during which other processes took "
               "%s cores or more was run again (at most twice as many runs in all); the "
               "figures are those of the quiet run with the median rows/s. rows/s and "
               "values/s: from the moment every worker is connected until "
               "the last response has been read. Server CPU: utime + stime of the server process "
               "over the same span (work a server defers past its last answer, compaction for "
               "one, is not in it), per million rows. Server RSS: the server's `VmHWM` (peak) and "
               "`VmRSS` (steady: what it holds once the load is over) when the rows had been "
               "counted." % (batch, " and ".join(map(str, workers)),
                                            r.get("http_runs", "1"),
                                            "s" * (r.get("http_runs", "1") != "1"),
                                            r.get("http_busy_cores", "0.2")))
    out.append("")
    out.append("Command (in `%s`): `bench/ingest.py --load build/bench/load_http --lp FILE "
               "--workers %s --batch-lines %s`, which runs, per system and worker count, "
               "`load_http --url http://127.0.0.1:PORT/write?db=bench&precision=ns --file FILE "
               "--workers N --batch-lines %s` (bench/README.md, \"HTTP ingest\")." % (
                   r.get("run_command", "make bench (bench/run.sh)").split(" (")[0],
                   r["http_workers"], r["http_batch_lines"], r["http_batch_lines"]))
    out.append("")
    out.append("| system | version | started as | a write is answered when |")
    out.append("| --- | --- | --- | --- |")
    for k, name in INGEST:
        if k in ran:
            ver = r.get("http_%s_version" % k, "—")
            if k in ("victoriametrics", "influxdb") and ver != "—":
                ver = "Debian " + ver
            out.append("| %s | %s | %s | %s |" % (name, ver, STARTED[k], ACKED[k]))
    out.append("")
    for k, name in INGEST:
        st = r.get("http_%s_status" % k)
        if k in ran and st != "ok":
            out.append("**%s was not measured**: %s" % (name, st[len("failed: "):]
                       if st.startswith("failed: ") else st[len("not measured: "):]
                       if st.startswith("not measured: ") else st))
            out.append("")
    stele_ok = ("stele", "Stele") in kept
    out.append("| system | client workers | rows/s | values/s | MB/s | Stele ÷ system, rows/s "
               "| server CPU s per million rows | server RSS, peak / steady | batch latency p50 / p99 "
               "| other processes, cores |")
    out.append("| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |")
    for k, name in kept:
        for w in workers:
            if g(k, w, "rows_per_s") is None:
                continue
            if k in ("stele", "discard") or not stele_ok:
                rat = "—"
            else:
                rat = "**%.2f×**" % (float(g("stele", w, "rows_per_s")) /
                                    float(g(k, w, "rows_per_s")))
            steady = g(k, w, "steady_rss_kib")
            out.append("| %s | %d | %s | %s | %s | %s | %s | %s / %s MiB | %s / %s ms | %s |" % (
                name + (" (the client's ceiling)" if k == "discard" else ""), w,
                fnum(g(k, w, "rows_per_s")), fnum(g(k, w, "values_per_s")),
                fnum(g(k, w, "mb_per_s"), 1), rat, "%.3f" % float(g(k, w, "cpu_s_per_mrows")),
                fnum(int(g(k, w, "peak_rss_kib")) / 1024),
                fnum(int(steady) / 1024) if steady else "?", fms(g(k, w, "latency_p50_ms")),
                fms(g(k, w, "latency_p99_ms")), g(k, w, "other_cores") or "?"))
    out.append("")
    out.append("Other processes: the CPU time the rest of the machine used during the load "
               "(`/proc/stat`, less the server's, the client's and the driver's), over its wall "
               "time; 0 on an idle machine.")
    out.append("")
    limit = float(r.get("http_busy_cores", "0.2"))
    busy = [(name, w, float(g(k, w, "other_cores"))) for k, name in kept for w in workers
            if g(k, w, "other_cores") and float(g(k, w, "other_cores")) >= limit]
    if busy:
        worst = max(busy, key=lambda x: x[2])
        out.append("**The machine was not idle during this run**: other processes took up to "
                   "%.2f of its %s cores while %s was loaded by %d worker%s, and %g cores or "
                   "more in %d of the rows above, in every one of their runs. Those figures "
                   "understate what the system does on a machine of its own, and the ratios "
                   "move with them." % (
                       worst[2], r.get("machine_cores", "?"), worst[0], worst[1],
                       "s" * (worst[1] != 1), limit, len(busy)))
        out.append("")
    every = ["%s, %d worker%s: %s" % (name, w, "s" * (w != 1), ", ".join(
        fnum(x.rstrip("*")) + (" (busy)" if x.endswith("*") else "")
        for x in g(k, w, "runs_rows_per_s").split(",")))
        for k, name in kept for w in workers if g(k, w, "runs_rows_per_s")]
    any_busy = "*" in "".join(g(k, w, "runs_rows_per_s") or "" for k, _ in kept
                              for w in workers)
    if every and (r.get("http_runs", "1") != "1" or any_busy):
        out.append("rows/s of every run%s: " % (
            " (busy: other processes took %s cores or more; not counted)" %
            r.get("http_busy_cores", "0.2") if any_busy else "") + "; ".join(every) + ".")
        out.append("")
    measured = [(k, w) for k, _ in kept if k != "discard" for w in workers
                if g(k, w, "rows_per_s")]
    if ("discard", "discard server") in kept and measured:
        fastest = max(float(g(k, w, "rows_per_s")) for k, w in measured)
        ceil = min(float(g("discard", w, "rows_per_s")) for w in workers)
        ccpu = max(float(g(k, w, "client_cpu_s")) for k, _ in kept for w in workers
                   if g(k, w, "client_cpu_s"))
        out.append("The load client's ceiling: against the server that discards (the same "
                   "client, the same batches, over the same loopback) it sends %s; the slowest "
                   "of these is %.1f× the fastest system measured, so the client is not what "
                   "limits any system here. The client's own CPU time was at most %.2f s in "
                   "any run." % (
                       " and ".join("%s rows/s with %d worker%s" % (
                           fnum(g("discard", w, "rows_per_s")), w, "s" * (w != 1))
                           for w in workers), ceil / fastest, ccpu))
        out.append("")
    if kept:
        ingest_chart(r, kept, workers, docdir)
        out.append("![HTTP ingest rows/s per system and client workers](%s)" % charts["ingest"])
        out.append("")
    # targets
    w2 = 2 if 2 in workers else max(workers)
    out.append("### Targets (issue: the server's HTTP ingest)")
    out.append("")
    out.append("| target | measured | met |")
    out.append("| --- | --- | --- |")
    for k, want in (("victoriametrics", 3), ("influxdb", 6)):
        t = "HTTP ingest rows/s at least %d× %s (%d client workers, %s-line batches, Stele " \
            "with the default `--sync always`)" % (
                want, names[k] + ("'" if names[k].endswith("s") else "'s"), w2, batch)
        if stele_ok and (k, names[k]) in kept and g(k, w2, "rows_per_s"):
            x = float(g("stele", w2, "rows_per_s")) / float(g(k, w2, "rows_per_s"))
            out.append("| %s | %.2f× (%s against %s rows/s) | %s |" % (
                t, x, fnum(g("stele", w2, "rows_per_s")), fnum(g(k, w2, "rows_per_s")),
                "yes" if x >= want else "**no**"))
        else:
            out.append("| %s | %s | not known |" % (
                t, "Stele was not measured" if not stele_ok else names[k] + " was not measured"))
    out.append("")
    return out


def main():
    r = load(sys.argv[1])
    doc = sys.argv[2]
    name = os.path.basename(doc)
    if name != "BENCHMARKS.md" and name.startswith("BENCHMARKS-") and name.endswith(".md"):
        tag = name[len("BENCHMARKS-"):-3]
        for k in charts:
            charts[k] = "bench-%s-%s.png" % (tag, k)
    try:
        head = open(doc).read().split(MARKER)[0].rstrip() + "\n\n"
    except FileNotFoundError:
        head = "# Stele benchmarks\n\n"
    rows = int(r["data_rows"])
    out = [MARKER, ""]
    out.append("## Results of %s" % r["run_date"])
    out.append("")
    out.append("Machine: %s, %s cores, %s GiB, Linux %s. Stele %s; VictoriaMetrics %s "
               "(Debian package)." % (r["machine_cpu"], r["machine_cores"], r["machine_mem_gib"],
                                      r["machine_kernel"], r["stele_version"], r["vm_version"]))
    out.append("")
    out.append("Data: TSBS-equivalent devops `cpu-only`, %s, one row every 10 s: "
               "%s rows, %s field values, %s bytes of line protocol (md5 %s)." % (
                   size_text(r), fnum(rows), fnum(rows * 10), fnum(r["data_bytes"]),
                   r["data_md5"]))
    out.append("")
    if "stele_import_s" in r:
        out += import_sections(r)
    if "http_systems" in r:
        out += ingest_section(r, os.path.dirname(os.path.abspath(doc)))
    if "q_count" in r:
        out += queries_section(r, os.path.dirname(os.path.abspath(doc)))
    if "iot_q_results_stele" in r:
        out += iot_section(r, os.path.dirname(os.path.abspath(doc)))
    with open(doc, "w") as f:
        f.write(head + "\n".join(out) + "\n")


main()
