#!/usr/bin/env python3
"""Turns the raw outputs of bench/run.sh into medians, ratios, markdown tables and a JSON file.

  report.py --manifest FILE --runs N --seconds S --stamp STAMP --commit SHA --offloads-option 0|1
            [--poll-us N --daemon-poll 0|1 --front-poll 0|1] [--load-start L] --out PREFIX
  report.py --one METRIC FILE     (one run's figure, for run.sh's progress lines)

The manifest has one JSON line per measured run: kind (iperf, ping, sockperf, ring, ringh, micro),
env, metric, run, the file holding that run's raw output (iperf3 -J with /proc/stat's cpu line
before and after in FILE.cpu, ping's and sockperf's text, a ringflood or ringh_pair JSON line,
BenchmarkDotNet's JSON), the measuring command's exit status, and for ring runs the ring-page-order
and polling window; kind "note" lines say why something was not measured. A run that failed
yields null and is left out of its median; a figure with no run at all is "n/a". A ring row with a
run that failed (ringflood exits 3 when the daemon refused a frame) is marked FAILED, and so is
every target computed from it.
"""
import argparse
import json
import math
import os
import platform
import re
import statistics
import sys

THROUGHPUT = [
    # key, column title, unit
    ("tcp1_g2h", "TCP 1 stream g→h", "Gbit/s"),
    ("tcp1_h2g", "TCP 1 stream h→g", "Gbit/s"),
    ("tcp4_g2h", "TCP 4 streams g→h", "Gbit/s"),
    ("tcp4_h2g", "TCP 4 streams h→g", "Gbit/s"),
    ("udp64_g2h", "UDP 64 B g→h rx", "kpps"),
]
TCP_METRICS = ["tcp1_g2h", "tcp1_h2g", "tcp4_g2h", "tcp4_h2g"]
LATENCY_CPU = [
    ("ping_p50", "ping RTT p50", "µs"),
    ("ping_p99", "ping RTT p99", "µs"),
    ("sockperf_p50", "sockperf UDP 64 B RTT p50", "µs"),
    ("sockperf_p99", "sockperf RTT p99", "µs"),
    ("cpu_tcp1_g2h", "CPU TCP 1 g→h", "CPU-s/GB"),
    ("cpu_tcp1_h2g", "CPU TCP 1 h→g", "CPU-s/GB"),
    ("cpu_tcp4_g2h", "CPU TCP 4 g→h", "CPU-s/GB"),
    ("cpu_tcp4_h2g", "CPU TCP 4 h→g", "CPU-s/GB"),
]
ENV_TITLES = {
    "veth": "(a) veth pair, offloads on",
    "socat": "(b) socat relay, 2 TAPs",
    "vde": "(v) vde_switch + 2 vde_plug2tap",
    "nb-1q-on": "(c) netback 1 queue, offloads on",
    "nb-1q-off": "(c) netback 1 queue, offloads off",
    "nb-2q-on": "(c) netback 2 queues, offloads on",
    "nb-2q-off": "(c) netback 2 queues, offloads off",
    "nb-1q": "(c) netback 1 queue, netfront default",
    "nb-2q": "(c) netback 2 queues, netfront default",
}
BASELINES = [("veth", "÷ veth"), ("vde", "÷ vde_switch"), ("socat", "÷ socat")]
NETBACK_ENVS_WITH_OPTION = ["nb-1q-on", "nb-1q-off", "nb-2q-on", "nb-2q-off"]
NETBACK_ENVS_WITHOUT_OPTION = ["nb-1q", "nb-2q"]
# (mode, frame size, ring-page-order, polling window µs), in table order
RING_ROWS = [("tx", 64, 0, 0), ("tx", 64, 2, 0), ("tx", 64, 4, 0), ("tx", 64, 0, 50), ("rx", 64, 0, 0),
             ("tx", 1500, 0, 0), ("rx", 1500, 0, 0), ("socketpair", 64, 0, 0), ("socketpair", 1500, 0, 0)]
RING_FIELDS = ["pps", "pps_per_queue", "gbps", "notifications_per_packet", "cpu_ns_per_packet",
               "cpu_client_ns_per_packet", "cpu_daemon_ns_per_packet", "alloc_bytes_per_packet",
               "tx_status_dropped", "tx_status_errors", "tx_refused_total"]
