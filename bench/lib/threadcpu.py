#!/usr/bin/env python3
"""The busiest threads of the whole machine over a window, for bench/bounds.sh.

    threadcpu.py --seconds S [--top N] [--label TEXT]

Samples every thread's utime+stime (/proc/PID/task/TID/stat) and the machine's busy time
(/proc/stat) at the start and the end of the window, and prints one JSON line: the machine's busy
cores, and the top N threads by CPU, each with its process and thread names, the share of one
core it used, its CPU seconds and its wake-ups (voluntary context switches: each a sleep ended). A thread near 100% is the stage that bounds a pipeline of threads; a machine near all
its cores busy is bound by CPU as a whole.
"""
import argparse
import json
import os
import time

TICK = os.sysconf("SC_CLK_TCK")


def threads():
    out = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/comm") as f:
                proc = f.read().strip()
            for tid in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{tid}/stat") as f:
                    stat = f.read()
                # comm may hold spaces and parentheses: the fields start after the last ')'
                name = stat[stat.index("(") + 1:stat.rindex(")")]
                fields = stat[stat.rindex(")") + 2:].split()
                seconds = (int(fields[11]) + int(fields[12])) / TICK
                switches = 0
                try:
                    # The scheduler's own sum (ns precision) where the kernel exposes it; utime+stime
                    # above come in ticks (10 ms here), too coarse for per-packet figures.
                    with open(f"/proc/{pid}/task/{tid}/sched") as f:
                        for line in f:
                            if line.startswith("se.sum_exec_runtime"):
                                seconds = float(line.split(":")[1]) / 1000.0
                            elif line.startswith("nr_voluntary_switches"):
                                switches = int(line.split(":")[1])  # each a sleep, ended by a wake-up
                except FileNotFoundError:
                    with open(f"/proc/{pid}/task/{tid}/status") as f:
                        for line in f:
                            if line.startswith("voluntary_ctxt_switches:"):
                                switches = int(line.split()[1])
                out[(int(pid), int(tid))] = (proc, name, seconds, switches)
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue  # gone meanwhile
    return out


def machine():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]
    return sum(v) - idle, sum(v)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=float, required=True)
    p.add_argument("--top", type=int, default=8)
    p.add_argument("--label", default="")
    a = p.parse_args()
    t0, m0, w0 = threads(), machine(), time.monotonic()
    time.sleep(a.seconds)
    t1, m1, w1 = threads(), machine(), time.monotonic()
    wall = w1 - w0
    rows = []
    for key, (proc, name, seconds, switches) in t1.items():
        before = t0.get(key)
        used = seconds - (before[2] if before else 0)
        if used > 0:
            rows.append({"pid": key[0], "tid": key[1], "process": proc, "thread": name,
                         "core_pct": round(100.0 * used / wall, 1),
                         "cpu_s": round(used, 6),
                         "wakeups": switches - (before[3] if before else 0)})
    rows.sort(key=lambda r: -r["core_pct"])
    busy, total = m1[0] - m0[0], m1[1] - m0[1]
    cores = os.cpu_count() or 1
    print(json.dumps({"label": a.label, "seconds": round(wall, 2), "cores": cores,
                      "machine_busy_cores": round(cores * busy / total, 2) if total else None,
                      "top": rows[:a.top]}))


if __name__ == "__main__":
    main()
