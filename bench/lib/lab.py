#!/usr/bin/env python3
"""bench/lab.sh's recorder: turns one run's raw outputs into lines of RESULTS (results.jsonl) that
bench/Netback.LabReport charts. The raw outputs are parsed with bench/lib/report.py's functions
(iperf3 -J, /proc/stat CPU lines, ping's text), so bench/run.sh and the lab read them alike.

  lab.py COMMON iperf  --file F [--stats BEFORE AFTER] [--metrics LIST]
  lab.py COMMON ping   --file F [--stats BEFORE AFTER]
  lab.py COMMON pervif --files F... [--metric NAME]
  lab.py COMMON ring   --file F
  lab.py COMMON scale  --file F
  lab.py COMMON value  --metric M --value V
  lab.py --results R section NAME STATUS [--reason TEXT] [--conditions TEXT]
  lab.py --results R note NAME TEXT
  lab.py stats-sum FILE          (the daemon's counters summed over its queues, for a look)
  lab.py rss PID                 (VmRSS in KiB)
COMMON: --results R --section S --condition C --series X --run N

A figure that cannot be computed (a failed run, a missing counter) is written as null: the report
leaves it out of the median and says how many runs it had. Each command prints a one-line summary.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402  (bench/lib/report.py: iperf_run, cpu_busy_seconds, ping_times, load_json)


def emit(results, obj):
    with open(results, "a", encoding="utf-8") as f:
        f.write(json.dumps(obj, separators=(",", ":")) + "\n")


def sample(a, metric, value=None, values=None):
    obj = {"type": "sample", "section": a.section, "metric": metric, "condition": a.condition,
           "series": a.series, "run": a.run}
    if values is not None:
        obj["values"] = values
    else:
        obj["value"] = None if value is None or value != value else round(value, 6)
    emit(a.results, obj)
    return value


def stats_totals(path):
    """netbackctl stats --json (one line): every queue's totals summed; drops summed into "drops"."""
    text = report.read_text(path).strip()
    if not text:
        return None
    try:
        doc = json.loads(text.splitlines()[-1])
    except ValueError:
        return None
    out = {}
    for q in doc.get("queues", []):
        for k, v in (q.get("total") or {}).items():
            if isinstance(v, dict):
                out["drops"] = out.get("drops", 0) + sum(x for x in v.values() if isinstance(x, (int, float)))
            elif isinstance(v, (int, float)):
                out[k] = out.get(k, 0) + v
    return out


def stats_delta(before, after):
    b, e = stats_totals(before), stats_totals(after)
    if b is None or e is None:
        return None
    return {k: e.get(k, 0) - b.get(k, 0) for k in e}


def per_packet(delta, *keys):
    if not delta:
        return None
    packets = delta.get("tx-packets", 0) + delta.get("rx-packets", 0)
    if packets <= 0:
        return None
    return sum(delta.get(k, 0) for k in keys) / packets


def iperf_figures(path):
    """Receiver-side figures of an iperf3 -J run (TCP or UDP)."""
    d = report.load_json(path)
    if not d or "error" in d or "end" not in d:
        return None
    end = d["end"]
    udp = (d.get("start", {}).get("test_start", {}).get("protocol") == "UDP")
    rx = end.get("sum_received") or end.get("sum") or {}
    seconds = rx.get("seconds") or 0
    if seconds <= 0:
        return None
    f = {"udp": udp, "seconds": seconds}
    if udp:
        s = end.get("sum") or rx
        packets = rx.get("packets", s.get("packets", 0)) - rx.get("lost_packets", s.get("lost_packets", 0))
        length = d.get("start", {}).get("test_start", {}).get("blksize") or 0
        f["pps"] = packets / seconds
        f["bytes"] = packets * length
        f["lost_pct"] = s.get("lost_percent")
    else:
        f["bytes"] = rx.get("bytes", 0)
        f["pps"] = None
    f["gbps"] = f["bytes"] * 8 / seconds / 1e9
    busy = report.cpu_busy_seconds(path + ".cpu")
    f["cpu_busy_s"] = busy
    if busy is not None and f["bytes"]:
        f["cpu_s_per_gb"] = busy / (f["bytes"] / 1e9)
    return f


