#!/usr/bin/env bash
# The fault-handling figures of issue 4 in one command (run as root): builds Release, installs what is
# missing, then, each --runs times, with netbackd in a "host" namespace and `netfront attach` in a
# "guest" namespace:
#   reconnect  ping every 20 ms from the guest to a bridge in the host that holds the vif; SIGTERM
#              netbackd, start it again; the outage is the longest gap between two ping replies
#              (also: old daemon's exit, new daemon listening, netfront's "reconnected" line);
#              --activation hand: the daemon binds its socket; socket: socket-activated, the socket
#              held across the restart (bench/lib/socket_hold.py, as netback.socket); both (default);
#   rate       iperf3 TCP guest->host with rate=10Mb/s and rate=500Mb/s, each set as the vifspec at
#              attach and live with netbackctl, and unlimited (rate=none); error % of the receiver's
#              bits/s against the configured rate (target within 10%);
#   sigkill    SIGKILL netfront under iperf3: time until the vif TAP is gone from the host (< 1 s);
#   sigterm    SIGTERM netbackd under iperf3 (netfront --no-reconnect): time to exit (< 2 s), status.
# Prints a markdown table of medians and writes bench/results/faults-<utc-stamp>.{json,md}.
#   bench/faults.sh [--runs N] [--time SECONDS] [--only LIST] [--activation hand|socket|both]
#                   [--ready-to-run] [--composite] [--aot] [--no-build] [--no-install]
# --ready-to-run: the binaries dotnet publish precompiles (artifacts/publish/…), not the build's.
# --composite: as --ready-to-run, but netbackd self-contained with the runtime in one ReadyToRun
# composite image (-p:NetbackComposite=true, artifacts/publish/…_composite/; a publish of minutes).
# --aot: as --ready-to-run, but netbackd Native AOT (-p:NetbackAot=true, artifacts/publish/…_aot/;
# needs clang), as the systemd install publishes it.
# --only: comma-separated scenarios to run (reconnect,rate,sigkill,sigterm; default all).
# --runs: runs of each scenario, the median and every run are reported (default 3); --time: iperf3
# seconds per rate figure, after a 1 s warm-up (default 5). Everything it creates (namespaces,
# processes, temp files) is removed on exit, also on failure or Ctrl-C.
set -euo pipefail

runs=3 seconds=5 build=1 install=1 only=reconnect,rate,sigkill,sigterm activation=both r2r=0 composite=0 aot=0
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --time) seconds=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --activation) activation=$2; shift 2 ;;
    --ready-to-run) r2r=1; shift ;;
    --composite) r2r=1 composite=1; shift ;;
    --aot) r2r=1 aot=1; shift ;;
    --no-build) build=0; shift ;;
    --no-install) install=0; shift ;;
    -h|--help) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "faults.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "faults.sh: --runs must be a positive integer" >&2; exit 2; }
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "faults.sh: --time must be a positive integer" >&2; exit 2; }
case "$activation" in hand|socket|both) ;; *) echo "faults.sh: --activation must be hand, socket or both" >&2; exit 2 ;; esac
wants() { case ",$only," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }

root=$(cd "$(dirname "$0")/.." && pwd)
bench=$root/bench
# shellcheck source=../scripts/lib/netback.sh
. "$root/scripts/lib/netback.sh"
nb_require_root bench/faults.sh
[ "$install" = 0 ] || nb_install_missing ip:iproute2 iperf3:iperf3 ping:iputils-ping python3:python3
if [ "$build" = 1 ]; then
  nb_build_release "$root"
else
  NB_BIN=$root/artifacts/bin
  NB_NETBACKD=$NB_BIN/Netback.Daemon/release_linux-x64/netbackd
  NB_NETFRONT=$NB_BIN/Netfront.Cli/release_linux-x64/netfront
  NB_NETBACKCTL=$NB_BIN/Netback.Ctl/release_linux-x64/netbackctl
  NB_SCRIPTS=$root/scripts/hotplug
  for b in "$NB_NETBACKD" "$NB_NETFRONT" "$NB_NETBACKCTL"; do
    [ -x "$b" ] || { echo "faults.sh: $b is missing: build Release or drop --no-build" >&2; exit 1; }
  done
