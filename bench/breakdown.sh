#!/usr/bin/env bash
# Where a packet's time goes: per packet, on each side (netfront and netbackd), the system calls by
# kind, the context switches (a thread that sleeps and is woken: two per wake-up) and the CPU time,
# for a ping round trip and for a UDP 64 B flood. Counted by perf's syscall tracepoints over exactly
# the workload, per process (negligible overhead: no ptrace).
#   bench/breakdown.sh [--pings N] [--time SECONDS] [--daemon "ARGS"] [--netfront "ARGS"] [--label TEXT]
# e.g. bench/breakdown.sh --daemon "--Netback:PollMicroseconds 50" --netfront "--poll-us 50" --label "poll 50"
# Prints a markdown table; needs root, perf (linux-perf) and tracefs (mounted if missing).
set -euo pipefail

pings=200 seconds=3 daemon_args="" netfront_args="" label=""
while [ $# -gt 0 ]; do
  case "$1" in
    --pings) pings=$2; shift 2 ;;
    --time) seconds=$2; shift 2 ;;
    --daemon) daemon_args=$2; shift 2 ;;
    --netfront) netfront_args=$2; shift 2 ;;
    --label) label=$2; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "breakdown.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../scripts/lib/netback.sh
. "$root/scripts/lib/netback.sh"
nb_require_root bench/breakdown.sh
nb_install_missing perf:linux-perf iperf3:iperf3 python3:python3
[ -e /sys/kernel/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing
nb_build_release "$root"

nb_bench_namespaces breakdown nbk

nb_bench_vif "$daemon_args" "$netfront_args"

# Warm up first: the runtime compiles the hot paths again (tiered JIT) in their first seconds.
ip netns exec "$g" ping -c 300 -i 0.005 -q "$net.1" >/dev/null
ip netns exec "$h" iperf3 -s -1 -B "$net.1" -p 5202 >/dev/null 2>&1 &
NB_PIDS+=("$!")
nb_wait_for 10 "the warm-up iperf3 server" sh -c "ip netns exec $h ss -Hltn 'sport = :5202' | grep -q ."
ip netns exec "$g" iperf3 -c "$net.1" -p 5202 -u -l 64 -b 0 -t 1 >/dev/null 2>&1 || true

events=context-switches,task-clock
for s in epoll_wait epoll_pwait readv writev read write io_uring_enter futex sendmsg recvmsg; do
  events+=",syscalls:sys_enter_$s"
done

# measure NAME PACKETS_CMD WORKLOAD...: perf stat on both processes while WORKLOAD runs.
measure() {
  local name=$1; shift
  perf stat -x, -e "$events" -p "$NB_NETFRONT_PID" -o "$work/$name-netfront.csv" &
  local p1=$!
  perf stat -x, -e "$events" -p "$NB_NETBACKD_PID" -o "$work/$name-netbackd.csv" &
  local p2=$!
  sleep 0.5
  "$@" >"$work/$name.out" 2>&1 || true
  kill -INT "$p1" "$p2"; wait "$p1" "$p2" 2>/dev/null || true
}

# Ping: one guest->host round trip per packet (the request out, the reply back).
measure ping ip netns exec "$g" ping -c "$pings" -i 0.01 "$net.1"
# UDP 64 B: guest->host flood, per packet the host received.
ip netns exec "$h" iperf3 -s -1 -B "$net.1" -p 5201 >"$work/iperf-server.log" 2>&1 &
NB_PIDS+=("$!")
nb_wait_for 10 "the iperf3 server" sh -c "ip netns exec $h ss -Hlun 'sport = :5201' | grep -q . || ip netns exec $h ss -Hltn 'sport = :5201' | grep -q ."
measure udp64 ip netns exec "$g" iperf3 -c "$net.1" -p 5201 -u -l 64 -b 0 -t "$seconds" -J

python3 "$root/bench/lib/breakdown.py" "$work" "${label:-daemon: ${daemon_args:-defaults}; netfront: ${netfront_args:-defaults}}"
