#!/usr/bin/env bash
# The main job, end to end: start netbackd, make a network namespace a guest with
# `netfront attach`, and run ping and iperf3 (TCP, both directions) over the paravirtual NIC.
# Everything it creates (namespaces, TAPs, processes, temp files) is removed on exit, also on
# failure or Ctrl-C. Run as root: sudo scripts/demo.sh [--time SECONDS] [--queues N]
#   [--ring-page-order K] [--layout xen|cacheline] [--mtu BYTES] [--no-install]
set -euo pipefail

seconds=5 queues=1 order=0 layout=xen mtu=1500 install=1
while [ $# -gt 0 ]; do
  case "$1" in
    --time) seconds=$2; shift 2 ;;
    --queues) queues=$2; shift 2 ;;
    --ring-page-order) order=$2; shift 2 ;;
    --layout) layout=$2; shift 2 ;;
    --mtu) mtu=$2; shift 2 ;;
    --no-install) install=0; shift ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "demo.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

if [ "$(id -u)" -ne 0 ]; then
  echo "demo.sh: needs root (network namespaces and TAP devices): sudo $0" >&2
  exit 1
fi
root=$(cd "$(dirname "$0")/.." && pwd)

if [ "$install" = 1 ]; then
  missing=()
  for tool in ip:iproute2 iperf3:iperf3 ping:iputils-ping; do
    command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool##*:}")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "==> installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi
command -v dotnet >/dev/null || { echo "demo.sh: the .NET 10 SDK (dotnet) is required" >&2; exit 1; }
[ -e /dev/net/tun ] || modprobe tun 2>/dev/null || true

echo "==> building (Release)"
dotnet build "$root/Netback.sln" -c Release -v quiet -nologo -clp:ErrorsOnly >/dev/null
bin=$root/artifacts/bin
netbackd=$bin/Netback.Daemon/release_linux-x64/netbackd
netfront=$bin/Netfront.Cli/release_linux-x64/netfront
netbackctl=$bin/Netback.Ctl/release_linux-x64/netbackctl

id=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
host_ns=nbdemo-h-$id guest_ns=nbdemo-g-$id
net=10.$((16#${id:0:2} % 200 + 20)).$((16#${id:2:2})) # a /24 that exists only inside these namespaces
work=$(mktemp -d /tmp/netback-demo.XXXXXX)
pids=()

cleanup() {
  status=$?
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  ip netns del "$guest_ns" 2>/dev/null || true
  ip netns del "$host_ns" 2>/dev/null || true
  if [ $status -ne 0 ]; then
    echo "--- netbackd log"; cat "$work/netbackd.log" 2>/dev/null || true
    echo "--- netfront log"; cat "$work/netfront.log" 2>/dev/null || true
  fi
  rm -rf "$work"
  left=$(ip netns list | grep -c "nbdemo-.-$id" || true)
  echo "==> cleaned up (namespaces left: $left)"
  exit $status
}
trap cleanup EXIT INT TERM

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local limit=$1 what=$2; shift 2
  for _ in $(seq $((limit * 10))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "demo.sh: timed out waiting for $what" >&2; return 1
}

echo "==> namespaces: host side $host_ns, guest $guest_ns, subnet $net.0/24"
ip netns add "$host_ns"
ip netns add "$guest_ns"
ip -n "$host_ns" link set lo up
ip -n "$guest_ns" link set lo up

echo "==> starting netbackd in $host_ns"
ip netns exec "$host_ns" "$netbackd" --socket "$work/netback.sock" --admin-socket "$work/admin.sock" >"$work/netbackd.log" 2>&1 &
pids+=($!)
wait_for 20 "netbackd's socket" test -S "$work/netback.sock"

echo "==> netfront attach in $guest_ns (queues $queues, ring-page-order $order, layout $layout, mtu $mtu)"
ip netns exec "$guest_ns" "$netfront" attach --socket "$work/netback.sock" --name eth0 \
  --address "$net.2/24" --queues "$queues" --ring-page-order "$order" --layout "$layout" \
  --vif "mtu=$mtu" >"$work/netfront.log" 2>&1 &
pids+=($!)
wait_for 20 "netfront to attach" grep -q '^attached ' "$work/netfront.log"
vif=$(awk '/^attached /{print $2; exit}' "$work/netfront.log")
sed -n 's/^/    /p' "$work/netfront.log"
ip -n "$host_ns" addr add "$net.1/24" dev "$vif"
ip -n "$host_ns" link set "$vif" up

echo "==> ping through $vif"
ip netns exec "$guest_ns" ping -c 3 -i 0.2 -W 2 "$net.1"

port=5201
ip netns exec "$host_ns" iperf3 -s -B "$net.1" -p $port >"$work/iperf3-server.log" 2>&1 &
pids+=($!)
wait_for 10 "the iperf3 server" ip netns exec "$guest_ns" bash -c "exec 3<>/dev/tcp/$net.1/$port"
sleep 0.5

run_iperf() { # run_iperf LABEL [-R]
  local label=$1; shift
  echo "==> iperf3 TCP $label, ${seconds}s"
  ip netns exec "$guest_ns" iperf3 -c "$net.1" -p $port -t "$seconds" -f g "$@" | tee "$work/iperf3-$label.txt" | grep -E 'sender|receiver'
  awk -v l="$label" '/receiver/{for(i=1;i<=NF;i++) if($i=="Gbits/sec"){print l": "$(i-1)" Gbit/s"}}' "$work/iperf3-$label.txt" >>"$work/summary.txt"
}
run_iperf "guest->host"
run_iperf "host->guest" -R

echo "==> netbackctl list"
"$netbackctl" --admin-socket "$work/admin.sock" list | sed 's/^/    /'

echo
echo "==> summary (vif $vif, mtu $mtu, queues $queues, ring-page-order $order, layout $layout)"
cat "$work/summary.txt"
