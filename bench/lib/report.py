#!/usr/bin/env python3
"""Turns the raw outputs of bench/run.sh into medians, ratios, a markdown table and a JSON file.

  report.py --manifest FILE --runs N --seconds S --stamp STAMP --commit SHA --offloads-option 0|1 --out PREFIX
  report.py --one METRIC FILE     (one run's figure, for run.sh's progress lines)

The manifest has one JSON line per measured run: kind (iperf, ring, micro), env, metric, run and
the file holding that run's raw output (iperf3 -J, a ringflood JSON line, BenchmarkDotNet's JSON).
A run that failed yields null and is left out of its median; a figure with no run at all is "n/a".
"""
import argparse
import json
import os
import platform
import statistics
import sys

IPERF_METRICS = [
    # key, column title, unit
    ("tcp1_g2h", "TCP 1 stream g→h", "Gbit/s"),
    ("tcp1_h2g", "TCP 1 stream h→g", "Gbit/s"),
    ("tcp4_g2h", "TCP 4 streams g→h", "Gbit/s"),
    ("tcp4_h2g", "TCP 4 streams h→g", "Gbit/s"),
    ("udp64_g2h", "UDP 64 B g→h rx", "kpps"),
]
ENV_TITLES = {
    "veth": "(a) veth pair, offloads on",
    "socat": "(b) socat relay, 2 TAPs",
    "nb-1q-on": "(c) netback 1 queue, offloads on",
    "nb-1q-off": "(c) netback 1 queue, offloads off",
    "nb-2q-on": "(c) netback 2 queues, offloads on",
    "nb-2q-off": "(c) netback 2 queues, offloads off",
    "nb-1q": "(c) netback 1 queue, netfront default",
    "nb-2q": "(c) netback 2 queues, netfront default",
}
NETBACK_ENVS_WITH_OPTION = ["nb-1q-on", "nb-1q-off", "nb-2q-on", "nb-2q-off"]
NETBACK_ENVS_WITHOUT_OPTION = ["nb-1q", "nb-2q"]
RING_ROWS = [("ring-tx", 64), ("ring-rx", 64), ("ring-tx", 1500), ("ring-rx", 1500),
             ("socketpair", 64), ("socketpair", 1500)]
RING_FIELDS = ["pps", "pps_per_queue", "gbps", "notifications_per_packet", "cpu_ns_per_packet",
               "cpu_client_ns_per_packet", "cpu_daemon_ns_per_packet", "alloc_bytes_per_packet",
               "tx_status_dropped", "tx_status_errors"]


def load_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read().strip()
        if not text:
            return None
        # ringflood prints one line; iperf3 -J and BenchmarkDotNet one document
        return json.loads(text.splitlines()[-1]) if text.startswith("{\"mode\"") else json.loads(text)
    except (OSError, ValueError):
        return None


def iperf_value(metric, path):
    """Receiver-side figure of one iperf3 -J run: Gbit/s for TCP, received kpps for UDP."""
    d = load_json(path)
    if not d or "error" in d or "end" not in d:
        return None
    end = d["end"]
    rx = end.get("sum_received") or end.get("sum")
    if not rx:
        return None
    if metric.startswith("udp"):
        seconds = rx.get("seconds") or 0
        if seconds <= 0:
            return None
        return (rx.get("packets", 0) - rx.get("lost_packets", 0)) / seconds / 1e3
    return rx.get("bits_per_second", 0) / 1e9


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


def one(metric, path):
    if metric == "ring":
        d = load_json(path)
        if not d:
            return "failed"
        extra = ""
        if d.get("mode") != "socketpair":
            extra = f", {d['notifications_per_packet']} notif/pkt, tap_present={d['tap_present']}"
        return (f"{d['pps'] / 1e6:.3f} Mpps, {d['gbps']:.2f} Gbit/s, cpu {d['cpu_ns_per_packet']} ns/pkt, "
                f"alloc {d['alloc_bytes_per_packet']} B/pkt{extra}")
    v = iperf_value(metric, path)
    unit = "kpps" if metric.startswith("udp") else "Gbit/s"
    return "failed" if v is None else f"{v:.2f} {unit}"