def cmd_iperf(a):
    f = iperf_figures(a.file)
    delta = stats_delta(*a.stats) if a.stats else None
    wanted = a.metrics.split(",")
    proc_s = (a.ticks[1] - a.ticks[0]) / report.CLK_TCK if a.ticks else None
    shown = []
    for m in wanted:
        v = None
        if f is not None:
            if m == "gbps":
                v = f["gbps"]
            elif m == "mbps":
                v = f["gbps"] * 1000
            elif m == "mpps":
                v = None if f["pps"] is None else f["pps"] / 1e6
            elif m == "lost_pct":
                v = f.get("lost_pct")
            elif m == "cpu_s_per_gb":
                # netbackd's and netfront's CPU when measured (the machine is shared), else the whole machine's
                v = proc_s / (f["bytes"] / 1e9) if proc_s is not None and f["bytes"] else f.get("cpu_s_per_gb")
            elif m == "machine_cpu_s_per_gb":
                v = f.get("cpu_s_per_gb")
            elif m == "throughput":  # Gbit/s for TCP, Mpps for UDP: one chart, the series say which
                v = f["pps"] / 1e6 if f["udp"] else f["gbps"]
        if m == "notif_per_pkt":
            v = per_packet(delta, "notifications-sent", "notifications-received")
        elif m == "wakeups_per_pkt":
            v = per_packet(delta, "wakeups")
        elif m == "drops":
            v = None if delta is None else delta.get("drops", 0)
        elif m == "cpu_ns_per_pkt":
            packets = None if delta is None else delta.get("tx-packets", 0) + delta.get("rx-packets", 0)
            busy = proc_s if proc_s is not None else (None if f is None else f.get("cpu_busy_s"))
            v = None if not packets or busy is None else busy * 1e9 / packets
        sample(a, m, v)
        shown.append(f"{m} {'n/a' if v is None else f'{v:.4g}'}")
    print("      " + ", ".join(shown))


def cmd_ping(a):
    times = report.ping_times(a.file)
    sample(a, "rtt", values=times)
    delta = stats_delta(*a.stats) if a.stats else None
    n = sample(a, "notif_per_pkt", per_packet(delta, "notifications-sent", "notifications-received")) if a.stats else None
    w = sample(a, "wakeups_per_pkt", per_packet(delta, "wakeups")) if a.stats else None
    s = sorted(times)
    p50 = report.percentile(s, 50)
    p99 = report.percentile(s, 99)
    print(f"      ping {len(times)} replies, p50 {p50 if p50 is None else round(p50)} µs, p99 "
          f"{p99 if p99 is None else round(p99)} µs" + (f", notif/pkt {n}, wakeups/pkt {w}" if a.stats else ""))


def cmd_pervif(a):
    values = []
    for path in a.files:
        f = iperf_figures(path)
        if f is None:
            print(f"      {path}: no result (left out of the run's vector)")
            continue
        values.append(f["pps"] / 1e6 if a.metric == "mpps" and f["pps"] is not None else f["gbps"])
    sample(a, "per_vif", values=values)
    print(f"      {len(values)} vif(s): " + " ".join(f"{v:.3f}" for v in values))


def cmd_ring(a):
    d = report.load_json(a.file)
    ok = d is not None and d.get("ok", True) is not False
    mpps = sample(a, "mpps", d["pps"] / 1e6 if ok and d.get("pps") is not None else None)
    cpu = sample(a, "cpu_ns_per_pkt", d.get("cpu_ns_per_packet") if ok else None)
    sample(a, "notif_per_pkt", d.get("notifications_per_packet") if ok else None)
    slots = d.get("ring_slots") if d else None
    print(f"      {'FAILED ' + str((d or {}).get('error')) if not ok else ''}{mpps} Mpps, {cpu} ns/pkt, {slots} slots")
    return 0 if ok else 1


