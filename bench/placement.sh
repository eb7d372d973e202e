#!/usr/bin/env bash
# Placement and event suppression, measured briefly: for each configuration, a ping run (RTT) and a
# short UDP 64 B iperf3 flood, then the vif's counters from netbackctl show: notifications the
# backend sent (calls) and received (kicks) per packet.
#   bench/placement.sh [--pings N] [--time SECONDS] [--config "LABEL|DAEMON ARGS|NETFRONT ARGS"]...
# Default configurations: suppression on/off on both sides; placement none, same-cpu, other-cpu
# with the relay pinned to CPU 0. Needs root and iperf3.
set -euo pipefail
pings=300 seconds=2 configs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --pings) pings=$2; shift 2 ;;
    --time) seconds=$2; shift 2 ;;
    --config) configs+=("$2"); shift 2 ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "placement.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ ${#configs[@]} -gt 0 ] || configs=(
  "suppression on||"
  "suppression off (both)|--Netback:EventSuppression false|--no-event-suppression"
  "placement none, relay on cpu 0||--cpus 0"
  "placement same-cpu, relay on cpu 0|--Netback:Placement same-cpu|--cpus 0"
  "placement other-cpu, relay on cpu 0|--Netback:Placement other-cpu|--cpus 0"
)
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../scripts/lib/netback.sh
. "$root/scripts/lib/netback.sh"
nb_require_root bench/placement.sh
nb_install_missing iperf3:iperf3
nb_build_release "$root"
nb_bench_namespaces placement nbp
# q0 KEY FILE: queue 0's value at KEY (a/b/c) in a `netbackctl show --json` file.
q0() { python3 -c 'import json,sys; v=json.load(open(sys.argv[2]))["queues"][0]
for k in sys.argv[1].split("/"): v=v[k]
print(v)' "$1" "$2"; }
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| configuration | ping RTT avg / mdev (ms) | UDP 64 B pkts | calls/pkt | kicks/pkt | worker affinity |"
echo "|---|---|---|---|---|---|"
for c in "${configs[@]}"; do
  IFS='|' read -r label dargs fargs <<<"$c"
  ip netns add "$h"; ip netns add "$g"; ip -n "$h" link set lo up; ip -n "$g" link set lo up
  # shellcheck disable=SC2086 # the extra arguments are words
  nb_start_netbackd "$h" "$work/nb.sock" "$work/netbackd.log" --Netback:StateDirectory "$work/state" $dargs
  # shellcheck disable=SC2086
  nb_attach_guest "$g" "$work/nb.sock" "$work/netfront.log" --name eth0 --address "$net.2/24" $fargs
  ip -n "$h" addr add "$net.1/24" dev "$NB_VIF"; ip -n "$h" link set "$NB_VIF" up
  nb_wait_for 10 "a path to the host" ip netns exec "$g" ping -c 1 -W 1 "$net.1"
  ip netns exec "$g" ping -c 200 -i 0.005 -q "$net.1" >/dev/null # warm-up (tiered JIT)
  rtt=$(ip netns exec "$g" ping -c "$pings" -i 0.005 -q "$net.1" | awk -F'[/ ]' '/^rtt/ {print $8 " / " $10}')
  ip netns exec "$h" iperf3 -s -1 -B "$net.1" -p 5203 >/dev/null 2>&1 &
  NB_PIDS+=("$!")
  nb_wait_for 10 "the iperf3 server" sh -c "ip netns exec $h ss -Hltn 'sport = :5203' | grep -q ."
  "$NB_NETBACKCTL" --admin-socket "$work/admin.sock" show "$NB_VIF" --json >"$work/show.before"
  ip netns exec "$g" iperf3 -c "$net.1" -p 5203 -u -l 64 -b 0 -t "$seconds" >/dev/null 2>&1 || true
  "$NB_NETBACKCTL" --admin-socket "$work/admin.sock" show "$NB_VIF" --json >"$work/show.after"
  d() { echo $(( $(q0 "$1" "$work/show.after") - $(q0 "$1" "$work/show.before") )); }
  pkts=$(( $(d stats/tx-packets) + $(d stats/rx-packets) ))
  calls=$(d stats/notifications-sent); kicks=$(d stats/notifications-received)
  aff=$(q0 worker/affinity "$work/show.after")
  printf '| %s | %s | %d | %s | %s | %s |\n' "$label" "$rtt" "$pkts" \
    "$(awk -v a="$calls" -v b="$pkts" 'BEGIN {printf "%.3f", b ? a / b : 0}')" \
    "$(awk -v a="$kicks" -v b="$pkts" 'BEGIN {printf "%.3f", b ? a / b : 0}')" "$aff"
  nb_stop_all
  ip netns del "$g"; ip netns del "$h"
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
