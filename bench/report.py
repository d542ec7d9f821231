"""Writes the measured part of docs/BENCHMARKS.md from bench/run.sh's results.

Everything above the marker line in docs/BENCHMARKS.md is hand-written and
kept; everything below it is replaced by tables built from the results file
(KEY=VALUE lines). No figure is written that was not measured in the run."""

import sys

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


def main():
    r = load(sys.argv[1])
    doc = sys.argv[2]
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
    out.append("Data: TSBS-equivalent devops `cpu-only`, %s hosts × 1 day, one row every 10 s: "
               "%s rows, %s field values, %s bytes of line protocol (md5 %s)." % (
                   fnum(rows // 8640), fnum(rows), fnum(rows * 10), fnum(r["data_bytes"]),
                   r["data_md5"]))
    out.append("")
    out.append("Command: `make bench` (`bench/run.sh`). Stele: `stele import --db DIR --sync "
               "interval=100ms FILE`, the median of 3 runs, wall time and peak RSS from "
               "`/usr/bin/time -v`. VictoriaMetrics: the same file POSTed to its InfluxDB "
               "`/write` endpoint in 8 MB chunks by one curl client, then `force_flush`; bytes "
               "on disk after `force_merge` once the size stops changing.")
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
    with open(doc, "w") as f:
        f.write(head + "\n".join(out) + "\n")


main()