RINGH_ROWS = [("sleep", 0), ("sleep", 2), ("sleep", 4), ("spin", 0)]
CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def ring_key(mode, size, order, poll):
    return f"{mode}-{size}-o{order}-p{poll}"


def read_text(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def load_json(path):
    text = read_text(path).strip()
    if not text:
        return None
    try:
        # ringflood and ringh_pair print one line (the last); iperf3 -J and BenchmarkDotNet one document
        if text.startswith("{\"mode\"") or text.startswith("{\"order\""):
            return json.loads(text.splitlines()[-1])
        return json.loads(text)
    except ValueError:
        return None


# --- one run's figures ---------------------------------------------------------------------------

def iperf_run(metric, path):
    """Receiver-side figures of one iperf3 -J run: {"value": Gbit/s (TCP) or received kpps (UDP),
    "bytes": bytes received, "cpu_s_per_gb": whole-machine busy CPU-s per GB received (TCP)}."""
    d = load_json(path)
    if not d or "error" in d or "end" not in d:
        return None
    end = d["end"]
    rx = end.get("sum_received") or end.get("sum")
    if not rx:
        return None
    out = {}
    if metric.startswith("udp"):
        seconds = rx.get("seconds") or 0
        if seconds <= 0:
            return None
        out["value"] = (rx.get("packets", 0) - rx.get("lost_packets", 0)) / seconds / 1e3
    else:
        out["value"] = rx.get("bits_per_second", 0) / 1e9
        out["bytes"] = rx.get("bytes")
        busy = cpu_busy_seconds(path + ".cpu")
        if busy is not None and out["bytes"]:
            out["cpu_busy_s"] = busy
            out["cpu_s_per_gb"] = busy / (out["bytes"] / 1e9)
    return out


def cpu_busy_seconds(path):
    """Busy seconds of the whole machine between the two /proc/stat 'cpu' lines of PATH:
    user + nice + system + irq + softirq + steal (guest time is inside user and nice)."""
    lines = [l.split() for l in read_text(path).splitlines() if l.startswith("cpu ")]
    if len(lines) < 2:
        return None
    def busy(f):
        v = [int(x) for x in f[1:]] + [0] * 10
        user, nice, system, _idle, _iowait, irq, softirq, steal = v[:8]
        return user + nice + system + irq + softirq + steal
    return (busy(lines[1]) - busy(lines[0])) / CLK_TCK


def percentile(sorted_values, p):
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return None
    k = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[min(k, len(sorted_values)) - 1]


def ping_times(path):
    """ping's per-reply round-trip times in µs, in reply order (also bench/lib/lab.py's)."""
    return [float(m) * 1000 for m in re.findall(r"time=([0-9.]+) ms", read_text(path))]


def ping_run(path):
    """ping's per-reply times (µs): median, p99, replies and loss."""
    text = read_text(path)
    times = sorted(ping_times(path))
    if not times:
        return None
    sent = re.search(r"(\d+) packets transmitted", text)
    sent = int(sent.group(1)) if sent else len(times)
    return {"p50": statistics.median(times), "p99": percentile(times, 99), "replies": len(times),
            "lost": max(0, sent - len(times))}


def sockperf_run(path):
    """sockperf ping-pong --full-rtt: its percentile lines (µs, round trips), p50 and p99."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", read_text(path))
    pct = {float(a): float(b) for a, b in re.findall(r"percentile\s+([0-9.]+)\s*=\s*([0-9.]+)", text)}
    if 50.0 not in pct:
        return None
    obs = re.search(r"Total (\d+) observations", text)
    avg = re.search(r"avg-(?:rtt|lat)\s*=\s*([0-9.]+)", text)
    return {"p50": pct.get(50.0), "p99": pct.get(99.0), "observations": int(obs.group(1)) if obs else None,
            "avg": float(avg.group(1)) if avg else None}


def ring_ok(doc, status):
    return doc is not None and status == 0 and doc.get("ok", True) is not False


def one(metric, path):
    if metric == "ring":
        d = load_json(path)
        if not d:
            return "failed (no output)"
        if d.get("ok") is False:
            return f"FAILED: {d.get('error')}"
        extra = ""
        if d.get("mode") != "socketpair":
            extra = (f", {d['notifications_per_packet']} notif/pkt, refused {d.get('tx_refused_total', 0)}, "
                     f"tap_present={d['tap_present']}")
        return (f"{d['pps'] / 1e6:.3f} Mpps, {d['gbps']:.2f} Gbit/s, cpu {d['cpu_ns_per_packet']} ns/pkt, "
                f"alloc {d['alloc_bytes_per_packet']} B/pkt{extra}")
    if metric == "ringh":
        d = load_json(path)
        if not d:
            return "failed"
        return f"{d['mpps']:.3f} Mpps ({d['slots']} slots, {d['kicks']} kicks, {d['calls']} calls)"
    if metric == "ping":
        v = ping_run(path)
        return "failed" if v is None else f"p50 {v['p50']:.0f} µs, p99 {v['p99']:.0f} µs ({v['replies']} replies, {v['lost']} lost)"
    if metric == "sockperf":
        v = sockperf_run(path)
        return "failed" if v is None else f"RTT p50 {v['p50']:.1f} µs, p99 {fmt(v['p99'], 1)} µs"
    v = iperf_run(metric, path)
    if v is None:
        return "failed"
    if metric.startswith("udp"):
        return f"{v['value']:.2f} kpps"
    cpu = f", {v['cpu_s_per_gb']:.2f} CPU-s/GB" if v.get("cpu_s_per_gb") is not None else ""
    return f"{v['value']:.2f} Gbit/s{cpu}"


# --- aggregation ---------------------------------------------------------------------------------

def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(v, digits=2):
    if v is None:
        return "n/a"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:.{digits}f}"


def ratio(a, b):
    return a / b if a is not None and b else None


def collect(manifest):
    paths, ring, ringh, micro, notes = {}, {}, {}, [], []
    def add(env, key, value):
        paths.setdefault(env, {}).setdefault(key, []).append(value)
    with open(manifest, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            m = json.loads(line)
            kind, env, status = m["kind"], m.get("env"), m.get("status", 0)
            if kind == "note":
                notes.append({"topic": env, "text": m["text"]})
            elif kind == "iperf":
                v = iperf_run(m["metric"], m["file"])
                add(env, m["metric"], v and v["value"])
                if not m["metric"].startswith("udp"):
                    add(env, "cpu_" + m["metric"], v and v.get("cpu_s_per_gb"))
            elif kind == "ping":
                v = ping_run(m["file"])
                add(env, "ping_p50", v and v["p50"])
                add(env, "ping_p99", v and v["p99"])
            elif kind == "sockperf":
                v = sockperf_run(m["file"])
                add(env, "sockperf_p50", v and v["p50"])
                add(env, "sockperf_p99", v and v["p99"])
            elif kind == "ring":
                mode = "socketpair" if env == "socketpair" else env.removeprefix("ring-")
                key = ring_key(mode, int(m["metric"]), m.get("order", 0), m.get("poll_us", 0))
                ring.setdefault(key, []).append({"status": status, "doc": load_json(m["file"])})
            elif kind == "ringh":
                d = load_json(m["file"])
                ringh.setdefault(f"{env}-o{m.get('order', m['metric'])}", []).append(
                    {"status": status, "doc": d if status == 0 else None})
            elif kind == "micro":
                d = load_json(m["file"])
                for b in (d or {}).get("Benchmarks", []):
                    stats = b.get("Statistics") or {}
                    micro.append({
                        "type": b.get("Type"),
                        "method": b.get("Method"),
                        "parameters": b.get("Parameters") or "",
                        "mean_ns": stats.get("Mean"),
                        "median_ns": stats.get("Median"),
                        "allocated_bytes_per_op": (b.get("Memory") or {}).get("BytesAllocatedPerOperation"),
                    })
    return paths, ring, ringh, micro, notes


def summarize(paths, ring, ringh, offloads_option):
    res = {"paths": {}, "ratios": {}, "ring": {}, "ringh": {}}
    for env, metrics in paths.items():
        res["paths"][env] = {k: {"median": median(v), "runs": v} for k, v in metrics.items()}
    nb_envs = [e for e in (NETBACK_ENVS_WITH_OPTION if offloads_option else NETBACK_ENVS_WITHOUT_OPTION)]
    keys = [k for k, _, _ in THROUGHPUT + LATENCY_CPU]
    for env in nb_envs:
        if env not in res["paths"]:
            continue
        res["ratios"][env] = {f"vs_{base}": {k: ratio(med(res, env, k), med(res, base, k)) for k in keys}
                              for base, _ in BASELINES}
    for key, runs in ring.items():
        ok = [r["doc"] for r in runs if ring_ok(r["doc"], r["status"])]
        failed = [r for r in runs if not ring_ok(r["doc"], r["status"])]
        row = {"runs": [r["doc"] for r in runs], "statuses": [r["status"] for r in runs],
               "failed_runs": len(failed), "ok_runs": len(ok)}
        if failed:
            reasons = [r["doc"].get("error") for r in failed if r["doc"] and r["doc"].get("error")]
            row["failure"] = reasons[0] if reasons else f"exit status {failed[0]['status']}, no result"
        for field in RING_FIELDS:
            row[field] = median([d.get(field) for d in ok])
        row["tap_present"] = any(d.get("tap_present") for d in ok) if ok else None
        res["ring"][key] = row
    for key, runs in ringh.items():
        docs = [r["doc"] for r in runs if r["doc"]]
        row = {"runs": [r["doc"] for r in runs], "failed_runs": len(runs) - len(docs)}
        row["mpps"] = median([d.get("mpps") for d in docs])
        row["slots"] = docs[0].get("slots") if docs else None
        pk = [(d.get("kicks", 0) / d["packets"], d.get("calls", 0) / d["packets"]) for d in docs if d.get("packets")]
        row["kicks_per_packet"] = median([k for k, _ in pk])
        row["calls_per_packet"] = median([c for _, c in pk])
        res["ringh"][key] = row
    for size in (64, 1500):
        base = (res["ring"].get(ring_key("socketpair", size, 0, 0)) or {}).get("pps")
        for mode, s, order, poll in RING_ROWS:
            row = res["ring"].get(ring_key(mode, s, order, poll))
            if row is not None and s == size and mode != "socketpair":
                row["vs_socketpair"] = ratio(row["pps_per_queue"], base)
    for mode, size, order, poll in RING_ROWS:
        row = res["ring"].get(ring_key(mode, size, order, poll))
        if row is None or mode != "tx" or size != 64:
            continue
        pair = res["ringh"].get("spin-o0" if poll else f"sleep-o{order}") or {}
        row["vs_ringh"] = ratio(row.get("pps_per_queue"), None if pair.get("mpps") is None else pair["mpps"] * 1e6)
        row["vs_ringh_of"] = "spin-o0" if poll else f"sleep-o{order}"
    return res, nb_envs


def med(res, env, k):
    return ((res["paths"].get(env) or {}).get(k) or {}).get("median")


# --- targets -------------------------------------------------------------------------------------

def target(name, netback, reference, r, ok, unit="", ref_unit=None, failed=False):
    return {"target": name, "netback": netback, "reference": reference, "ratio": r, "unit": unit,
            "ref_unit": unit if ref_unit is None else ref_unit,
            "pass": None if failed or ok is None else bool(ok), "failed": failed}


def targets(res, nb_envs):
    """The targets of the issue "Round trips and small packets: beat every userspace relay"."""
    out = []
    ref = next((e for e in nb_envs if e in res["paths"]), None)
    if ref:
        def vs(k, base, limit, name, unit, higher_is_better):
            a, b = med(res, ref, k), med(res, base, k)
            r = ratio(a, b)
            ok = None if r is None else (r >= limit if higher_is_better else r <= limit)
            out.append(target(f"{name} ({ref})", a, b, r, ok, unit))
        vs("ping_p50", "vde", 1.0, "ping RTT median ≤ vde_switch's", "µs", False)
        vs("sockperf_p50", "veth", 1.1, "sockperf UDP 64 B RTT p50 ≤ 1.1× veth's", "µs", False)
        vs("udp64_g2h", "vde", 2.0, "UDP 64 B received ≥ 2× vde_switch", "kpps", True)
        vs("udp64_g2h", "veth", 0.9, "UDP 64 B received ≥ 90% of veth", "kpps", True)
        vs("tcp1_g2h", "veth", 0.85, "TCP 1 stream g→h ≥ 85% of veth", "Gbit/s", True)
        vs("tcp1_h2g", "veth", 0.85, "TCP 1 stream h→g ≥ 85% of veth", "Gbit/s", True)
        # TCP × 4: 2 queues allowed: the better of the offloads-on configurations
        on = [e for e in (("nb-1q-on", "nb-2q-on") if ref.endswith("-on") else ("nb-1q", "nb-2q")) if e in res["paths"]]
        for k, title in (("tcp4_g2h", "g→h"), ("tcp4_h2g", "h→g")):
            best = max(on, key=lambda e: med(res, e, k) or -1) if on else None
            a, b = (med(res, best, k) if best else None), med(res, "veth", k)
            r = ratio(a, b)
            out.append(target(f"TCP 4 streams {title} ≥ 60% of veth ({best or 'netback'}, 1 or 2 queues)", a, b, r,
                              None if r is None else r >= 0.6, "Gbit/s"))
    for order in (0, 4):
        row = res["ring"].get(ring_key("tx", 64, order, 0))
        pair = res["ringh"].get(f"sleep-o{order}") or {}
        if row is None and not pair:
            continue
        row = row or {}
        a = row.get("pps_per_queue")
        b = None if pair.get("mpps") is None else pair["mpps"] * 1e6
        r = ratio(a, b)
        out.append(target(f"ring-only TX 64 B ≥ 90% of the C ring.h pair, ring-page-order {order}",
                          None if a is None else a / 1e6, None if b is None else b / 1e6, r,
                          None if r is None else r >= 0.9, "Mpps", failed=bool(row.get("failed_runs"))))
    row = res["ring"].get(ring_key("tx", 64, 0, 50)) or {}
    pair = res["ringh"].get("spin-o0") or {}
    a = row.get("pps_per_queue")
    b = None if pair.get("mpps") is None else pair["mpps"] * 1e6
    r = ratio(a, b)
    out.append(target("ring-only TX 64 B with the polling window (50 µs) ≥ 50% of the C pair's spinning limit (order 0)",
                      None if a is None else a / 1e6, None if b is None else b / 1e6, r,
                      None if r is None else r >= 0.5, "Mpps", failed=bool(row.get("failed_runs"))))
    if ref:
        for k, title in (("cpu_tcp1_g2h", "TCP 1 stream g→h"), ("cpu_tcp1_h2g", "TCP 1 stream h→g"),
                         ("cpu_tcp4_g2h", "TCP 4 streams g→h"), ("cpu_tcp4_h2g", "TCP 4 streams h→g")):
            a = med(res, ref, k)
            out.append(target(f"≤ 1 CPU-s per GB, {title} through netback ({ref}; whole machine)", a, 1.0,
                              None, None if a is None else a <= 1.0, "CPU-s/GB"))
    ring_rows = [row for key, row in res["ring"].items() if not key.startswith("socketpair")]
    allocs = [row.get("alloc_bytes_per_packet") for row in ring_rows if row.get("alloc_bytes_per_packet") is not None]
    if allocs:
        # a few bytes per window (a timer, a thread-pool item) show as 1e-6 B/packet: round to 0.01
        out.append(target("0 B allocated per packet (ringflood, worst ring row)", max(allocs), 0.0, None,
                          round(max(allocs), 2) == 0, "B"))
    return out


def earlier_targets(res, micro, nb_envs):
    """The previous issue's targets, still checked so a regression shows."""
    out = []
    ref = next((e for e in nb_envs if e in res["paths"]), None)
    if ref:
        for k, title in (("tcp1_g2h", "TCP 1 stream g→h"), ("tcp1_h2g", "TCP 1 stream h→g")):
            a, b = med(res, ref, k), med(res, "socat", k)
            r = ratio(a, b)
            out.append(target(f"{title} ≥ 5× socat relay ({ref})", a, b, r, None if r is None else r >= 5, "Gbit/s"))
            b = med(res, "veth", k)
            r = ratio(a, b)
            out.append(target(f"{title} ≥ 40% of veth ({ref})", a, b, r, None if r is None else r >= 0.4, "Gbit/s"))
        a, b = med(res, ref, "udp64_g2h"), med(res, "socat", "udp64_g2h")
        r = ratio(a, b)
        out.append(target(f"UDP 64 B received pps ≥ 1.5× socat relay ({ref})", a, b, r,
                          None if r is None else r >= 1.5, "kpps"))
    for mode, title in (("tx", "TX"), ("rx", "RX")):
        row = res["ring"].get(ring_key(mode, 64, 0, 0))
        if not row:
            continue
        failed = bool(row.get("failed_runs"))
        if row.get("tap_present"):
            out.append(target(f"ring-only {title} 64 B targets: not ring-only (the daemon had a TAP)", None, None, None, None))
            continue
        v = row.get("pps_per_queue")
        out.append(target(f"ring-only {title} 64 B ≥ 5 M packets/s per queue", None if v is None else v / 1e6, 5.0, None,
                          None if v is None else v >= 5e6, "Mpps", failed=failed))
        v = row.get("notifications_per_packet")
        out.append(target(f"ring-only {title} 64 B ≤ 0.05 notifications per packet", v, 0.05, None,
                          None if v is None else v <= 0.05, "", failed=failed))
        v = row.get("vs_socketpair")
        out.append(target(f"ring-only {title} 64 B ≥ 10× the socketpair baseline", None, None, v,
                          None if v is None else v >= 10, "", failed=failed))
    hot = [m for m in micro if m["type"] in ("RingBenchmarks", "PacketHeadersBenchmarks")]
    if hot:
        worst = max((m["allocated_bytes_per_op"] or 0) for m in hot)
        out.append(target("micro: ring and header parser allocate 0 B/op", worst, 0.0, None, worst == 0, "B"))
    return out


# --- markdown ------------------------------------------------------------------------------------

def xfmt(r):
    return "n/a" if r is None else f"{fmt(r)}×"


def path_table(res, envs, nb_envs, columns, title, note):
    lines = [f"### {title}", ""]
    if note:
        lines += [note, ""]
    lines.append("| path | " + " | ".join(f"{t} ({u})" for _, t, u in columns) + " |")
    lines.append("|---|" + "---:|" * len(columns))
    for env in envs:
        digits = 1
        cells = [fmt(med(res, env, k), 2 if k.startswith(("tcp", "cpu")) else digits) for k, _, _ in columns]
        lines.append(f"| {ENV_TITLES.get(env, env)} | " + " | ".join(cells) + " |")
    for env in nb_envs:
        if env not in res["ratios"]:
            continue
        for base, label in BASELINES:
            if base not in res["paths"]:
                continue
            cells = [xfmt(res["ratios"][env][f"vs_{base}"][k]) for k, _, _ in columns]
            lines.append(f"| {env} {label} | " + " | ".join(cells) + " |")
    lines.append("")
    return lines


def target_table(title, tgts):
    lines = [f"### {title}", "", "| target | netback | reference | ratio | verdict |", "|---|---:|---:|---:|---|"]
    for t in tgts:
        if t["failed"]:
            verdict = "FAILED (the row's run failed)"
        else:
            verdict = "n/a" if t["pass"] is None else ("met" if t["pass"] else "NOT met")
        unit = f" {t['unit']}" if t["unit"] else ""
        ref_unit = f" {t['ref_unit']}" if t["ref_unit"] else ""
        netback = "n/a" if t["netback"] is None else f"{fmt(t['netback'])}{unit}"
        reference = "" if t["reference"] is None else f"{fmt(t['reference'])}{ref_unit}"
        lines.append(f"| {t['target']} | {netback} | {reference} | {'' if t['ratio'] is None else xfmt(t['ratio'])} | {verdict} |")
    lines.append("")
    return lines


def markdown(res, micro, tgts, earlier, notes, nb_envs, args):
    lines = [f"## Netback benchmarks {args.stamp} (commit {args.commit})", ""]
    load_end = read_text("/proc/loadavg").split()[:1]
    lines.append(f"Median of {args.runs} run(s) of {args.seconds} s each; {os.cpu_count()} CPUs, "
                 f"kernel {platform.release()}; load average {args.load_start or '?'} at the start, "
                 f"{load_end[0] if load_end else '?'} at the end. g = the namespace running the clients "
                 "(the guest), h = the servers' (the host).")
    if args.poll_us:
        applied = [n for n, ok in (("netbackd", args.daemon_poll), ("netfront", args.front_poll)) if ok]
        lines.append(f"Netback paths with the polling window {args.poll_us} µs: applied to "
                     f"{' and '.join(applied) if applied else 'neither end (no option)'}.")
    lines.append("")
    envs = [e for e in ["veth", "socat", "vde"] + (NETBACK_ENVS_WITH_OPTION if args.offloads_option else
                                                   NETBACK_ENVS_WITHOUT_OPTION) if e in res["paths"]]
    if envs:
        lines += path_table(res, envs, nb_envs, THROUGHPUT, "Paths: throughput (iperf3, receiver's figures)",
                            "TCP: Gbit/s received; UDP 64 B: packets/s received (sent − lost), in thousands. "
                            "Ratio rows: netback ÷ the baseline, higher is better.")
        lines += path_table(res, envs, nb_envs, LATENCY_CPU, "Paths: round trips and CPU",
                            "ping: `ping -i 0.01 -c 200` g→h, median and p99 of the per-reply times; sockperf: "
                            "`sockperf pp -m 64 --full-rtt` (UDP, closed loop) for the run's seconds, its p50 and "
                            "p99; CPU: whole-machine busy time (/proc/stat: user+nice+system+irq+softirq+steal) "
                            "during the bulk TCP test ÷ GB received, the kernel's work included. Ratio rows: "
                            "netback ÷ the baseline, lower is better.")
        if not args.offloads_option:
            lines += ["netfront attach has no `--offloads` option yet: netback ran with netfront's defaults.", ""]
    if res["ring"] or res["ringh"] or any(n["topic"].startswith("ring") for n in notes):
        lines.append("### Ring-only flood (ringflood → netbackd null data path) beside the C ring.h pair")
        lines.append("")
        lines.append("| scenario | frame | order | Mpps/queue | ÷ ring.h pair | Gbit/s | notif/pkt | "
                     "CPU ns/pkt (client + daemon) | alloc B/pkt | × socketpair | TAP present | status |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
        for mode, size, order, poll in RING_ROWS:
            row = res["ring"].get(ring_key(mode, size, order, poll))
            name = "socketpair" if mode == "socketpair" else f"ring-{mode}" + (f", poll {poll} µs" if poll else "")
            if row is None:
                if poll:
                    why = next((n["text"] for n in notes if n["topic"] == "ring-poll"), "not run")
                    lines.append(f"| {name} | {size} B | {order} | n/a | | | | | | | | {why} |")
                continue
            pps = row.get("pps_per_queue")
            cpu = row.get("cpu_ns_per_packet")
            cpu_text = "n/a" if cpu is None else f"{cpu:.0f}"
            if mode != "socketpair" and row.get("cpu_client_ns_per_packet") is not None:
                cpu_text += f" ({row['cpu_client_ns_per_packet']:.0f} + {fmt(row.get('cpu_daemon_ns_per_packet'), 0)})"
            vs_ringh = ""
            if "vs_ringh" in row:
                vs_ringh = xfmt(row["vs_ringh"]) + (" (spin)" if row["vs_ringh_of"].startswith("spin") else "")
            if row["failed_runs"]:
                status = f"FAILED ({row['failed_runs']} of {row['failed_runs'] + row['ok_runs']} runs): {row['failure']}"
            else:
                status = "ok"
            lines.append(
                f"| {name} | {size} B | {'' if mode == 'socketpair' else order} | "
                f"{fmt(None if pps is None else pps / 1e6, 3)} | {vs_ringh} | {fmt(row.get('gbps'))} | "
                f"{'2 syscalls' if mode == 'socketpair' else fmt(row.get('notifications_per_packet'), 4)} | {cpu_text} | "
                f"{fmt(row.get('alloc_bytes_per_packet'), 4)} | "
                f"{xfmt(row['vs_socketpair']) if row.get('vs_socketpair') is not None else ''} | "
                f"{'' if mode == 'socketpair' else row.get('tap_present')} | {status} |")
        lines.append("")
        lines.append("C ring.h pair (`bench/ringh-pair/ringh_pair.c`: Xen's ring.h/netif.h macros, two threads, "
                     "TX 64 B, one data page per slot; sleep = eventfd wake-ups as netfront/netback, spin = busy "
                     "polling, the ring's limit):")
        lines.append("")
        lines.append("| mode | order | slots | Mpps | kicks/pkt | calls/pkt |")
        lines.append("|---|---:|---:|---:|---:|---:|")
        ringh_notes = [n["text"] for n in notes if n["topic"] == "ringh"]
        for mode, order in RINGH_ROWS:
            row = res["ringh"].get(f"{mode}-o{order}")
            if row is None:
                lines.append(f"| {mode} | {order} | | n/a | | | " if not ringh_notes else
                             f"| {mode} | {order} | | n/a ({ringh_notes[0]}) | | |")
                continue
            lines.append(f"| {mode} | {order} | {row.get('slots') or ''} | {fmt(row.get('mpps'), 3)} | "
                         f"{fmt(row.get('kicks_per_packet'), 4)} | {fmt(row.get('calls_per_packet'), 4)} |")
        lines.append("")
        if any(r.get("tap_present") for k, r in res["ring"].items() if not k.startswith("socketpair")):
            lines.append("TAP present = true: this netbackd has no null data path (`--Netback:NullDataPath`), "
                         "so TX went to a TAP that is down (dropped) and RX saw no traffic; these are not "
                         "ring-only figures.")
            lines.append("")
    if micro:
        lines.append("### BenchmarkDotNet (short in-process job, MemoryDiagnoser)")
        lines.append("")
        lines.append("| benchmark | parameters | mean ns/op | allocated B/op |")
        lines.append("|---|---|---:|---:|")
        for m in micro:
            lines.append(f"| {m['type']}.{m['method']} | {m['parameters']} | {fmt(m['mean_ns'])} | "
                         f"{m['allocated_bytes_per_op']} |")
        lines.append("")
        lines.append("RingBenchmarks run batches of 64 requests: the figures are per request.")
        lines.append("")
    other = [n for n in notes if n["topic"] not in ("ring-poll", "ringh")]
    if other:
        lines += ["Notes:", ""] + [f"- {n['topic']}: {n['text']}" for n in other] + [""]
    if tgts:
        lines += target_table("Targets", tgts)
    if earlier:
        lines += target_table("Earlier targets (still checked)", earlier)
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--one", nargs=2, metavar=("METRIC", "FILE"))
    p.add_argument("--manifest")
    p.add_argument("--runs", type=int)
    p.add_argument("--seconds", type=int)
    p.add_argument("--stamp")
    p.add_argument("--commit")
    p.add_argument("--offloads-option", type=int, default=0)
    p.add_argument("--poll-us", default="")
    p.add_argument("--daemon-poll", type=int, default=0)
    p.add_argument("--front-poll", type=int, default=0)
    p.add_argument("--load-start", default="")
    p.add_argument("--out")
    args = p.parse_args()
    if args.one:
        print(one(*args.one))
        return 0
    paths, ring, ringh, micro, notes = collect(args.manifest)
    res, nb_envs = summarize(paths, ring, ringh, args.offloads_option)
    tgts = targets(res, nb_envs)
    earlier = earlier_targets(res, micro, nb_envs)
    md = markdown(res, micro, tgts, earlier, notes, nb_envs, args)
    print(md)
    doc = {
        "stamp": args.stamp, "commit": args.commit, "runs": args.runs, "seconds": args.seconds,
        "cpus": os.cpu_count(), "kernel": platform.release(), "offloads_option": bool(args.offloads_option),
        "poll_us": args.poll_us or None, "daemon_poll_option": bool(args.daemon_poll),
        "front_poll_option": bool(args.front_poll), "load_start": args.load_start,
        **res, "micro": micro, "notes": notes, "targets": tgts, "earlier_targets": earlier,
    }
    with open(args.out + ".json", "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    with open(args.out + ".md", "w", encoding="utf-8") as f:
        f.write(md + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
