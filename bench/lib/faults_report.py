#!/usr/bin/env python3
"""Turns the measurements of bench/faults.sh into medians, verdicts, a markdown table and a JSON file.

  faults_report.py --manifest FILE --runs N --seconds S --stamp STAMP --commit SHA --out PREFIX
  faults_report.py --gap PING_LOG [--since US] (ms: longest gap between ping -D replies, first reply after US)
  faults_report.py --iperf FILE CONFIGURED   (one rate run's figure, for the progress lines)

The manifest has one JSON line per scenario run (reconnect, rate, sigkill, sigterm) with the figures
faults.sh measured; a rate line names its iperf3 -J output instead. A rate is "not measurable" in a
run whose unlimited throughput is below the configured rate + 10%: that path cannot show whether
the limit holds, so the run is left out of the rate's median and verdict.
"""
import argparse
import json
import os
import platform
import statistics
import sys

TOLERANCE = 0.10
RATE_ROWS = [
    # label in the manifest, rate, set by
    ("10Mb/s vifspec", "10 Mbit/s", "vifspec at attach"),
    ("10Mb/s live", "10 Mbit/s", "netbackctl set (live)"),
    ("500Mb/s vifspec", "500 Mbit/s", "vifspec at attach"),
    ("500Mb/s live", "500 Mbit/s", "netbackctl set (live)"),
]
UNLIMITED = "unlimited (rate=none live)"


def longest_gap_ms(path, since_us=None):
    """The longest time between consecutive replies in `ping -D` output ("[epoch.micros] 64 bytes from ...")
    and the time from since_us to the first reply after it (both ms), or (None, None) when there was no
    reply after since_us (the outage never closed)."""
    last, longest, first_after = None, 0.0, None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if not line.startswith("[") or "bytes from" not in line:
                continue
            t = float(line[1:line.index("]")])
            if last is not None:
                longest = max(longest, t - last)
            if since_us is not None and first_after is None and t * 1e6 >= since_us:
                first_after = round((t * 1e6 - since_us) / 1000)
            last = t
    if last is None or (since_us is not None and first_after is None):
        return None, None
    return round(longest * 1000), first_after


