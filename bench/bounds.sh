#!/usr/bin/env bash
# What bounds netback's figures (issue 13's targets): one vif (1 queue, defaults) between a guest and
# a host namespace, and for each workload the machine's busy cores and its busiest threads (a thread
# near 100% of a core is the stage that bounds the pipeline; bench/lib/threadcpu.py), then for a
# ping round trip the CPU time and wake-ups per ping of every thread on its path.
#   bench/bounds.sh [--time SECONDS] [--pings N] [--daemon "ARGS"] [--netfront "ARGS"]
# Workloads: iperf3 TCP 1 stream guest->host and host->guest, UDP 64 B guest->host (unlimited rate),
# and ping guest->host every 10 ms. Needs root. Prints markdown.
set -euo pipefail

seconds=5 pings=500 daemon_args="" netfront_args=""
while [ $# -gt 0 ]; do
  case "$1" in
    --time) seconds=$2; shift 2 ;;
    --pings) pings=$2; shift 2 ;;
    --daemon) daemon_args=$2; shift 2 ;;
    --netfront) netfront_args=$2; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bounds.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
# The sampling window is the middle of each run (1 s off each end) and of the pings (1 s in).
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -ge 3 ]] || { echo "bounds.sh: --time must be an integer of at least 3" >&2; exit 2; }
[[ "$pings" =~ ^[0-9]+$ && "$pings" -ge 300 ]] || { echo "bounds.sh: --pings must be an integer of at least 300" >&2; exit 2; }

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../scripts/lib/netback.sh
. "$root/scripts/lib/netback.sh"
nb_require_root bench/bounds.sh
nb_install_missing iperf3:iperf3 python3:python3
nb_build_release "$root"

nb_bench_namespaces bounds nbo

nb_bench_vif "$daemon_args" "$netfront_args"
ip netns exec "$h" iperf3 -s -B "$net.1" -p 5201 >"$work/iperf-server.log" 2>&1 &
NB_PIDS+=("$!")
nb_wait_for 10 "the iperf3 server" sh -c "ip netns exec $h ss -Hltn 'sport = :5201' | grep -q ."
# Warm-up: the runtime compiles the hot paths again (tiered JIT) in their first seconds.
ip netns exec "$g" ping -c 300 -i 0.005 -q "$net.1" >/dev/null
ip netns exec "$g" iperf3 -c "$net.1" -p 5201 -t 2 >/dev/null 2>&1 || true

echo "## What bounds each figure (netback 1 queue; $(nproc) cores; load $(cut -d' ' -f1 /proc/loadavg); commit $(git -C "$root" rev-parse --short HEAD))"
echo
echo "netbackd: ${daemon_args:-defaults}; netfront: ${netfront_args:-defaults}; ${seconds} s per iperf3 workload, the window is its middle."
# How an idle CPU waits decides what a wake-up costs: on a VM a halted vCPU is woken through the host.
echo "cpuidle: $(cat /sys/devices/system/cpu/cpuidle/current_driver 2>/dev/null || echo none)" \
  "$([ -r /sys/module/haltpoll/parameters/guest_halt_poll_ns ] && echo "(guest_halt_poll_ns $(cat /sys/module/haltpoll/parameters/guest_halt_poll_ns))")"
echo

# busiest LABEL COMMAND...: runs COMMAND, samples the machine over its middle, prints the JSON line.
busiest() {
  local label=$1; shift
  "$@" >"$work/$label.out" 2>&1 &
  local w=$!
  sleep 1
  python3 "$root/bench/lib/threadcpu.py" --seconds "$((seconds - 2))" --top 6 --label "$label" >>"$work/threads.jsonl"
  wait "$w" || true
}
busiest "TCP 1 stream guest→host" ip netns exec "$g" iperf3 -c "$net.1" -p 5201 -t "$seconds"
busiest "TCP 1 stream host→guest" ip netns exec "$g" iperf3 -c "$net.1" -p 5201 -t "$seconds" -R
busiest "UDP 64 B guest→host" ip netns exec "$g" iperf3 -c "$net.1" -p 5201 -u -l 64 -b 0 -t "$seconds"
python3 - "$work/threads.jsonl" "$work" <<'PY'
import json, re, sys
work = sys.argv[2]
print("| workload | result | machine busy (cores) | busiest threads (process/thread: % of one core) |")
print("|---|---|---:|---|")
for line in open(sys.argv[1]):
    r = json.loads(line)
    out = open(f"{work}/{r['label']}.out").read()
    m = re.findall(r"([\d.]+ [GM]bits/sec).*receiver", out)
    res = m[-1] if m else "?"
    if "UDP" in r["label"]:
        pk = re.findall(r"(\d+)/(\d+) \(([\d.]+)%\)\s+receiver", out)
        if pk:
            lost, total, pct = pk[-1]
            res = f"{res}, {int(total) - int(lost)} of {total} datagrams received"
    threads = ", ".join(f"{t['process']}/{t['thread']}: {t['core_pct']}" for t in r["top"])
    print(f"| {r['label']} | {res} | {r['machine_busy_cores']} of {r['cores']} | {threads} |")
PY
echo

# Ping: the CPU and wake-ups of each thread on the round trip, per ping, over the pings' middle
# (/proc, no tracing: nothing slows the path down), beside the RTT median.
window=$(python3 -c "print(max(1.0, $pings * 0.01 - 2))")
ip netns exec "$g" ping -c "$pings" -i 0.01 "$net.1" >"$work/ping.out" 2>&1 &
pinger=$!
sleep 1
python3 "$root/bench/lib/threadcpu.py" --seconds "$window" --top 12 --label ping >"$work/ping-threads.json"
wait "$pinger" || true
echo "Ping guest→host every 10 ms, $pings pings; per ping over ${window} s of them (100 pings a second):"
echo
python3 - "$work/ping.out" "$work/ping-threads.json" "$window" <<'PY'
import json, re, statistics, sys
v = [float(x) for x in re.findall(r"time=([\d.]+) ms", open(sys.argv[1]).read())]
r = json.loads(open(sys.argv[2]).read())
pings = float(sys.argv[3]) * 100
print(f"RTT median {statistics.median(v) * 1000:.0f} µs ({len(v)} replies); machine busy {r['machine_busy_cores']} of {r['cores']} cores")
print()
print("| thread | CPU per ping (µs) | wake-ups per ping |")
print("|---|---:|---:|")
on_path = 0.0
for t in r["top"]:
    if t["wakeups"] < pings / 2:
        continue  # not woken for most pings: not on the round trip
    cpu = t["cpu_s"] * 1e6 / pings
    on_path += cpu
    print(f"| {t['process']}/{t['thread']} | {cpu:.0f} | {t['wakeups'] / pings:.2f} |")
print()
print(f"CPU on the round trip's threads: {on_path:.0f} µs per ping of the {statistics.median(v) * 1000:.0f} µs round trip; the rest is waiting to be woken and scheduled")
PY
