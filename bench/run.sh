#!/usr/bin/env bash
# The benchmark suite in one command (run as root): builds Release, installs what is missing, then
#   paths  for every path -- a veth pair (the kernel's), a naive socat relay between two TAPs, a
#          vde_switch with two vde_plug2tap (the strongest userspace relay here), netback (1 and 2
#          queues, offloads on and off) -- ping RTT (median, p99), sockperf UDP 64 B ping-pong
#          RTT (p50, p99), iperf3 TCP 1 and 4 streams both ways with whole-machine CPU-s per GB,
#          and UDP 64 B received packets/s;
#   ring   the ring-only flood (ringflood against netbackd's null data path) beside the C ring.h
#          pair (ringh_pair) at ring-page-order 0, 2, 4, with the polling window against the pair's
#          spinning limit, RX and 1500 B rows, and a SOCK_SEQPACKET socketpair baseline;
#   micro  BenchmarkDotNet micro-benchmarks of the ring, header parser and control codec.
# Prints markdown tables of medians, ratios and targets, and writes bench/results/<utc-stamp>.{json,md}.
#   bench/run.sh [--runs N] [--time SECONDS] [--quick] [--only paths|ring|micro]
#                [--paths veth,socat,vde,netback] [--poll-us N] [--no-install]
# --runs: runs per figure, the median is reported (default 3); --time: seconds per iperf3,
# sockperf and ring run (default 5); --quick: 1 run of 2 s, for trying the suite out; --only: one
# part (iperf = paths); --paths: only these paths; --poll-us: the polling window for the netback
# paths (netbackd --Netback:PollMicroseconds N, netfront attach --poll-us N), applied where the
# binaries have the options. Everything it creates (namespaces, TAPs, processes, sockets, temp
# files) is removed on exit, also on failure or Ctrl-C.
set -euo pipefail

runs=3 seconds=5 only=all install=1 paths=veth,socat,vde,netback poll_us=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=${2:-}; shift 2 ;;
    --time) seconds=${2:-}; shift 2 ;;
    --quick) runs=1 seconds=2; shift ;;
    --only) only=${2:-}; shift 2 ;;
    --paths) paths=${2:-}; shift 2 ;;
    --poll-us) poll_us=${2:-}; shift 2 ;;
    --no-install) install=0; shift ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$only" in
  all|ring|micro) ;;
  paths|iperf) only=paths ;;
  *) echo "run.sh: --only takes paths (or iperf), ring or micro" >&2; exit 2 ;;
esac
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --runs must be a positive integer" >&2; exit 2; }
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --time must be a positive integer" >&2; exit 2; }
for p in ${paths//,/ }; do
  case "$p" in veth|socat|vde|netback) ;; *) echo "run.sh: --paths takes veth, socat, vde, netback (comma-separated)" >&2; exit 2 ;; esac
done
if [ -n "$poll_us" ] && ! [[ "$poll_us" =~ ^[0-9]+$ && "$poll_us" -le 10000 ]]; then
  echo "run.sh: --poll-us must be an integer 0..10000" >&2; exit 2
fi
# has_path NAME: NAME is in --paths.
has_path() { case ",$paths," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }

root=$(cd "$(dirname "$0")/.." && pwd)
bench=$root/bench
# shellcheck source=../scripts/lib/netback.sh
. "$root/scripts/lib/netback.sh"
nb_require_root bench/run.sh
[ "$install" = 0 ] || nb_install_missing ip:iproute2 iperf3:iperf3 socat:socat ethtool:ethtool python3:python3 \
  ping:iputils-ping sockperf:sockperf vde_switch:vde2 vde_plug2tap:vde2
nb_build_release "$root"
ringflood=$NB_BIN/Netback.RingFlood/release_linux-x64/ringflood
benchmarks=$NB_BIN/Netback.Benchmarks/release_linux-x64/netback-benchmarks

id=$(nb_unique_id)
net=$(nb_subnet "$id")
stamp=$(date -u +%Y%m%dT%H%M%SZ)
load_start=$(cut -d' ' -f1 /proc/loadavg)
work=$(mktemp -d /tmp/netback-bench.XXXXXX)
manifest=$work/manifest.jsonl
: >"$manifest"
namespaces=()
port=5201