def receiver_bps(path):
    """Receiver bits/s of one iperf3 -J TCP run, or None when the run failed."""
    try:
        with open(path, encoding="utf-8") as f:
            d = json.load(f)
        return float(d["end"]["sum_received"]["bits_per_second"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(v, digits=0):
    if v is None:
        return "n/a"
    return f"{v:,.{digits}f}"


def runs_text(values, digits=0):
    return ", ".join(fmt(v, digits) for v in values) if values else "n/a"


def verdict(values, ok):
    values = [v for v in values if v is not None]
    if not values:
        return "n/a"
    bad = sum(1 for v in values if not ok(v))
    return "met" if bad == 0 else f"NOT met ({bad} of {len(values)} runs)"


def time_rows(lines):
    """(figure, target, median, all runs, verdict) for the timed figures."""
    rec = [l for l in lines if l["scenario"] == "reconnect"]
    kill = [l for l in lines if l["scenario"] == "sigkill"]
    term = [l for l in lines if l["scenario"] == "sigterm"]

    def col(rows, key):
        return [r.get(key) for r in rows]

    rows = []
    held = [l for l in lines if l["scenario"] == "reconnect-socket"]
    for group, name, outage_target in ((rec, "reconnect (by hand)", None), (held, "reconnect (socket-activated)", 250)):
        if not group and rows:
            continue
        outage = col(group, "outage_ms")
        med = median(outage)
        rows.append((f"{name}: traffic outage (longest gap between ping replies, 20 ms interval)",
                     "—" if outage_target is None else f"median ≤ {outage_target}", med, runs_text(outage),
                     "—" if outage_target is None or med is None else "met" if med <= outage_target else "NOT met"))
        exit_ms = col(group, "exit_ms")
        rows.append((f"{name}: old netbackd exits after SIGTERM (ping traffic)", "< 2,000",
                     median(exit_ms), runs_text(exit_ms), verdict(exit_ms, lambda v: v < 2000)))
        listen = col(group, "listen_ms")
        rows.append((f"{name}: new netbackd listening (from the SIGTERM)", "—",
                     median(listen), runs_text(listen), "—"))
        recon = col(group, "reconnected_ms")
        rows.append((f"{name}: netfront prints \"reconnected\" (from the SIGTERM)", "—",
                     median(recon), runs_text(recon), "—"))
        first = col(group, "first_reply_ms")
        rows.append((f"{name}: first ping reply after the \"reconnected\" line", "—",
                     median(first), runs_text(first), "—"))
        own = col(group, "netfront_ms")
        attempts = ", ".join(str(a) for a in col(group, "attempt"))
        same = all(r.get("same_vif") for r in group) if group else None
        rows.append((f"{name}: netfront's own \"after N ms\" (attempts: {attempts or 'n/a'}; same vif every run: "
                     f"{'yes' if same else 'no' if same is not None else 'n/a'})", "—",
                     median(own), runs_text(own), "—"))
    gone = col(kill, "vif_gone_ms")
    loads = runs_text(col(kill, "load_mbps"))
    rows.append((f"SIGKILL netfront under iperf3 ({loads} Mbit/s): vif TAP gone from the host", "< 1,000",
                 median(gone), runs_text(gone), verdict(gone, lambda v: v < 1000)))
    term_ms = col(term, "exit_ms")
    statuses = ", ".join(str(s) for s in col(term, "exit_status"))
    loads = runs_text(col(term, "load_mbps"))
    rows.append((f"SIGTERM netbackd under iperf3 ({loads} Mbit/s): daemon exits (exit status: {statuses or 'n/a'})",
                 "< 2,000", median(term_ms), runs_text(term_ms), verdict(term_ms, lambda v: v < 2000)))
    front = col(term, "netfront_exit_ms")
    fstat = ", ".join(str(s) for s in col(term, "netfront_status"))
    rows.append((f"SIGTERM netbackd: netfront --no-reconnect exits (exit status: {fstat or 'n/a'})", "—",
                 median(front), runs_text(front), "—"))
    return rows


def rate_rows(lines):
    """Per rate row: rate, set by, configured, measured per run, measurable per run, median, error, verdict."""
    rate = [l for l in lines if l["scenario"] == "rate"]
    unlimited = {l["run"]: receiver_bps(l["file"]) for l in rate if l["label"] == UNLIMITED}
    out = []
    u = sorted(unlimited.items())
    out.append({"label": UNLIMITED, "rate": "none", "set_by": "netbackctl set rate=none (live)", "configured_bps": None,
                "runs": [{"run": k, "bps": v, "measurable": v is not None} for k, v in u],
                "median_bps": median([v for _, v in u]), "error_pct": None, "verdict": "—"})
    for label, title, set_by in RATE_ROWS:
        runs = []
        configured = None
        for l in sorted((l for l in rate if l["label"] == label), key=lambda l: l["run"]):
            configured = float(l["configured_bps"])
            bps = receiver_bps(l["file"])
            cap = unlimited.get(l["run"])
            measurable = bps is not None and cap is not None and cap >= configured * (1 + TOLERANCE)
            runs.append({"run": l["run"], "bps": bps, "unlimited_bps": cap, "measurable": measurable})
        good = [r["bps"] for r in runs if r["measurable"]]
        med = median(good)
        error = None if med is None or not configured else (med / configured - 1) * 100
        if not runs:
            v = "n/a"
        elif not good:
            v = "not measurable (path carries less than rate + 10%)"
        else:
            v = verdict(good, lambda b, c=configured: abs(b / c - 1) <= TOLERANCE)
            skipped = len(runs) - len(good)
            if skipped:
                v += f"; {skipped} run(s) not measurable"
        out.append({"label": label, "rate": title, "set_by": set_by, "configured_bps": configured, "runs": runs,
                    "median_bps": med, "error_pct": error, "verdict": v})
    return out


def markdown(meta, times, rates):
    md = [f"### Faults, {meta['date']} (commit {meta['commit']}; {meta['nproc']} cores, Linux {meta['kernel']}, "
          f"load average {meta['load_start']} at the start, {meta['load_end']} at the end; binaries: {meta['binaries']})", "",
          f"{meta['runs']} run(s) per figure: the median and every run; verdicts over every run.", "",
          "| figure | target (ms) | median (ms) | runs (ms) | verdict |", "|---|---:|---:|---|---|"]
    for name, target, med, all_runs, v in times:
        md.append(f"| {name} | {target} | {fmt(med)} | {all_runs} | {v} |")
    md += ["", f"iperf3 TCP guest→host, {meta['seconds']} s after a 1 s warm-up, receiver's bits/s; "
           f"target: within ±{TOLERANCE:.0%} of the configured rate.", "",
           "| rate | set by | median (Mbit/s) | error | runs (Mbit/s) | verdict |", "|---|---|---:|---:|---|---|"]
    for row in rates:
        runs = ", ".join(("n/a" if r["bps"] is None else f"{r['bps'] / 1e6:,.2f}") + ("" if r["measurable"] else " (n.m.)")
                         for r in row["runs"]) or "n/a"
        med = "n/a" if row["median_bps"] is None else f"{row['median_bps'] / 1e6:,.2f}"
        err = "—" if row["error_pct"] is None else f"{row['error_pct'] + 0.0:+.1f} %".replace("-0.0", "+0.0")
        md.append(f"| {row['rate']} | {row['set_by']} | {med} | {err} | {runs} | {row['verdict']} |")
    md += ["", "n.m. = not measurable in that run: its unlimited throughput was below the rate + 10%."]
    return "\n".join(md) + "\n"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--gap")
    p.add_argument("--since", type=int, help="with --gap: epoch microseconds after which a reply must exist")
    p.add_argument("--iperf", nargs=2, metavar=("FILE", "CONFIGURED_BPS"))
    p.add_argument("--manifest")
    p.add_argument("--runs", type=int)
    p.add_argument("--seconds", type=int)
    p.add_argument("--stamp")
    p.add_argument("--commit")
    p.add_argument("--out")
    a = p.parse_args()
    if a.gap:
        gap, first_after = longest_gap_ms(a.gap, a.since)
        print("null null" if gap is None else f"{gap} {'null' if first_after is None else first_after}")
        return 0
    if a.iperf:
        bps, configured = receiver_bps(a.iperf[0]), float(a.iperf[1])
        if bps is None:
            print("iperf3 failed")
        elif configured:
            err = f"{(bps / configured - 1) * 100:+.1f}".replace("-0.0", "+0.0")
            print(f"{bps / 1e6:,.2f} Mbit/s ({err} % of {configured / 1e6:,.0f})")
        else:
            print(f"{bps / 1e6:,.2f} Mbit/s")
        return 0

    with open(a.manifest, encoding="utf-8") as f:
        lines = [json.loads(l) for l in f if l.strip()]
    load = os.getloadavg()
    meta = {"stamp": a.stamp, "date": f"{a.stamp[0:4]}-{a.stamp[4:6]}-{a.stamp[6:8]}", "commit": a.commit,
            "runs": a.runs, "seconds": a.seconds, "nproc": os.cpu_count(), "kernel": platform.release(),
            "load_start": os.environ.get("NB_LOAD_START", "?"), "binaries": os.environ.get("NB_BINARIES", "?"), "load_end": f"{load[0]:.2f}"}
    times = time_rows(lines)
    rates = rate_rows(lines)
    md = markdown(meta, times, rates)
    with open(a.out + ".md", "w", encoding="utf-8") as f:
        f.write(md)
    with open(a.out + ".json", "w", encoding="utf-8") as f:
        json.dump({"meta": meta, "runs": lines, "rates": rates,
                   "times": [{"figure": n, "target_ms": t, "median_ms": m, "runs_ms": r, "verdict": v}
                             for n, t, m, r, v in times]}, f, indent=2)
    sys.stdout.write(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
