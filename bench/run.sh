#!/usr/bin/env bash
# The benchmark suite in one command (run as root): builds Release, installs what is missing, then
#   iperf  iperf3 TCP (1 and 4 streams, both directions) and UDP 64 B through: a veth pair (the
#          kernel's path), a naive socat relay between two TAPs, and netback (1 and 2 queues,
#          offloads on and off);
#   ring   the ring-only flood (ringflood against netbackd's null data path), 64 B and 1500 B, TX and
#          RX, beside a SOCK_SEQPACKET socketpair doing one send and one recv per frame;
#   micro  BenchmarkDotNet micro-benchmarks of the ring, header parser and control codec.
# Prints a markdown table of medians and writes bench/results/<utc-stamp>.{json,md}.
#   bench/run.sh [--runs N] [--time SECONDS] [--quick] [--only iperf|ring|micro] [--no-install]
# --runs: runs per figure, the median is reported (default 3); --time: seconds per iperf3 and ring
# run (default 5); --quick: 1 run of 2 s, for trying the suite out. Everything it creates
# (namespaces, TAPs, processes, temp files) is removed on exit, also on failure or Ctrl-C.
set -euo pipefail

runs=3 seconds=5 only=all install=1
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --time) seconds=$2; shift 2 ;;
    --quick) runs=1 seconds=2; shift ;;
    --only) only=$2; shift 2 ;;
    --no-install) install=0; shift ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$only" in all|iperf|ring|micro) ;; *) echo "run.sh: --only takes iperf, ring or micro" >&2; exit 2 ;; esac
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --runs must be a positive integer" >&2; exit 2; }
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --time must be a positive integer" >&2; exit 2; }

root=$(cd "$(dirname "$0")/.." && pwd)
bench=$root/bench
# shellcheck source=../scripts/lib/netback.sh
. "$root/scripts/lib/netback.sh"
nb_require_root bench/run.sh
[ "$install" = 0 ] || nb_install_missing ip:iproute2 iperf3:iperf3 socat:socat ethtool:ethtool python3:python3
nb_build_release "$root"
ringflood=$NB_BIN/Netback.RingFlood/release_linux-x64/ringflood
benchmarks=$NB_BIN/Netback.Benchmarks/release_linux-x64/netback-benchmarks

id=$(nb_unique_id)
net=$(nb_subnet "$id")
stamp=$(date -u +%Y%m%dT%H%M%SZ)
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
  # The relay's TAPs die with socat; a TAP left in the root namespace by an early failure does not.
  for dev in "nbb${id}a" "nbb${id}b"; do ip link del "$dev" 2>/dev/null || true; done
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
offloads_option=0
if "$NB_NETFRONT" attach --help 2>&1 | grep -q -- '--offloads'; then offloads_option=1; fi

if [ "$only" = all ] || [ "$only" = iperf ]; then
  bench_veth
  bench_socat
  if [ "$offloads_option" = 1 ]; then
    for q in 1 2; do for o in on off; do bench_netback "$q" "$o"; done; done
  else
    echo "==> netfront attach has no --offloads option yet: netback runs with its defaults, on/off rows are n/a"
    for q in 1 2; do bench_netback "$q" ""; done
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
  --offloads-option "$offloads_option" --out "$bench/results/$stamp"
echo "==> written bench/results/$stamp.json and bench/results/$stamp.md"
