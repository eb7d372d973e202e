#!/usr/bin/env bash
# The two experiments of issue 12's "each a switch" (run as root, after a Release build):
#   txcopy  guest-TX data access, tx-copy=direct|bounce|map, with ringflood --mode tx at 64 B,
#           1500 B and 64 KiB frames, against netbackd's null data path (no TAP: the frame's pages
#           are mapped and its first 256 bytes copied, never read further) and against its real TAP
#           (up, in a private namespace: the kernel reads every byte and drops the frame);
#   layout  the ring layouts xen, cacheline, cacheline-slot at equal slot counts (256 at order 0),
#           64 B TX against the null data path, producer (ringflood-q0) and consumer (the daemon's
#           <vif>-q0) pinned to the same CPU or to two.
# Prints one line per run (the ringflood JSON's key figures) and the median of --runs per row.
# tx-copy=map rows also print the queue's tx-maps and tx-unmaps per packet (netbackctl show mid-run).
#   bench/txcopy-layout.sh [--runs N] [--time S] [--only txcopy|layout] [--paths "null tap"] [--modes "direct bounce map"]
set -euo pipefail
runs=3 seconds=3 only=all paths="null tap" modes="direct bounce map"
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --time) seconds=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --paths) paths=$2; shift 2 ;;
    --modes) modes=$2; shift 2 ;;
    *) echo "txcopy-layout.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../scripts/lib/netback.sh
. "$root/scripts/lib/netback.sh"
nb_require_root bench/txcopy-layout.sh
NB_BIN=$root/artifacts/bin
NB_NETBACKD=$NB_BIN/Netback.Daemon/release_linux-x64/netbackd
NB_NETBACKCTL=$NB_BIN/Netback.Ctl/release_linux-x64/netbackctl
NB_SCRIPTS=$root/scripts/hotplug # vif-bridge brings the TAP up (no bridge= given)
ringflood=$NB_BIN/Netback.RingFlood/release_linux-x64/ringflood
id=$(nb_unique_id)
ns=nb-txl-$id
work=$(mktemp -d /tmp/netback-txl.XXXXXX)
cleanup() {
  nb_stop_all
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
ip netns add "$ns"
ip -n "$ns" link set lo up
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"

# median of the numbers on stdin
median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) print "n/a"; else if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# flood LABEL ARGS...: runs ringflood --runs times, prints each run and the medians.
flood() {
  local label=$1; shift
  : >"$work/rows"
  for r in $(seq "$runs"); do
    local out rc=0
    ip netns exec "$ns" "$ringflood" --socket "$work/nb.sock" --mode tx --seconds "$seconds" --warmup 1 \
      --daemon-pid "$NB_NETBACKD_PID" "$@" >"$work/out" 2>>"$work/ringflood.err" &
    local flood_pid=$!
    if [ "$r" = 1 ] && [[ "$label" == *map* ]]; then
      # The vif lives only while ringflood does: its counters are read mid-run.
      sleep $((1 + seconds / 2))
      local vif
      vif=$("$NB_NETBACKCTL" --admin-socket "$work/admin.sock" list 2>/dev/null | awk '$1 ~ /^vif/ {print $1; exit}')
      "$NB_NETBACKCTL" --admin-socket "$work/admin.sock" show "$vif" --json 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin); q = d["queues"][0]["stats"]
p = max(q["tx-packets"], 1)
print("    mid-run: tx-packets %d tx-maps %d (%.2f/packet) tx-unmaps %d (%.3f/packet)" % (q["tx-packets"], q["tx-maps"], q["tx-maps"] / p, q["tx-unmaps"], q["tx-unmaps"] / p))' || true
    fi
    wait "$flood_pid" || rc=$?
    out=$(cat "$work/out")
    [ "$rc" = 0 ] || { echo "$label run $r FAILED: $out $(tail -2 "$work/ringflood.err")"; continue; }
    echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["pps"], d["gbps"], d["cpu_ns_per_packet"], d["cpu_daemon_ns_per_packet"], d["cpu_client_ns_per_packet"], d["ring_slots"])' >>"$work/rows"
  done
  printf '%-44s Mpps %-8s Gbit/s %-8s cpu ns/pkt %-9s (daemon %-9s client %-9s) slots %s\n' "$label" \
    "$(awk '{print $1/1e6}' "$work/rows" | median)" "$(awk '{print $2}' "$work/rows" | median)" \
    "$(awk '{print $3}' "$work/rows" | median)" "$(awk '{print $4}' "$work/rows" | median)" \
    "$(awk '{print $5}' "$work/rows" | median)" "$(awk '{print $6}' "$work/rows" | median)"
}

# daemon SPEC [ARGS...]: a fresh netbackd with that default vifspec.
daemon() {
  local spec=$1; shift
  [ -z "${NB_NETBACKD_PID:-}" ] || nb_stop "$NB_NETBACKD_PID"
  rm -f "$work/nb.sock"
  nb_start_netbackd "$ns" "$work/nb.sock" "$work/netbackd.log" --Netback:DefaultVifSpec "$spec" "$@"
}

if [ "$only" = all ] || [ "$only" = txcopy ]; then
  for path in $paths; do
    for mode in $modes; do
      if [ "$path" = null ]; then
        daemon "mtu=65517,tx-copy=$mode" --Netback:NullDataPath true
      else
        # The TAP must be up for writes to succeed: the checkout's vif-bridge script brings it up.
        daemon "mtu=65517,tx-copy=$mode"
      fi
      for size in 64 1500 65535; do
        flood "txcopy $path tx-copy=$mode ${size}B" --size "$size"
      done
    done
  done
fi
if [ "$only" = all ] || [ "$only" = layout ]; then
  daemon "mtu=1500" --Netback:NullDataPath true
  for cpus in "0 0" "0 1"; do
    set -- $cpus
    for layout in xen cacheline cacheline-slot; do
      flood "layout $layout producer-cpu $1 consumer-cpu $2" --size 64 --layout "$layout" --producer-cpu "$1" --consumer-cpu "$2"
    done
  done
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
