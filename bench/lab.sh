#!/usr/bin/env bash
# The lab (issue 12): one command, as root, that answers the roadmap's questions
# (/work/shared/seeds/xen-network-future-plan.txt) with real traffic -- iperf3 and ping through
# `netfront attach` guests and the daemon's TAPs, ringflood for ring-only figures -- and writes
# bench/results/lab-<stamp>/ with report.md, charts/*.png (bench/Netback.LabReport, ScottPlot),
# results.jsonl and meta.json (the figures), raw/ (every iperf3 -J, ping, ringflood and
# netbackctl stats output) and lab.log.
#   bench/lab.sh [--quick] [--runs N] [--time SECONDS] [--only LIST] [--out DIR] [--publish DIR]
#                [--no-install] [--no-build]
# Sections (--only takes a comma-separated subset): fairness, events, ring-order, layout, txcopy,
# notifications, placement, scale. --quick: 1 run of 2 s per figure and fewer conditions (about
# 5 minutes; the report says it is quick); default: 3 runs of 5 s (at most 40 minutes). --out: the
# results directory (default bench/results/lab-<stamp>). --publish DIR: also writes DIR/lab-report.md
# with its charts, results.jsonl and meta.json in DIR/lab/ (e.g. --publish docs for the committed
# report). Switches other branches are adding are detected at start (netbackd refusing a bad value,
# the tools' --help); a section whose switch is missing says "not measured: switch not built". A
# failing section is marked failed with its error and the lab goes on. --no-build: take the
# Release build as it is (artifacts/bin). Everything it creates
# (namespaces, bridges, TAPs, daemons, guests, iperf3) is removed on exit, also on failure or Ctrl-C.
set -euo pipefail

quick=0 runs="" seconds="" only="" install=1 build=1 out="" publish=""
all_sections="fairness events ring-order layout txcopy notifications placement scale"
command_line="bench/lab.sh $*"
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1; shift ;;
    --runs) runs=${2:-}; shift 2 ;;
    --time) seconds=${2:-}; shift 2 ;;
    --only) only=${2:-}; shift 2 ;;
    --out) out=${2:-}; shift 2 ;;
    --publish) publish=${2:-}; shift 2 ;;
    --no-install) install=0; shift ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "lab.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -n "$runs" ] || runs=$([ "$quick" = 1 ] && echo 1 || echo 3)
[ -n "$seconds" ] || seconds=$([ "$quick" = 1 ] && echo 2 || echo 5)
[[ "$runs" =~ ^[1-9][0-9]?$ ]] || { echo "lab.sh: --runs must be 1..99" >&2; exit 2; }
[[ "$seconds" =~ ^[1-9][0-9]?$ ]] || { echo "lab.sh: --time must be 1..99 seconds" >&2; exit 2; }
for s in ${only//,/ }; do
  case " $all_sections " in *" $s "*) ;; *) echo "lab.sh: --only takes: ${all_sections// /, }" >&2; exit 2 ;; esac
done
# wanted SECTION: true when --only is empty or names it.
wanted() { [ -z "$only" ] && return 0; case ",$only," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }

root=$(cd "$(dirname "$0")/.." && pwd)
bench=$root/bench
# shellcheck source=../scripts/lib/netback.sh
. "$root/scripts/lib/netback.sh"
nb_require_root bench/lab.sh
if [ "$install" = 1 ]; then
  nb_install_missing ip:iproute2 iperf3:iperf3 ethtool:ethtool python3:python3 ping:iputils-ping taskset:util-linux
  # ScottPlot draws its text with a system font when one is there (SkiaSharp's own fallback otherwise).
  if ! ls /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf >/dev/null 2>&1; then
    nb_install_missing fc-list:fontconfig
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fonts-dejavu-core >/dev/null 2>&1 || true
  fi
fi
if [ "$build" = 1 ]; then nb_build_release "$root"; else nb_bin_paths "$root"; fi
[ -x "$NB_NETBACKD" ] || { echo "lab.sh: no Release build at $NB_BIN (run without --no-build)" >&2; exit 1; }
ringflood=$NB_BIN/Netback.RingFlood/release_linux-x64/ringflood
labreport=$NB_BIN/Netback.LabReport/release_linux-x64/lab-report