def collect(manifest):
    iperf, ring, micro = {}, {}, []
    with open(manifest, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            m = json.loads(line)
            if m["kind"] == "iperf":
                iperf.setdefault(m["env"], {}).setdefault(m["metric"], []).append(iperf_value(m["metric"], m["file"]))
            elif m["kind"] == "ring":
                ring.setdefault((m["env"], int(m["metric"])), []).append(load_json(m["file"]))
            elif m["kind"] == "micro":
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
    return iperf, ring, micro


def summarize(iperf, ring, offloads_option):
    res = {"iperf": {}, "ratios": {}, "ring": {}}
    for env, metrics in iperf.items():
        res["iperf"][env] = {k: {"median": median(v), "runs": v} for k, v in metrics.items()}
    nb_envs = NETBACK_ENVS_WITH_OPTION if offloads_option else NETBACK_ENVS_WITHOUT_OPTION
    med = lambda env, k: (res["iperf"].get(env, {}).get(k) or {}).get("median")
    for env in nb_envs:
        res["ratios"][env] = {
            "vs_veth": {k: ratio(med(env, k), med("veth", k)) for k, _, _ in IPERF_METRICS},
            "vs_socat": {k: ratio(med(env, k), med("socat", k)) for k, _, _ in IPERF_METRICS},
        }
    for (env, size), docs in ring.items():
        docs_ok = [d for d in docs if d]
        row = {"runs": docs}
        for field in RING_FIELDS:
            row[field] = median([d.get(field) for d in docs_ok])
        row["tap_present"] = any(d.get("tap_present") for d in docs_ok) if docs_ok else None
        res["ring"][f"{env}-{size}"] = row
    for size in (64, 1500):
        base = (res["ring"].get(f"socketpair-{size}") or {}).get("pps")
        for env in ("ring-tx", "ring-rx"):
            row = res["ring"].get(f"{env}-{size}")
            if row is not None:
                row["vs_socketpair"] = ratio(row["pps"], base)
    return res, nb_envs


def targets(res, micro, nb_envs):
    out = []
    med = lambda env, k: (res["iperf"].get(env, {}).get(k) or {}).get("median")
    ref = next((e for e in nb_envs if e in res["iperf"]), None)
    if ref:
        for k, title in (("tcp1_g2h", "TCP 1 stream g→h"), ("tcp1_h2g", "TCP 1 stream h→g")):
            r = ratio(med(ref, k), med("socat", k))
            out.append({"target": f"{title} ≥ 5× socat relay ({ref})", "measured": r, "unit": "×",
                        "pass": None if r is None else r >= 5})
            r = ratio(med(ref, k), med("veth", k))
            out.append({"target": f"{title} ≥ 40% of veth ({ref})", "measured": None if r is None else r * 100,
                        "unit": "%", "pass": None if r is None else r >= 0.4})
        r = ratio(med(ref, "udp64_g2h"), med("socat", "udp64_g2h"))
        out.append({"target": f"UDP 64 B received pps ≥ 1.5× socat relay ({ref})", "measured": r, "unit": "×",
                    "pass": None if r is None else r >= 1.5})
    for env, title in (("ring-tx", "TX"), ("ring-rx", "RX")):
        row = res["ring"].get(f"{env}-64")
        if not row:
            continue
        if row.get("tap_present"):
            # not the null data path: the daemon wrote to (or read from) a TAP; no ring-only verdict
            out.append({"target": f"ring-only {title} 64 B targets (pps, notifications, × socketpair)",
                        "measured": None, "unit": "", "pass": None})
            continue
        v = row.get("pps_per_queue")
        out.append({"target": f"ring-only {title} 64 B ≥ 5 M packets/s per queue",
                    "measured": None if v is None else v / 1e6, "unit": "Mpps",
                    "pass": None if v is None else v >= 5e6})
        v = row.get("notifications_per_packet")
        out.append({"target": f"ring-only {title} 64 B ≤ 0.05 notifications per packet", "measured": v, "unit": "",
                    "pass": None if v is None else v <= 0.05})
        v = row.get("vs_socketpair")
        out.append({"target": f"ring-only {title} 64 B ≥ 10× the socketpair baseline", "measured": v, "unit": "×",
                    "pass": None if v is None else v >= 10})
    allocs = [row.get("alloc_bytes_per_packet") for key, row in res["ring"].items() if key.startswith("ring-")]
    allocs = [a for a in allocs if a is not None]
    if allocs:
        # a few bytes per window (a timer, a thread-pool item) show as 1e-6 B/packet: round to 0.01
        out.append({"target": "ring-only flood: 0 bytes allocated per packet (client)", "measured": max(allocs),
                    "unit": "B", "pass": round(max(allocs), 2) == 0})
    hot = [m for m in micro if m["type"] in ("RingBenchmarks", "PacketHeadersBenchmarks")]
    if hot:
        worst = max((m["allocated_bytes_per_op"] or 0) for m in hot)
        out.append({"target": "micro: ring and header parser allocate 0 B/op", "measured": worst, "unit": "B",
                    "pass": worst == 0})
    return out


def markdown(res, micro, tgts, nb_envs, args):
    lines = [f"## Netback benchmarks {args.stamp} (commit {args.commit})", ""]
    lines.append(f"Median of {args.runs} run(s) of {args.seconds} s each; {os.cpu_count()} CPUs, "
                 f"kernel {platform.release()}. g = the namespace running the iperf3 client (the guest), "
                 "h = the server's (the host); UDP is the receiver's packets per second.")
    lines.append("")
    if res["iperf"]:
        lines.append("### iperf3")
        lines.append("")
        lines.append("| path | " + " | ".join(f"{t} ({u})" for _, t, u in IPERF_METRICS) + " |")
        lines.append("|---|" + "---:|" * len(IPERF_METRICS))
        envs = ["veth", "socat"] + (NETBACK_ENVS_WITH_OPTION if args.offloads_option else
                                     NETBACK_ENVS_WITHOUT_OPTION + NETBACK_ENVS_WITH_OPTION)
        for env in envs:
            cells = [fmt((res["iperf"].get(env, {}).get(k) or {}).get("median")) for k, _, _ in IPERF_METRICS]
            lines.append(f"| {ENV_TITLES[env]} | " + " | ".join(cells) + " |")
        for env in nb_envs:
            for vs, title in (("vs_veth", "c/a (÷ veth)"), ("vs_socat", "c/b (÷ socat)")):
                cells = [fmt(res["ratios"][env][vs][k]) + ("×" if res["ratios"][env][vs][k] is not None else "")
                         for k, _, _ in IPERF_METRICS]
                lines.append(f"| {env} {title} | " + " | ".join(cells) + " |")
        if not args.offloads_option:
            lines.append("")
            lines.append("netfront attach has no `--offloads` option yet: the on/off rows are n/a and "
                         "netback ran with netfront's defaults.")
        lines.append("")
    if res["ring"]:
        lines.append("### Ring-only flood (ringflood → netbackd null data path) and socketpair baseline")
        lines.append("")
        lines.append("| scenario | frame | Mpps/queue | Gbit/s | notif/pkt | CPU ns/pkt (client + daemon) | "
                     "alloc B/pkt | × socketpair | TAP present |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---|")
        for env, size in RING_ROWS:
            row = res["ring"].get(f"{env}-{size}")
            if row is None:
                continue
            pps = row.get("pps_per_queue")
            cpu = row.get("cpu_ns_per_packet")
            cpu_text = "n/a" if cpu is None else f"{cpu:.0f}"
            if env != "socketpair" and row.get("cpu_client_ns_per_packet") is not None:
                cpu_text += f" ({row['cpu_client_ns_per_packet']:.0f} + {fmt(row.get('cpu_daemon_ns_per_packet'), 0)})"
            notif = row.get("notifications_per_packet")
            lines.append(
                f"| {env} | {size} B | {fmt(None if pps is None else pps / 1e6, 3)} | {fmt(row.get('gbps'))} | "
                f"{'2 syscalls' if env == 'socketpair' else fmt(notif, 4)} | {cpu_text} | "
                f"{fmt(row.get('alloc_bytes_per_packet'), 4)} | "
                f"{fmt(row.get('vs_socketpair')) + '×' if row.get('vs_socketpair') is not None else ''} | "
                f"{'' if env == 'socketpair' else row.get('tap_present')} |")
        if any(r.get("tap_present") for k, r in res["ring"].items() if k.startswith("ring-")):
            lines.append("")
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
    if tgts:
        lines.append("### Targets")
        lines.append("")
        lines.append("| target | measured | verdict |")
        lines.append("|---|---:|---|")
        for t in tgts:
            verdict = "n/a" if t["pass"] is None else ("met" if t["pass"] else "NOT met")
            lines.append(f"| {t['target']} | {fmt(t['measured'])} {t['unit']} | {verdict} |")
        lines.append("")
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
    p.add_argument("--out")
    args = p.parse_args()
    if args.one:
        print(one(*args.one))
        return 0
    iperf, ring, micro = collect(args.manifest)
    res, nb_envs = summarize(iperf, ring, args.offloads_option)
    tgts = targets(res, micro, nb_envs)
    md = markdown(res, micro, tgts, nb_envs, args)
    print(md)
    doc = {
        "stamp": args.stamp, "commit": args.commit, "runs": args.runs, "seconds": args.seconds,
        "cpus": os.cpu_count(), "kernel": platform.release(), "offloads_option": bool(args.offloads_option),
        **res, "micro": micro, "targets": tgts,
    }
    with open(args.out + ".json", "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    with open(args.out + ".md", "w", encoding="utf-8") as f:
        f.write(md + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
