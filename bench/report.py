#!/usr/bin/env python3
"""bench/report.py: turns one bench/run folder's raw data into report.md and
PNG charts.

bench/run calls it as `report.py FOLDER` once the scenarios have run (or were
interrupted). It reads FOLDER/raw: run.txt (key=value facts about the machine
and the run), commands.txt, and whichever of throughput.csv, collections.csv,
aof.csv (with aof-disk.csv, aof-targets.csv and aof-sweep.csv), rdb.csv,
features.csv, replication.csv, datamodel.csv, mixed.jsonl and torture-<policy>.log the run produced;
groups whose data is missing are left out of the report. Charts are drawn by
gnuplot from .dat files and one script, all kept in raw/ so they can be drawn
again by hand (`gnuplot raw/charts.gp` inside the folder).

Every ratio is ringkv / reference: above 1 is better for throughput, below 1
is better for times, latencies and memory.
"""
import csv
import json
import os
import re
import shutil
import statistics
import subprocess
import sys

# Order and labels of the figures in rdb.csv that the report shows.
RDB_FIGURES = [
    ("keys", "keys after reload"),
    ("bgsave_ms", "BGSAVE wall time (ms)"),
    ("fork_ms", "fork (latest_fork_usec, ms)"),
    ("rdb_mb", "dump.rdb size (MB)"),
    ("child_mbs", "child MB/s (size / wall time)"),
    ("load_ms", "start-up: exec to PONG (ms)"),
    ("load_log_s", "start-up: \"DB loaded from disk\" (s)"),
    ("get_p50", "GET p50, no save (ms)"),
    ("get_p99", "GET p99, no save (ms)"),
    ("get_max", "GET max, no save (ms)"),
    ("bgsave_get_p50", "GET p50 during BGSAVE (ms)"),
    ("bgsave_get_p99", "GET p99 during BGSAVE (ms)"),
    ("bgsave_get_max", "GET max during BGSAVE (ms)"),
]
MIXED_FIGURES = [
    ("achieved_rate", "achieved requests/s", 1.0),
    ("p50_us", "p50 (ms)", 1e-3),
    ("p99_us", "p99 (ms)", 1e-3),
    ("p999_us", "p99.9 (ms)", 1e-3),
    ("max_us", "max (ms)", 1e-3),
    ("errors", "errors", 1.0),
    ("unsent", "requests not sent by the end", 1.0),
]
POLICY_ORDER = ["always", "everysec", "no", "off"]
CHART_WIDTH_PX = 1000
CHART_HEIGHT_PX = 480


def number(text):
    """The float in text, or None for "-", "" and anything unparsable."""
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def fmt(value, places=None):
    if value is None:
        return "-"
    if places is None:
        places = 0 if abs(value) >= 100 else (2 if abs(value) >= 1 else 3)
    return f"{value:,.{places}f}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "-"
    return f"{a / b:.2f}"


def read_csv(path):
    if not os.path.exists(path):
        return None
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def read_facts(path):
    facts, failed = {}, []
    with open(path) as f:
        for line in f:
            key, _, value = line.rstrip("\n").partition("=")
            if key == "failed":
                failed.append(value)
            else:
                facts[key] = value
    return facts, failed