id=$(nb_unique_id)
net=$(nb_subnet "$id")
stamp=$(date -u +%Y%m%dT%H%M%SZ)
started=$(date +%s)
[ -n "$out" ] || out=$bench/results/lab-$stamp
mkdir -p "$out/raw"
out=$(cd "$out" && pwd)
results=$out/results.jsonl
: >"$results"
# Sockets and state in a short /tmp path (a unix socket path has at most 107 bytes).
work=$(mktemp -d /tmp/netback-lab.XXXXXX)
pidfile=$work/pids
: >"$pidfile"
namespaces=()
manifest=$work/manifest.jsonl # bench/lib/scenarios.sh's record() target; the lab writes results.jsonl
exec > >(tee -a "$out/lab.log") 2>&1

. "$bench/lib/scenarios.sh"
. "$bench/lib/lab_sections.sh"

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_section
  nb_stop_all
  # Anything a section started and did not stop (it was killed): by the pids it recorded, checked
  # to still be one of ours (ip netns exec execs the program, so the pid is the program's).
  local pid comm
  while read -r pid; do
    [ -n "$pid" ] || continue
    comm=$(cat "/proc/$pid/comm" 2>/dev/null || true)
    case "$comm" in netbackd|netfront|iperf3|ringflood|ping) nb_stop "$pid" ;; esac
  done <"$pidfile"
  local ns
  for ns in $(ip netns list | awk '{print $1}' | grep "^nbl-$id-" || true); do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -rf "$work"
  local left
  left=$(ip netns list | grep -c "^nbl-$id-" || true)
  echo "==> cleaned up (namespaces left: $left)"
  if [ $status -ne 0 ] && [ -s "$results" ] && [ -x "$labreport" ]; then
    echo "==> the lab stopped (status $status): writing the report of what was measured"
    write_meta || true
    "$labreport" "$out" || true
  fi
  exit $status
}
SECTION_PID=""
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# write_meta: the commit, the machine and the load, for the report's header.
write_meta() {
  local nodes
  nodes=$(ls -d /sys/devices/system/node/node[0-9]* 2>/dev/null | wc -l)
  python3 - "$out/meta.json" <<EOF
import json, sys
json.dump({
  "stamp": "$stamp", "commit": "$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$root" diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')",
  "nproc": "$(nproc)", "cpu_model": """$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')""",
  "kernel": "$(uname -r)", "numa_nodes": "$nodes", "mem_total": "$(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo)",
  "load_start": "$load_start", "load_end": "$(cut -d' ' -f1-3 /proc/loadavg)", "busy_start": "$busy_start",
  "mode": "$([ "$quick" = 1 ] && echo quick || echo full)", "runs": "$runs", "seconds": "$seconds",
  "duration_s": "$(( $(date +%s) - started ))", "command": """$command_line""",
  "switches": """$(switch_summary)""",
}, open(sys.argv[1], "w"), indent=1)
EOF
}

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
# The machine's busy share over one second before the lab starts (other helpers' builds and tests).
busy_start=$(python3 - <<'EOF'
import time
def busy():
    v = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return sum(v) - v[3] - v[4], sum(v)
b0, t0 = busy(); time.sleep(1); b1, t1 = busy()
print(f"{100 * (b1 - b0) / max(1, t1 - t0):.0f}% of all CPUs")
EOF
)
echo "==> lab $id ($([ "$quick" = 1 ] && echo quick || echo full)): $runs run(s) of ${seconds}s per figure," \
  "subnet $net.0/24, results $out; load $load_start, busy $busy_start"
detect_switches
echo "    switches: $(switch_summary)"

for s in $all_sections; do
  wanted "$s" && run_section "$s"
done

write_meta
"$labreport" "$out"
if [ -n "$publish" ]; then
  mkdir -p "$publish/lab"
  "$labreport" "$out" --report "$publish/lab-report.md" --charts lab
  cp "$out/results.jsonl" "$out/meta.json" "$publish/lab/"
  echo "==> published $publish/lab-report.md and $publish/lab/"
fi
echo "==> written $out/report.md ($(( $(date +%s) - started )) s)"