fi

if [ "$r2r" = 1 ]; then
  for p in Netback.Daemon Netfront.Cli Netback.Ctl; do
    if [ "$build" = 1 ]; then
      echo "==> publishing $p (ReadyToRun)"
      extra=()
      [ "$composite" = 1 ] && [ "$p" = Netback.Daemon ] && extra=(-p:NetbackComposite=true)
      [ "$aot" = 1 ] && [ "$p" = Netback.Daemon ] && extra=(-p:NetbackAot=true)
      dotnet publish "$root/src/$p" -c Release -p:PublishReadyToRun=true "${extra[@]}" -v quiet -nologo -clp:ErrorsOnly >/dev/null
    fi
  done
  pivot=release_linux-x64
  [ "$composite" = 0 ] || pivot=release_linux-x64_composite
  [ "$aot" = 0 ] || pivot=release_linux-x64_aot
  NB_NETBACKD=$root/artifacts/publish/Netback.Daemon/$pivot/netbackd
  NB_NETFRONT=$root/artifacts/publish/Netfront.Cli/release_linux-x64/netfront
  NB_NETBACKCTL=$root/artifacts/publish/Netback.Ctl/release_linux-x64/netbackctl
  for b in "$NB_NETBACKD" "$NB_NETFRONT" "$NB_NETBACKCTL"; do
    [ -x "$b" ] || { echo "faults.sh: $b is missing: dotnet publish it or drop --no-build" >&2; exit 1; }
  done
fi

if [ "$aot" = 1 ]; then NB_BINARIES="netbackd Native AOT (dotnet publish -p:NetbackAot=true), netfront and netbackctl ReadyToRun"
elif [ "$composite" = 1 ]; then NB_BINARIES="ReadyToRun, netbackd self-contained composite (dotnet publish -p:NetbackComposite=true)"
elif [ "$r2r" = 1 ]; then NB_BINARIES="ReadyToRun (dotnet publish)"
else NB_BINARIES="JIT (dotnet build)"; fi
export NB_BINARIES # named in the report
id=$(nb_unique_id)
net=$(nb_subnet "$id")
stamp=$(date -u +%Y%m%dT%H%M%SZ)
NB_LOAD_START=$(cut -d" " -f1 /proc/loadavg)
export NB_LOAD_START # the machine is shared: the report gives its load
work=$(mktemp -d /tmp/netback-faults.XXXXXX)
manifest=$work/manifest.jsonl
: >"$manifest"
namespaces=()
port=5201

# new_ns, drop_ns, listening
. "$bench/lib/scenarios.sh"
. "$bench/lib/faults.sh"

cleanup() {
  status=$?
  trap - EXIT INT TERM
  nb_stop_all
  for ns in "${namespaces[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  if [ $status -ne 0 ]; then
    for log in "$work"/*/*.log "$work"/*.log; do [ -f "$log" ] && { echo "--- $log"; tail -n 20 "$log"; }; done
  fi
  rm -rf "$work"
  left=$(ip netns list | grep -c "nbf-$id-" || true)
  echo "==> cleaned up (namespaces left: $left)"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT # an interrupted run exits non-zero, through the cleanup
trap 'exit 143' TERM

echo "==> faults run $id: $runs run(s), iperf3 ${seconds}s per rate figure, subnet $net.0/24, scratch $work"
for r in $(seq "$runs"); do
  echo "==> run $r of $runs"
  if wants reconnect; then
    [ "$activation" = socket ] || fault_reconnect "$r" hand
    [ "$activation" = hand ] || fault_reconnect "$r" socket
  fi
  if wants rate; then fault_rate "$r"; fi
  if wants sigkill; then fault_sigkill "$r"; fi
  if wants sigterm; then fault_sigterm "$r"; fi
done

mkdir -p "$bench/results"
python3 "$bench/lib/faults_report.py" --manifest "$manifest" --runs "$runs" --seconds "$seconds" \
  --stamp "$stamp" --commit "$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  --out "$bench/results/faults-$stamp"
echo "==> written bench/results/faults-$stamp.json and bench/results/faults-$stamp.md"
