# Shared bash for the scripts that run netbackd for real (scripts/demo.sh, bench/run.sh): installing
# the tools, building, unique names, starting the daemon and a guest, waiting, stopping.
# Source it; it defines functions and the NB_PIDS array and changes no shell option.

NB_PIDS=()

# nb_require_root SCRIPT: namespaces and TAPs need root.
nb_require_root() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "$1: needs root (network namespaces and TAP devices): sudo $1" >&2
    exit 1
  fi
}

# nb_install_missing COMMAND:PACKAGE...: apt-get installs the Debian packages of missing commands.
nb_install_missing() {
  local missing=() tool
  for tool in "$@"; do
    command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool##*:}")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "==> installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# nb_build_release ROOT: builds the solution in Release; sets NB_BIN, NB_NETBACKD, NB_NETFRONT.
nb_build_release() {
  command -v dotnet >/dev/null || { echo "the .NET 10 SDK (dotnet) is required" >&2; exit 1; }
  [ -e /dev/net/tun ] || modprobe tun 2>/dev/null || true
  echo "==> building (Release)"
  dotnet build "$1/Netback.sln" -c Release -v quiet -nologo -clp:ErrorsOnly >/dev/null
  nb_bin_paths "$1"
}

# nb_bin_paths ROOT: NB_BIN, NB_NETBACKD, NB_NETFRONT, NB_NETBACKCTL, NB_SCRIPTS of a Release build
# (nb_build_release, or a script's --no-build that takes the build as it is).
nb_bin_paths() {
  NB_BIN=$1/artifacts/bin
  NB_NETBACKD=$NB_BIN/Netback.Daemon/release_linux-x64/netbackd
  NB_NETFRONT=$NB_BIN/Netfront.Cli/release_linux-x64/netfront
  NB_NETBACKCTL=$NB_BIN/Netback.Ctl/release_linux-x64/netbackctl
  NB_SCRIPTS=$1/scripts/hotplug   # the hotplug scripts, for netbackd's Netback:ScriptDirectory
}

# nb_unique_id: six hex digits for namespace, device and subnet names of this run.
nb_unique_id() { od -An -N3 -tx1 /dev/urandom | tr -d ' \n'; }

# nb_subnet ID: a /24 prefix (three octets) derived from the id, used only inside our namespaces.
nb_subnet() { echo "10.$((16#${1:0:2} % 200 + 20)).$((16#${1:2:2}))"; }

# nb_wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND every 0.1 s.
nb_wait_for() {
  local limit=$1 what=$2; shift 2
  for _ in $(seq $((limit * 10))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "timed out waiting for $what" >&2; return 1
}

# nb_stop PID...: SIGTERM, up to 5 s to exit, then SIGKILL; removes them from NB_PIDS.
nb_stop() {
  local pid p keep=()
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "$@"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  for p in "${NB_PIDS[@]}"; do
    case " $* " in *" $p "*) ;; *) keep+=("$p") ;; esac
  done
  NB_PIDS=("${keep[@]}")
}

# nb_stop_all: stops every process started through these functions, newest first.
nb_stop_all() {
  local i rev=()
  for ((i = ${#NB_PIDS[@]} - 1; i >= 0; i--)); do rev+=("${NB_PIDS[i]}"); done
  [ ${#rev[@]} -eq 0 ] || nb_stop "${rev[@]}"
}

# nb_start_netbackd NETNS SOCKET LOG [DAEMON ARGS...]: starts netbackd in NETNS, waits for its socket.
# Sets NB_NETBACKD_PID.
nb_start_netbackd() {
  local ns=$1 socket=$2 log=$3; shift 3
  # The admin socket beside the control socket: never the system daemon's /run/netback/admin.sock.
  # The hotplug scripts from the checkout (vif-bridge by default), unless /etc/netback/scripts is wanted.
  ip netns exec "$ns" "$NB_NETBACKD" --socket "$socket" --admin-socket "${socket%/*}/admin.sock" \
    ${NB_SCRIPTS:+--Netback:ScriptDirectory "$NB_SCRIPTS"} "$@" >"$log" 2>&1 &
  NB_NETBACKD_PID=$!
  NB_PIDS+=("$NB_NETBACKD_PID")
  nb_wait_for 20 "netbackd's socket" test -S "$socket"
}

# nb_attach_guest NETNS SOCKET LOG [NETFRONT ATTACH ARGS...]: runs `netfront attach` in NETNS and
# waits until it reports the vif. Sets NB_VIF (the backend's TAP name) and NB_NETFRONT_PID.
nb_attach_guest() {
  local ns=$1 socket=$2 log=$3; shift 3
  ip netns exec "$ns" "$NB_NETFRONT" attach --socket "$socket" "$@" >"$log" 2>&1 &
  NB_NETFRONT_PID=$!
  NB_PIDS+=("$NB_NETFRONT_PID")
  nb_wait_for 20 "netfront to attach" grep -q '^attached ' "$log"
  NB_VIF=$(awk '/^attached /{print $2; exit}' "$log")
}

# nb_bench_namespaces NAME PREFIX: for a bench script with one host and one guest namespace: sets id,
# net (a free subnet), work (a temporary directory), h and g (namespace names PREFIX-<id>-h/-g), and on
# exit, failure or Ctrl-C stops what nb_* started and removes both namespaces and the directory.
nb_bench_namespaces() {
  id=$(nb_unique_id); net=$(nb_subnet "$id"); work=$(mktemp -d "/tmp/netback-$1.XXXXXX")
  h=$2-$id-h g=$2-$id-g
  trap nb_bench_namespaces_cleanup EXIT INT TERM
}

# nb_bench_vif DAEMON_ARGS NETFRONT_ARGS: after nb_bench_namespaces, creates both namespaces, starts
# netbackd in $h and netfront in $g (guest $net.2, host end $net.1 on the vif) with the extra
# arguments (words), and waits for a path from the guest to the host.
nb_bench_vif() {
  ip netns add "$h"; ip netns add "$g"; ip -n "$h" link set lo up; ip -n "$g" link set lo up
  # shellcheck disable=SC2086 # the extra arguments are words
  nb_start_netbackd "$h" "$work/nb.sock" "$work/netbackd.log" --Netback:StateDirectory "$work/state" $1
  # shellcheck disable=SC2086
  nb_attach_guest "$g" "$work/nb.sock" "$work/netfront.log" --name eth0 --address "$net.2/24" $2
  ip -n "$h" addr add "$net.1/24" dev "$NB_VIF"; ip -n "$h" link set "$NB_VIF" up
  nb_wait_for 10 "a path to the host" ip netns exec "$g" ping -c 1 -W 1 "$net.1"
}

nb_bench_namespaces_cleanup() {
  trap - EXIT INT TERM
  nb_stop_all
  ip netns del "$g" 2>/dev/null || true; ip netns del "$h" 2>/dev/null || true
  rm -rf "$work"
}