. "$bench/lib/scenarios.sh"

cleanup() {
  status=$?
  trap - EXIT INT TERM
  nb_stop_all
  for ns in "${namespaces[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  # vde_switch daemonizes: if we died between its start and reading its pidfile, it is not in
  # NB_PIDS yet. Its pidfile names it (checked to still be vde_switch); it removes its sockets.
  if [ -s "$work/vde/switch.pid" ]; then
    vde=$(cat "$work/vde/switch.pid")
    if [ "$(cat "/proc/$vde/comm" 2>/dev/null)" = vde_switch ]; then nb_stop "$vde"; fi
  fi
  # The relays' TAPs die with socat and vde_plug2tap; a TAP left in the root namespace by an early
  # failure does not.
  for dev in "nbb${id}a" "nbb${id}b" "nbb${id}c" "nbb${id}d"; do ip link del "$dev" 2>/dev/null || true; done
  if [ $status -ne 0 ]; then
    for log in "$work"/*.log; do [ -f "$log" ] && { echo "--- $(basename "$log")"; tail -n 20 "$log"; }; done
  fi
  rm -rf "$work"
  left=$(ip netns list | grep -c "nbb-$id-" || true)
  echo "==> cleaned up (namespaces left: $left)"
  exit $status
}
trap cleanup EXIT INT TERM

echo "==> run $id: $runs run(s) per figure, ${seconds}s each, subnet $net.0/24, scratch $work"
# Options other worktrees are adding, detected rather than assumed: netfront attach's --offloads
# and --poll-us from its --help, ringflood's --poll-us from its --help, and netbackd's
# Netback:PollMicroseconds from its assembly (netbackd has no --help: it would start serving).
netfront_help=$("$NB_NETFRONT" attach --help 2>&1 || true)
offloads_option=0 front_poll=0 daemon_poll=0 ringflood_poll=0
grep -q -- '--offloads' <<<"$netfront_help" && offloads_option=1
grep -q -- '--poll-us' <<<"$netfront_help" && front_poll=1
grep -qaF PollMicroseconds "$NB_NETBACKD.dll" 2>/dev/null && daemon_poll=1
"$ringflood" --help 2>&1 | grep -q -- '--poll-us' && ringflood_poll=1
echo "    options: netfront --offloads $offloads_option, netfront --poll-us $front_poll," \
  "netbackd PollMicroseconds $daemon_poll, ringflood --poll-us $ringflood_poll"
if [ -n "$poll_us" ]; then
  [ "$daemon_poll" = 1 ] || echo "==> --poll-us $poll_us: netbackd has no Netback:PollMicroseconds, not applied to the daemon"
  [ "$front_poll" = 1 ] || echo "==> --poll-us $poll_us: netfront attach has no --poll-us, not applied to the guest"
fi

if [ "$only" = all ] || [ "$only" = paths ]; then
  has_path veth && bench_veth
  has_path socat && bench_socat
  has_path vde && bench_vde
  if has_path netback; then
    if [ "$offloads_option" = 1 ]; then
      for q in 1 2; do for o in on off; do bench_netback "$q" "$o"; done; done
    else
      echo "==> netfront attach has no --offloads option yet: netback runs with its defaults, on/off rows are n/a"
      for q in 1 2; do bench_netback "$q" ""; done
    fi
  fi
fi
if [ "$only" = all ] || [ "$only" = ring ]; then
  bench_ring
fi
if [ "$only" = all ] || [ "$only" = micro ]; then
  bench_micro
fi

mkdir -p "$bench/results"
python3 "$bench/lib/report.py" --manifest "$manifest" --runs "$runs" --seconds "$seconds" \
  --stamp "$stamp" --commit "$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  --offloads-option "$offloads_option" --poll-us "${poll_us:-}" --daemon-poll "$daemon_poll" \
  --front-poll "$front_poll" --load-start "$load_start" --out "$bench/results/$stamp"
echo "==> written bench/results/$stamp.json and bench/results/$stamp.md"