def cmd_scale(a):
    d = report.load_json(a.file)
    ok = d is not None and d.get("ok", True) is not False
    get = (lambda k: d.get(k)) if ok else (lambda k: None)
    sample(a, "agg_mpps", None if get("pps") is None else get("pps") / 1e6)
    sample(a, "attach_ms_per_vif", get("attach_ms_per_vif"))
    sample(a, "threads", get("daemon_threads"))
    sample(a, "rss_kib_per_vif", get("rss_kib_per_vif"))
    sample(a, "idle_cpu_pct_per_vif", get("idle_cpu_pct_per_vif"))
    if not ok:
        print(f"      FAILED: {(d or {}).get('error', 'no output')}")
        return 1
    print(f"      {d['vifs']} vifs: attach {d['attach_ms_per_vif']} ms/vif, {d['daemon_threads']} threads, "
          f"{d['rss_kib_per_vif']} KiB/vif, idle {d['idle_cpu_pct_per_vif']} %CPU/vif, {d['pps'] / 1e6:.3f} Mpps")
    return 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--results")
    p.add_argument("--section", default="")
    p.add_argument("--condition", default="")
    p.add_argument("--series", default="")
    p.add_argument("--run", type=int, default=1)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("iperf"); s.add_argument("--file", required=True); s.add_argument("--stats", nargs=2)
    s.add_argument("--metrics", default="gbps")
    s.add_argument("--ticks", nargs=2, type=int, help="netbackd's + netfront's CPU ticks before and after")
    s = sub.add_parser("ping"); s.add_argument("--file", required=True); s.add_argument("--stats", nargs=2)
    s = sub.add_parser("pervif"); s.add_argument("--files", nargs="+", required=True); s.add_argument("--metric", default="gbps")
    s = sub.add_parser("ring"); s.add_argument("--file", required=True)
    s = sub.add_parser("scale"); s.add_argument("--file", required=True)
    s = sub.add_parser("value"); s.add_argument("--metric", required=True); s.add_argument("--value")
    s = sub.add_parser("section"); s.add_argument("name"); s.add_argument("status")
    s.add_argument("--reason"); s.add_argument("--conditions")
    s = sub.add_parser("note"); s.add_argument("name"); s.add_argument("text")
    s = sub.add_parser("stats-sum"); s.add_argument("file")
    s = sub.add_parser("rss"); s.add_argument("pid")
    s = sub.add_parser("slots"); s.add_argument("file")
    a = p.parse_args()
    if a.cmd == "iperf":
        cmd_iperf(a)
    elif a.cmd == "ping":
        cmd_ping(a)
    elif a.cmd == "pervif":
        cmd_pervif(a)
    elif a.cmd == "ring":
        return cmd_ring(a)
    elif a.cmd == "scale":
        return cmd_scale(a)
    elif a.cmd == "value":
        try:
            v = float(a.value)
        except (TypeError, ValueError):
            v = None
        sample(a, a.metric, v)
    elif a.cmd == "section":
        obj = {"type": "section", "section": a.name, "status": a.status}
        if a.reason:
            obj["reason"] = a.reason
        if a.conditions:
            obj["conditions"] = a.conditions
        emit(a.results, obj)
    elif a.cmd == "note":
        emit(a.results, {"type": "note", "section": a.name, "text": a.text})
        print(f"    note ({a.name}): {a.text}")
    elif a.cmd == "stats-sum":
        print(json.dumps(stats_totals(a.file)))
    elif a.cmd == "slots":
        d = report.load_json(a.file)
        print("no result" if not d else f"{d.get('ring_slots')} TX slots at ring-page-order {d.get('ring_page_order')}")
    elif a.cmd == "rss":
        try:
            with open(f"/proc/{a.pid}/status") as f:
                print(next((l.split()[1] for l in f if l.startswith("VmRSS:")), "0"))
        except OSError:
            print(0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