class Report:
    def __init__(self, folder):
        self.folder = folder
        self.raw = os.path.join(folder, "raw")
        self.facts, self.failed = read_facts(os.path.join(self.raw, "run.txt"))
        ref = os.path.basename(self.facts.get("reference", "reference"))
        self.ref = ref or "reference"
        self.lines = []
        self.charts = []  # gnuplot script pieces, one per chart

    def say(self, *lines):
        self.lines.extend(lines)

    def table(self, header, rows, numeric=True):
        align = "---:" if numeric else "---"
        self.say("| " + " | ".join(header) + " |",
                 "|" + "|".join(["---"] + [align] * (len(header) - 1)) + "|")
        for row in rows:
            self.say("| " + " | ".join(str(c) for c in row) + " |")
        self.say("")

    def dat(self, name, rows):
        """Writes rows (label, values...) as a gnuplot data file; returns its
        path relative to the folder, where gnuplot runs."""
        path = os.path.join(self.raw, name)
        with open(path, "w") as f:
            for label, *values in rows:
                f.write('"%s" %s\n' % (label, " ".join("-" if v is None else repr(v) for v in values)))
        return "raw/" + name

    def bar_chart(self, png, title, ylabel, data, series, logscale=True, ymin="*", extra=None):
        """A clustered bar chart: one cluster per data row, one bar per
        (column, title) in series; extra is one more gnuplot plot element,
        such as a constant drawn as a line."""
        plots = []
        for i, (column, name) in enumerate(series):
            source = f"'{data}'" if i == 0 else "''"
            xtic = ":xtic(1)" if i == 0 else ""
            plots.append(f"{source} using {column}{xtic} title '{name}'")
        if extra:
            plots.append(extra)
        self.charts.append("\n".join([
            f"set output '{png}'",
            f"set title '{title}'",
            f"set ylabel '{ylabel}'",
            "set logscale y" if logscale else "unset logscale y",
            f"set yrange [{ymin}:*]",
            "plot " + ", \\\n     ".join(plots),
        ]))
        self.say(f"![{title}]({png})", "")

    # ---- sections ----

    def header(self):
        f = self.facts
        kind = "quick run" if f.get("quick") == "1" else "full run"
        self.say(f"# ringkv benchmark, {f.get('started_utc', '?')}", "")
        self.say(f"`{f.get('command', 'bench/run')}` ({kind}, {f.get('rounds', '?')} round(s) per "
                 f"figure, medians shown; took {f.get('elapsed', '?')} min:s). ringkv "
                 f"{f.get('ringkv_commit', '?')} ({f.get('ringkv_build', '?')} build) beside "
                 f"{f.get('reference_version', self.ref)}. Each ratio is ringkv / {self.ref}: above 1 "
                 "is better for throughput, below 1 for times, latencies and memory.", "")
        if f.get("interrupted") == "1":
            self.say("**Interrupted**: only the groups that finished are reported.", "")
        if self.failed:
            self.say("**Steps that failed**: " + "; ".join(self.failed) + " (logs in raw/).", "")

    def machine(self, aof_disk, rdb):
        f = self.facts
        rows = [("cores", f.get("cores", "?")), ("CPU", f.get("model", "?")),
                ("memory", f.get("memory", "?")), ("kernel", f.get("kernel", "?")),
                ("OS", f.get("os", "?")),
                ("filesystem of the work dir", f"{f.get('filesystem', '?')} ({f.get('workdir', '?')})")]
        disk_fio = {r["figure"]: r["value"] for r in aof_disk or []}
        if disk_fio:
            rows += [("fio 4 KiB write + fdatasync", f"{disk_fio.get('fdatasync_per_s', '-')} fdatasyncs/s"),
                     ("fio 4 KiB O_DIRECT + O_DSYNC overwrite",
                      f"QD1 {disk_fio.get('dsync_qd1_iops', '-')} IOPS, QD4 "
                      f"{disk_fio.get('dsync_qd4_iops', '-')} IOPS ({disk_fio.get('dsync_qd1_engine', '-')})"),
                     ("fio 1 MiB sequential writes", f"{disk_fio.get('seq_buffered_mbs', '-')} MB/s buffered "
                      f"+ fsync, {disk_fio.get('seq_direct_mbs', '-')} MB/s O_DIRECT")]
        disk = next((r for r in rdb or [] if r["dataset"] == "disk"), None)
        if disk:
            rows.append(("fio 1 MiB sequential writes (rdb.sh's size)",
                         f"{disk['ringkv']} MB/s buffered + fsync, {disk['redis']} MB/s O_DIRECT"))
        self.say("## Machine", "")
        self.table(["fact", "value"], rows, numeric=False)

    def throughput(self, rows, collections):
        chart = []
        if rows:
            self.say("## GET and SET (redis-benchmark, 50 clients, no persistence)", "")
            table = []
            for r in rows:
                if r["test"] == "bytes_per_key":
                    continue
                a, b = number(r["ringkv"]), number(r["redis"])
                label = f"{r['test'].upper()} P{r['pipeline']}"
                table.append((label, fmt(a), fmt(b), ratio(a, b)))
                chart.append((label, a, b))
            self.table(["scenario", "ringkv req/s", f"{self.ref} req/s", "ratio"], table)
        if collections:
            self.say("## Collection commands (redis-benchmark, 50 clients, P1)", "")
            table = []
            for r in collections:
                a, b = number(r["ringkv"]), number(r["redis"])
                label = r["test"].upper()
                table.append((label, fmt(a), fmt(b), ratio(a, b)))
                chart.append((label, a, b))
            self.table(["command", "ringkv req/s", f"{self.ref} req/s", "ratio"], table)
        if chart:
            data = self.dat("throughput.dat", chart)
            self.bar_chart("throughput.png", "Throughput at 50 clients (redis-benchmark)",
                           "requests/s (log scale)", data, [(2, "ringkv"), (3, self.ref)])

    def memory(self, rows):
        row = next((r for r in rows or [] if r["test"] == "bytes_per_key"), None)
        if not row:
            return
        a, b = number(row["ringkv"]), number(row["redis"])
        self.say("## Memory per key", "",
                 "used_memory growth after SET of 1M keys (16-byte names, 32-byte values), "
                 "divided by DBSIZE.", "")
        self.table(["figure", "ringkv", self.ref, "ratio"], [("bytes per key", fmt(a), fmt(b), ratio(a, b))])

    def aof(self, rows, disk, targets, sweep):
        """aof.sh's CSV files: aof.csv (one row per policy and load point),
        aof-disk.csv (fio), aof-targets.csv and, with a sweep, aof-sweep.csv."""
        rows = [r for r in rows or [] if r.get("policy") in POLICY_ORDER]
        if not rows:
            return
        rows.sort(key=lambda r: POLICY_ORDER.index(r["policy"]))
        disk = {r["figure"]: r["value"] for r in disk or []}
        self.say("## SET under each appendfsync policy (redis-benchmark SET -r 100000)", "",
                 "Both servers start fresh for each load point under every policy and without AOF "
                 "(`off`); within a round each server's policies run back to back, so every "
                 "policy is compared with the same server's `off` run of the same round (ratios "
                 "are medians of per-round ratios). ringkv's log figures come from its INFO "
                 "counters (the reference does not report them). "
                 "Full report: [raw/aof.md](raw/aof.md).", "")
        if targets:
            self.say("### Targets (issue 13)", "")
            self.say("Each ratio is the median of the per-round ratios (shown per round beside it); "
                     f"the {self.ref} column is its own ratio for the same comparison.", "")
            self.table(["target", "ringkv", "goal", "result", "ringkv per round", self.ref, "figures"],
                       [(t["target"], t["ringkv"], t["goal"],
                         f"**{t['result']}**" if t["result"] == "FAIL" else t["result"],
                         t.get("per_round", "-"), t["redis"], t["figures"])
                        for t in targets], numeric=False)
        table, chart, fsync, log = [], [], [], []
        for r in rows:
            a, b = number(r["ringkv_rps"]), number(r["redis_rps"])
            policy = "(no AOF)" if r["policy"] == "off" else r["policy"]
            table.append((policy, r["clients"], r["pipeline"], fmt(a), fmt(b),
                          *(fmt(number(r.get(k)), 2) for k in ("ringkv_vs_redis", "ringkv_vs_off", "redis_vs_off"))))
            label = f"{r['policy']} c{r['clients']}" + (f" P{r['pipeline']}" if r["pipeline"] != "1" else "")
            chart.append((label, a, b))
            if r["policy"] != "off":
                log.append((r["policy"], r["clients"], r["pipeline"], r.get("log_io", "-"),
                            fmt(number(r.get("fsyncs_per_s")), 0), fmt(number(r.get("commands_per_fsync")), 1),
                            fmt(number(r.get("batches_per_s")), 0), fmt(number(r.get("commands_per_batch")), 1),
                            f"{fmt(number(r.get('inflight_avg')), 2)} / {fmt(number(r.get('inflight_peak')), 0)}"
                            f" / {fmt(number(r.get('inflight_max')), 0)}",
                            fmt(number(r.get("filler_per_mb")), 0)))
            if r["policy"] in ("always", "everysec"):
                fsync.append((label, number(r.get("fsyncs_per_s")), number(r.get("batches_per_s")),
                              number(r.get("commands_per_batch") or r.get("commands_per_fsync"))))
        self.table(["policy", "clients", "pipeline", "ringkv req/s", f"{self.ref} req/s", "ringkv / "
                    f"{self.ref}", "ringkv / off", f"{self.ref} / off"], table)
        self.say("ringkv's log (median per run; batches in flight over each load point's rounds: "
                 "average depth at submission / peak / configured bound):", "")
        self.table(["policy", "clients", "pipeline", "log io", "fsyncs/s", "commands/fsync", "batches/s",
                    "commands/batch", "in flight avg / peak / bound", "filler bytes per MB of log"], log)
        if sweep is not None and not sweep:
            self.say("The aof-batches-in-flight sweep was asked for but did not run (ringkv did not "
                     "take the setting; see raw/aof.log).", "")
        if sweep:
            self.say("aof-batches-in-flight sweep (ringkv only, always, 50 clients P1; always/off against "
                     "ringkv off in the same round):", "")
            self.table(["batches in flight", "req/s", "always / off", "batches/s", "commands/batch",
                        "in flight avg", "in flight peak", "filler bytes per MB"],
                       [(s["batches_in_flight"], fmt(number(s["rps"])), fmt(number(s["vs_off"]), 2),
                         fmt(number(s["batches_per_s"]), 0), fmt(number(s["commands_per_batch"]), 1),
                         fmt(number(s["inflight_avg"]), 2), fmt(number(s["inflight_peak"]), 0),
                         fmt(number(s["filler_per_mb"]), 0)) for s in sweep])
        data = self.dat("aof.dat", chart)
        self.bar_chart("aof.png", "SET throughput per appendfsync policy and load point",
                       "requests/s (log scale)", data, [(2, "ringkv"), (3, self.ref)])
        if fsync:
            qd1 = number(disk.get("dsync_qd1_iops"))
            data = self.dat("fsync.dat", fsync)
            self.bar_chart("fsync.png", "ringkv: syncs and batches per second, commands per batch",
                           "log scale", data, [(2, "fsyncs/s"), (3, "batches/s"), (4, "commands per batch")],
                           ymin=0.5, extra=(f"{qd1:.0f} with lines lw 2 dt 2 title "
                                            f"'fio O_DSYNC QD1 writes/s ({qd1:.0f})'" if qd1 else None))

    def mixed(self, path):
        if not os.path.exists(path):
            return
        runs = [json.loads(line) for line in open(path) if line.startswith("{")]
        if not runs:
            return
        f = self.facts
        self.say("## Mixed workload: 80% GET, 20% SET, open loop (ringkv-load)", "",
                 f"{f.get('mixed_clients', '?')} connections sending {f.get('mixed_rate', '?')} requests/s "
                 f"in total for {f.get('mixed_duration_s', '?')} s per run over {f.get('mixed_keys', '?')} "
                 "preloaded keys with 32-byte values. Latency runs from each request's intended send "
                 "time, so a stall counts for every request it delayed (no coordinated omission).", "")

        def med(server, key):
            values = [r[key] for r in runs if r["server"] == server and key in r]
            return statistics.median(values) if values else None

        table, chart = [], []
        for key, label, scale in MIXED_FIGURES:
            a, b = med("ringkv", key), med("reference", key)
            a = a * scale if a is not None else None
            b = b * scale if b is not None else None
            places = 0 if scale == 1.0 else 3
            shown_ratio = ratio(a, b) if key in ("achieved_rate",) or key.endswith("_us") else "-"
            table.append((label, fmt(a, places), fmt(b, places), shown_ratio))
            if key.endswith("_us"):
                chart.append((label.replace(" (ms)", ""), a, b))
        self.table(["figure", "ringkv", self.ref, "ratio"], table)
        data = self.dat("latency.dat", chart)
        self.bar_chart("latency.png", f"Mixed 80/20 at {f.get('mixed_rate', '?')} requests/s: latency percentiles",
                       "ms (log scale)", data, [(2, "ringkv"), (3, self.ref)])

    def rdb(self, rows):
        rows = [r for r in rows or [] if r["dataset"] != "disk"]
        if not rows:
            return
        by = {(r["dataset"], r["figure"]): (number(r["ringkv"]), number(r["redis"])) for r in rows}
        self.say("## RDB: BGSAVE, load time, latency during BGSAVE (rdb.sh)", "",
                 "`strings`: 16-byte names, 32-byte random values; `collections`: lists, hashes, sets "
                 "and sorted sets of 10-100 elements. GET latency is redis-benchmark's (50 clients, "
                 "every GET hits), with BGSAVEs back to back during the run. "
                 "Full report: [raw/rdb.md](raw/rdb.md).", "")
        table = []
        for figure, label in RDB_FIGURES:
            for dataset, name in (("strings", "strings"), ("mix", "collections")):
                if (dataset, figure) in by:
                    a, b = by[(dataset, figure)]
                    table.append((f"{name}: {label}", fmt(a), fmt(b), ratio(a, b)))
        self.table(["figure", "ringkv", self.ref, "ratio"], table)
        chart = []
        for when, prefix in (("no save", "get_"), ("during BGSAVE", "bgsave_get_")):
            for pct in ("p50", "p99", "max"):
                a, b = by.get(("strings", prefix + pct), (None, None))
                chart.append((f"{pct} {when}", a, b))
        if any(a is not None for _, a, _ in chart):
            data = self.dat("bgsave-latency.dat", chart)
            self.bar_chart("bgsave-latency.png", "GET latency without a save and during BGSAVE",
                           "ms (log scale)", data, [(2, "ringkv"), (3, self.ref)])

    def features(self, rows):
        """server_features.sh's CSV: one row per figure, with each server's
        ratio to its own baseline in the same round and why a figure is
        missing (a refused feature)."""
        if not rows:
            return
        self.say("## Server features: pub/sub, ACL users, client tracking (server_features.sh)", "",
                 "50 connections (publishers for PUBLISH), pipeline 16, closed-loop, from ringkv-load. "
                 "PUBLISH counts the messages the subscribers read; SET runs over 100k keys `k:<n>` as "
                 "the default user, then split over 10 ACL users (`~*`, then `~k:*`); the mix is 80% "
                 "GET / 20% SET over 10k keys on RESP3 connections, without and with CLIENT TRACKING "
                 "ON. `/ baseline` is the same server against its own run without the feature in the "
                 "same round (1 = free). Full report: [raw/features.md](raw/features.md).", "")
        labels = {"pubsub-1": "PUBLISH, 1 subscriber", "set-default": "SET, default user",
                  "set-acl-all": "SET, 10 ACL users ~*", "set-acl-pattern": "SET, 10 ACL users ~k:*",
                  "mix-resp3": "GET/SET 80/20, tracking off", "mix-tracking": "GET/SET 80/20, tracking on"}
        units = {"delivered_rate": "deliveries/s", "publish_rate": "PUBLISH/s", "requests_rate": "requests/s", "get_rate": "GET/s",
                 "set_rate": "SET/s", "pushes_rate": "invalidation pushes/s"}
        table = []
        for r in rows:
            point = labels.get(r["point"], r["point"].replace("pubsub-", "PUBLISH, ") + " subscribers")
            # A point's notes once, on its main figure, not on each of its rows.
            main = r["figure"] in ("delivered_rate", "requests_rate")
            notes = "; ".join(f"{s}: {r[s + '_note']}" for s in ("ringkv", "redis")
                              if main and r[s + "_note"])
            a, b = number(r["ringkv"]), number(r["redis"])
            table.append((f"{point}: {units.get(r['figure'], r['figure'])}", fmt(a), fmt(b),
                          fmt(number(r["ratio"]), 2), fmt(number(r["ringkv_vs_base"]), 2),
                          fmt(number(r["redis_vs_base"]), 2), notes))
        self.table(["figure", "ringkv", self.ref, "ratio", "ringkv / baseline", f"{self.ref} / baseline",
                    "notes"], table)

    def replication(self, rows):
        """replication.sh's CSV, in the features layout: the baseline of
        SET with a replica is the same server's SET without one, and the
        WAITAOF rows (ringkv's alone) are compared with redis's WAIT."""
        if not rows:
            return
        self.say("## Replication: full sync, SET with a replica, lag, WAIT/WAITAOF (replication.sh)", "",
                 "Each master with one replica of its own kind. Full sync: seconds from the replica's "
                 "exec until it reports the link up, no sync in progress and the master's DBSIZE (DEBUG "
                 "POPULATE keys). SET: 50 connections, pipeline 16, closed-loop, from ringkv-load, "
                 "without and then with a replica; lag sampled every 100 ms during the with-replica run "
                 "(`slave0` offset= is the last ACK, sent once a second by both servers; the replica's "
                 "own `slave_repl_offset` is what it has applied). WAIT: one client, SET then WAIT 1 0 "
                 "(or WAITAOF 1 1 0, which redis-server 7.0 lacks: ratio to its WAIT) pipelined, master "
                 "and replica under appendfsync always. Ratios ringkv / reference: above 1 is better for "
                 "SET/s, below 1 for seconds, bytes and ms. Full report: "
                 "[raw/replication.md](raw/replication.md).", "")
        labels = {"sync-diskless": "full sync, diskless", "sync-disk": "full sync, through disk",
                  "set-alone": "SET, no replica", "set-replica": "SET, one replica",
                  "wait": "SET + WAIT 1 0, always", "waitaof": "SET + WAITAOF 1 1 0, always"}
        units = {"seconds": "s", "requests_rate": "SET/s", "acked_median": "lag to slave0 ACK, median (bytes)",
                 "acked_max": "lag to slave0 ACK, max (bytes)",
                 "applied_median": "lag to replica's applied offset, median (bytes)",
                 "applied_max": "lag to replica's applied offset, max (bytes)",
                 "acked_median_ms": "lag to slave0 ACK, median, at the stream's rate (ms)",
                 "applied_median_ms": "lag to replica's applied offset, median, at the stream's rate (ms)",
                 "applied_max_ms": "lag to replica's applied offset, max, at the stream's rate (ms)",
                 "stream_bytes_per_s": "replication stream (bytes/s)", "p50_ms": "p50 (ms)",
                 "p99_ms": "p99 (ms)"}
        table = []
        for r in rows:
            notes = "; ".join(f"{s}: {r[s + '_note']}" for s in ("ringkv", "redis") if r[s + "_note"])
            a, b = number(r["ringkv"]), number(r["redis"])
            table.append((f"{labels.get(r['point'], r['point'])}: {units.get(r['figure'], r['figure'])}",
                          fmt(a), fmt(b), fmt(number(r["ratio"]), 2), fmt(number(r["ringkv_vs_base"]), 2),
                          fmt(number(r["redis_vs_base"]), 2), notes))
        self.table(["figure", "ringkv", self.ref, "ratio", "ringkv / no replica",
                    f"{self.ref} / no replica", "notes"], table)

    def datamodel(self, rows):
        """datamodel.sh's CSV: throughput of scripts and the issue-19 types
        (ratio ringkv / reference) and memory per element (ratio reference /
        ringkv), so above 1 is better for ringkv on every row."""
        if not rows:
            return
        self.say("## Scripting and the remaining data types (datamodel.sh)", "",
                 "EVALSHA and FCALL of a 3-command script (redis-benchmark, 50 connections); XADD, "
                 "PFADD, SETBIT, GEOADD (ringkv-load, 50 connections, pipeline 16) and XREADGROUP "
                 "(redis-benchmark, pipeline 16); memory per element after loading 1M elements into "
                 "an empty server. Ratios are oriented so that above 1 is better for ringkv. Full "
                 "report: [raw/datamodel.md](raw/datamodel.md).", "")
        table = []
        for r in rows:
            unit = "bytes/element" if r["figure"] == "bytes_per_element" else "requests/s"
            a, b = number(r["ringkv"]), number(r["redis"])
            table.append((f"{r['point']}: {unit}", fmt(a), fmt(b), fmt(number(r["ratio"]), 2)))
        self.table(["figure", "ringkv", self.ref, "ratio (>1 ringkv better)"], table)

    def torture(self):
        rows = []
        for policy in ("always", "everysec"):
            path = os.path.join(self.raw, f"torture-{policy}.log")
            if not os.path.exists(path):
                continue
            text = open(path).read()
            totals = re.findall(r"^cycles=(\d+) acknowledged_checked=(\d+) lost=(\d+) "
                                r"lost_in_window=(\d+) violations=(\d+)", text, re.M)
            final = re.findall(r"^final check of all cycles: checked=(\d+) violations=(\d+)", text, re.M)
            rewrite = "yes" if re.search(r"rewrite=1", text) else "no"
            failed = any(s.startswith(f"torture-{policy} ") for s in self.failed)
            if not totals:
                rows.append((policy, rewrite, "-", "-", "-", "-", "-", "-", "did not finish"))
                continue
            cycles, checked, lost, window, violations = totals[-1]
            result = "FAIL" if failed or violations != "0" else "pass"
            rows.append((policy, rewrite, cycles, checked, lost, window,
                         final[-1][0] if final else "-", violations, result))
        if not rows:
            return
        self.say("## Durability torture (torture.sh, ringkv only)", "",
                 "Each cycle writes under load, SIGKILLs the server's process group at a random "
                 "moment (with rewrites: BGREWRITEAOF, and sometimes BGSAVE, in flight), restarts it "
                 "on the same dir and checks every acknowledged write. Under `always` nothing "
                 "acknowledged may be lost; under `everysec` only writes acknowledged in the last "
                 "2 s before the kill may be (`lost in window`). The final check re-reads every "
                 "cycle's writes after the last restart. Logs: raw/torture-*.log.", "")
        self.table(["policy", "rewrites", "cycles", "acknowledged writes checked", "lost",
                    "lost in window", "final check", "violations", "result"], rows)

    def commands(self):
        path = os.path.join(self.raw, "commands.txt")
        self.say("## Commands run", "", "In order, from the repository root:", "", "```")
        self.say(*open(path).read().splitlines())
        self.say("```", "")
        self.say("Raw data in `raw/`: the CSV each script wrote, mixed.jsonl (one ringkv-load "
                 "JSON line per run), every step's full output (*.log), the charts' .dat files "
                 "and charts.gp.", "")

    def draw(self):
        if not self.charts:
            return
        script = "\n".join([
            f"set terminal pngcairo size {CHART_WIDTH_PX},{CHART_HEIGHT_PX} font 'sans,10'",
            "set style data histogram",
            "set style histogram clustered gap 1",
            "set style fill solid 0.85 border -1",
            "set boxwidth 0.9",
            "set datafile missing '-'",
            "set key outside top center horizontal",
            "set grid ytics",
            "set xtics rotate by -30 nomirror",
            "set bmargin 6",
            "",
        ]) + "\n\n".join(self.charts) + "\n"
        path = os.path.join(self.raw, "charts.gp")
        with open(path, "w") as f:
            f.write(script)
        if not shutil.which("gnuplot"):
            self.say("(gnuplot is not installed: `sudo apt-get install -y --no-install-recommends "
                     "gnuplot-nox`, then `gnuplot raw/charts.gp` in this folder.)", "")
            return
        done = subprocess.run(["gnuplot", "raw/charts.gp"], cwd=self.folder,
                              capture_output=True, text=True)
        if done.returncode != 0:
            sys.stderr.write("report.py: gnuplot failed:\n" + done.stderr)

    def write(self):
        raw = self.raw
        aof = read_csv(os.path.join(raw, "aof.csv"))
        aof_disk = read_csv(os.path.join(raw, "aof-disk.csv"))
        rdb = read_csv(os.path.join(raw, "rdb.csv"))
        throughput = read_csv(os.path.join(raw, "throughput.csv"))
        self.header()
        self.machine(aof_disk, rdb)
        self.throughput(throughput, read_csv(os.path.join(raw, "collections.csv")))
        self.aof(aof, aof_disk, read_csv(os.path.join(raw, "aof-targets.csv")),
                 read_csv(os.path.join(raw, "aof-sweep.csv")))
        self.mixed(os.path.join(raw, "mixed.jsonl"))
        self.rdb(rdb)
        self.features(read_csv(os.path.join(raw, "features.csv")))
        self.replication(read_csv(os.path.join(raw, "replication.csv")))
        self.datamodel(read_csv(os.path.join(raw, "datamodel.csv")))
        self.memory(throughput)
        self.torture()
        self.commands()
        self.draw()
        with open(os.path.join(self.folder, "report.md"), "w") as f:
            f.write("\n".join(self.lines).rstrip("\n") + "\n")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: report.py FOLDER")
    Report(sys.argv[1]).write()


if __name__ == "__main__":
    main()
