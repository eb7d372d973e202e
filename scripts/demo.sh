#!/usr/bin/env bash
# The main job, end to end: start netbackd, make a network namespace a guest with
# `netfront attach`, and run ping and iperf3 (TCP, both directions) over the paravirtual NIC.
# Everything it creates (namespaces, TAPs, processes, temp files) is removed on exit, also on
# failure or Ctrl-C. Run as root: sudo scripts/demo.sh [--time SECONDS] [--queues N]
#   [--ring-page-order K] [--layout xen|cacheline] [--mtu BYTES] [--offloads on|off]
#   [--vif "KEY=VALUE,..."] (extra vifspec keys, e.g. tx-copy=bounce or rate=100Mb/s) [--no-install]
set -euo pipefail

seconds=5 queues=1 order=0 layout=xen mtu=1500 offloads=on vifspec= install=1
while [ $# -gt 0 ]; do
  case "$1" in
    --time) seconds=$2; shift 2 ;;
    --queues) queues=$2; shift 2 ;;
    --ring-page-order) order=$2; shift 2 ;;
    --layout) layout=$2; shift 2 ;;
    --mtu) mtu=$2; shift 2 ;;
    --offloads) offloads=$2; shift 2 ;;
    --vif) vifspec=",$2"; shift 2 ;;
    --no-install) install=0; shift ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "demo.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib/netback.sh
. "$root/scripts/lib/netback.sh"
nb_require_root demo.sh
[ "$install" = 0 ] || nb_install_missing ip:iproute2 iperf3:iperf3 ping:iputils-ping
nb_build_release "$root"

id=$(nb_unique_id)
host_ns=nbdemo-h-$id guest_ns=nbdemo-g-$id
net=$(nb_subnet "$id") # a /24 that exists only inside these namespaces
work=$(mktemp -d /tmp/netback-demo.XXXXXX)

cleanup() {
  status=$?
  trap - EXIT INT TERM
  nb_stop_all
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

echo "==> namespaces: host side $host_ns, guest $guest_ns, subnet $net.0/24"
ip netns add "$host_ns"
ip netns add "$guest_ns"
ip -n "$host_ns" link set lo up
ip -n "$guest_ns" link set lo up

echo "==> starting netbackd in $host_ns"
nb_start_netbackd "$host_ns" "$work/netback.sock" "$work/netbackd.log"

echo "==> netfront attach in $guest_ns (queues $queues, ring-page-order $order, layout $layout, mtu $mtu, offloads $offloads${vifspec:+, vifspec ${vifspec#,}})"
nb_attach_guest "$guest_ns" "$work/netback.sock" "$work/netfront.log" --name eth0 \
  --address "$net.2/24" --queues "$queues" --ring-page-order "$order" --layout "$layout" \
  --offloads "$offloads" --vif "mtu=$mtu$vifspec"
vif=$NB_VIF
sed -n 's/^/    /p' "$work/netfront.log"
ip -n "$host_ns" addr add "$net.1/24" dev "$vif"
ip -n "$host_ns" link set "$vif" up

echo "==> ping through $vif"
ip netns exec "$guest_ns" ping -c 3 -i 0.2 -W 2 "$net.1"

port=5201
ip netns exec "$host_ns" iperf3 -s -B "$net.1" -p $port >"$work/iperf3-server.log" 2>&1 &
NB_PIDS+=($!)
nb_wait_for 10 "the iperf3 server" ip netns exec "$guest_ns" bash -c "exec 3<>/dev/tcp/$net.1/$port"
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
"$NB_NETBACKCTL" --admin-socket "$work/admin.sock" list | sed 's/^/    /'

echo
echo "==> summary (vif $vif, mtu $mtu, queues $queues, ring-page-order $order, layout $layout, offloads $offloads${vifspec:+, vifspec ${vifspec#,}})"
cat "$work/summary.txt"
