# shellcheck shell=bash
# The scenarios of bench/faults.sh; sourced by it after scripts/lib/netback.sh and bench/lib/scenarios.sh
# (new_ns, drop_ns, listening). They use its variables (id, net, work, manifest, seconds, port,
# namespaces) and append one JSON line per measured run to $manifest; bench/lib/faults_report.py
# reads them. Times are taken with $EPOCHREALTIME (no fork) and polled every 10 ms, so a figure is
# good to about 10-20 ms; a process's exit is seen when bash reaps it (its SIGCHLD), not polled.

# now_us: microseconds since the epoch, from bash's own clock (the locale's decimal point dropped).
now_us() { echo "${EPOCHREALTIME//[!0-9]/}"; }

# ms_since T0_US: whole milliseconds since T0_US.
ms_since() { echo $((($(now_us) - $1) / 1000)); }

# poll_until SECONDS COMMAND...: runs COMMAND every 10 ms until it succeeds; 1 on timeout.
poll_until() {
  local deadline=$(($(now_us) + $1 * 1000000)); shift
  until "$@" >/dev/null 2>&1; do
    [ "$(now_us)" -lt "$deadline" ] || return 1
    sleep 0.01
  done
}

# gone PID: true once PID has exited (bash reaps its children on SIGCHLD, so kill -0 fails then).
gone() { ! kill -0 "$1" 2>/dev/null; }

# link_gone NETNS DEV: true once DEV does not exist in NETNS.
link_gone() { ! ip -n "$1" -o link show dev "$2" >/dev/null 2>&1; }

# exit_status PID: the exit status of an exited child (128+N for signal N).
exit_status() { local s=0; wait "$1" 2>/dev/null || s=$?; echo "$s"; }

# forget PID...: drops exited processes from NB_PIDS so the cleanup does not signal a reused pid.
forget() {
  local p keep=()
  for p in "${NB_PIDS[@]}"; do
    case " $* " in *" $p "*) ;; *) keep+=("$p") ;; esac
  done
  NB_PIDS=("${keep[@]}")
}

# start_daemon NETNS DIR LOG [ARGS...]: netbackd with its sockets in DIR, like nb_start_netbackd but
# polled every 10 ms so that the time until it listens is measured. Sets NB_NETBACKD_PID.
start_daemon() {
  local ns=$1 dir=$2 log=$3; shift 3
  ip netns exec "$ns" "$NB_NETBACKD" --socket "$dir/ctl.sock" --admin-socket "$dir/admin.sock" \
    ${NB_SCRIPTS:+--Netback:ScriptDirectory "$NB_SCRIPTS"} "$@" >"$log" 2>&1 &
  NB_NETBACKD_PID=$!
  NB_PIDS+=("$NB_NETBACKD_PID")
  poll_until 20 grep -q 'Listening on ' "$log" || { echo "timed out waiting for netbackd ($log)" >&2; return 1; }
}

# start_held NETNS DIR [ARGS...]: netbackd socket-activated without systemd (bench/lib/socket_hold.py
# holds the listening control socket $DIR/ctl.sock and passes it to each daemon it starts; SIGHUP
# restarts the daemon on the same socket). Daemon N logs to $DIR/netbackd-N.log. Sets NB_HOLD_PID.
start_held() {
  local ns=$1 dir=$2; shift 2
  ip netns exec "$ns" python3 "$bench/lib/socket_hold.py" --socket "$dir/ctl.sock" --logs "$dir/netbackd" -- \
    "$NB_NETBACKD" --socket "$dir/ctl.sock" --admin-socket "$dir/admin.sock" \
    ${NB_SCRIPTS:+--Netback:ScriptDirectory "$NB_SCRIPTS"} "$@" >"$dir/socket_hold.log" 2>&1 &
  NB_HOLD_PID=$!
  NB_PIDS+=("$NB_HOLD_PID")
  poll_until 20 grep -q 'Listening on ' "$dir/netbackd-1.log" || { echo "timed out waiting for netbackd ($dir/netbackd-1.log)" >&2; return 1; }
}

# host_and_guest NAME RUN: two fresh namespaces nbf-<id>-NAME<RUN>-h and -g; sets h, g and d (a
# scratch directory for the scenario's sockets and logs).
host_and_guest() {
  h=nbf-$id-$1$2-h g=nbf-$id-$1$2-g d=$work/$1-$2
  mkdir -p "$d"
  new_ns "$h"; new_ns "$g"
}

# vif_up VIF: gives the host end of the vif the host address once the daemon has created it.
vif_up() {
  nb_wait_for 10 "$1 in $h" ip -n "$h" link show dev "$1"
  ip -n "$h" addr add "$net.1/24" dev "$1"
  ip -n "$h" link set "$1" up
}

# iperf_server: iperf3 -s in the host namespace on every address (a re-created vif gets the same
# address); sets server_pid.
iperf_server() {
  ip netns exec "$h" iperf3 -s -p "$port" >"$d/iperf3-server.log" 2>&1 &
  server_pid=$!
  NB_PIDS+=("$server_pid")
  nb_wait_for 10 "the iperf3 server" listening "$h" "$port"
  nb_wait_for 10 "a path to $net.1" ip netns exec "$g" ping -c 1 -W 1 "$net.1"
}

# load_mbps VIF: guest->host Mbit/s the vif carried over the last second (the host's TAP rx bytes),
# the evidence that a fault was injected under traffic.
load_mbps() {
  local a b
  a=$(ip netns exec "$h" cat "/sys/class/net/$1/statistics/rx_bytes")
  sleep 1
  b=$(ip netns exec "$h" cat "/sys/class/net/$1/statistics/rx_bytes")
  echo $(((b - a) * 8 / 1000000))
}

# traffic VIF: starts a long iperf3 TCP stream guest->host and waits until it runs; sets client_pid
# and load (Mbit/s over the second before the fault).
traffic() {
  ip netns exec "$g" iperf3 -c "$net.1" -p "$port" -t 120 >"$d/iperf3-client.log" 2>&1 &
  client_pid=$!
  NB_PIDS+=("$client_pid")
  sleep 1
  load=$(load_mbps "$1")
}

# 1. Reconnect outage: the vif on a bridge that holds the host address (vifspec bridge=, as Xen's
# vif-bridge), ping every 20 ms from the guest, SIGTERM netbackd and start it again; netfront
# reconnects with backoff as the same vif, which rejoins the bridge. MODE "hand": the daemon binds
# its socket itself and a new one is started after the old one exited (scenario "reconnect");
# "socket": socket-activated, the socket held across the restart by socket_hold.py, restarted with
# SIGHUP as systemctl restart would (scenario "reconnect-socket").
fault_reconnect() {
  local r=$1 mode=${2:-hand} h g d br=nbbr$id scenario=reconnect
  [ "$mode" = socket ] && scenario=reconnect-socket
  host_and_guest "$scenario" "$r"
  echo "==> $scenario (run $r): $h <-> $g, vif on bridge $br"
  ip -n "$h" link add "$br" type bridge
  ip -n "$h" addr add "$net.1/24" dev "$br"
  ip -n "$h" link set "$br" up
  local daemon
  if [ "$mode" = socket ]; then
    start_held "$h" "$d"
    daemon=$NB_HOLD_PID
  else
    start_daemon "$h" "$d" "$d/netbackd-1.log"
    daemon=$NB_NETBACKD_PID
  fi
  nb_attach_guest "$g" "$d/ctl.sock" "$d/netfront.log" --name eth0 --address "$net.2/24" \
    --vif "bridge=$br" --queues 1
  local front=$NB_NETFRONT_PID vif=$NB_VIF
  nb_wait_for 10 "a path to $net.1" ip netns exec "$g" ping -c 1 -W 1 "$net.1"
  ip netns exec "$g" ping -D -n -i 0.02 -W 1 "$net.1" >"$d/ping.log" 2>&1 &
  local ping=$!
  NB_PIDS+=("$ping")
  poll_until 5 grep -q 'bytes from' "$d/ping.log"
  sleep 0.5

  local t0 exit_ms status listen_ms reconnected_ms line
  t0=$(now_us)
  if [ "$mode" = socket ]; then
    kill -HUP "$daemon" # socket_hold.py: SIGTERM the daemon, wait, start the next on the same socket
    poll_until 10 test -s "$d/netbackd-1.status" || { echo "netbackd did not exit within 10 s of SIGTERM" >&2; return 1; }
    exit_ms=$(ms_since "$t0")
    status=$(cat "$d/netbackd-1.status")
    poll_until 20 grep -q 'Listening on ' "$d/netbackd-2.log" || { echo "timed out waiting for netbackd ($d/netbackd-2.log)" >&2; return 1; }
    listen_ms=$(ms_since "$t0")
  else
    kill -TERM "$daemon"
    poll_until 10 gone "$daemon" || { echo "netbackd did not exit within 10 s of SIGTERM" >&2; return 1; }
    exit_ms=$(ms_since "$t0")
    status=$(exit_status "$daemon")
    forget "$daemon"
    start_daemon "$h" "$d" "$d/netbackd-2.log"
    listen_ms=$(ms_since "$t0")
    daemon=$NB_NETBACKD_PID
  fi
  poll_until 20 grep -q '^reconnected ' "$d/netfront.log" || { echo "netfront did not reconnect within 20 s" >&2; return 1; }
  reconnected_ms=$(ms_since "$t0")
  local back_us
  back_us=$(now_us)
  line=$(grep -m1 '^reconnected ' "$d/netfront.log")
  nb_wait_for 10 "ping through the new vif" ip netns exec "$g" ping -c 1 -W 1 "$net.1"
  sleep 0.3
  kill -INT "$ping" # ping prints its summary and exits
  poll_until 5 gone "$ping" || true
  nb_stop "$ping"

  local outage first_reply same=false netfront_ms attempt
  # null unless ping had replies again after the reconnect: an outage must be closed to be measured
  read -r outage first_reply < <(python3 "$bench/lib/faults_report.py" --gap "$d/ping.log" --since "$back_us")
  [ "$(echo "$line" | awk '{print $2}')" = "$vif" ] && same=true
  netfront_ms=$(echo "$line" | sed -n 's/.* after \([0-9]*\) ms.*/\1/p')
  attempt=$(echo "$line" | sed -n 's/.*(attempt \([0-9]*\)).*/\1/p')
  printf '{"scenario":"%s","run":%d,"outage_ms":%s,"exit_ms":%d,"exit_status":%d,"listen_ms":%d,"reconnected_ms":%d,"first_reply_ms":%s,"netfront_ms":%s,"attempt":%s,"same_vif":%s,"line":"%s"}\n' \
    "$scenario" "$r" "$outage" "$exit_ms" "$status" "$listen_ms" "$reconnected_ms" "$first_reply" "${netfront_ms:-null}" "${attempt:-null}" "$same" "$line" >>"$manifest"
  printf '    outage %s ms; old daemon exited after %d ms (status %d), new one listening at %d ms, reconnected at %d ms, first reply %s ms later: %s\n' \
    "$outage" "$exit_ms" "$status" "$listen_ms" "$reconnected_ms" "$first_reply" "$line"
  nb_stop "$front" "$daemon"
  drop_ns "$h" "$g"
}

# measure_rate RUN LABEL CONFIGURED_BPS: one iperf3 TCP run guest->host, 1 s warm-up left out (-O 1).
measure_rate() {
  local out=$d/iperf-${2//[^a-z0-9]/_}.json
  timeout $((seconds + 30)) ip netns exec "$g" iperf3 -c "$net.1" -p "$port" -t "$seconds" -O 1 -J \
    >"$out" 2>>"$d/iperf3-client.log" || true
  printf '{"scenario":"rate","run":%d,"label":"%s","configured_bps":%s,"file":"%s"}\n' "$1" "$2" "$3" "$out" >>"$manifest"
  printf '    %-26s run %d: %s\n' "$2" "$1" "$(python3 "$bench/lib/faults_report.py" --iperf "$out" "$3")"
  sleep 0.3 # let the server close the test before the next one connects
}

# ctl VIF SETTING: a live change through the daemon's admin socket.
ctl() { "$NB_NETBACKCTL" --admin-socket "$d/admin.sock" set "$1" "$2" >>"$d/netbackctl.log" 2>&1; }

# 2. Rate accuracy: rate= as the vifspec at attach and changed live with netbackctl, and unlimited.
fault_rate() {
  local r=$1 h g d server_pid
  host_and_guest rate "$r"
  echo "==> rate (run $r): $h <-> $g, iperf3 TCP guest->host ${seconds}s"
  start_daemon "$h" "$d" "$d/netbackd.log"
  local daemon=$NB_NETBACKD_PID
  nb_attach_guest "$g" "$d/ctl.sock" "$d/netfront-10.log" --name eth0 --address "$net.2/24" --vif "rate=10Mb/s"
  local front=$NB_NETFRONT_PID vif=$NB_VIF
  vif_up "$vif"
  iperf_server
  measure_rate "$r" "10Mb/s vifspec" 10e6
  ctl "$vif" rate=none
  measure_rate "$r" "unlimited (rate=none live)" 0
  ctl "$vif" rate=500Mb/s
  measure_rate "$r" "500Mb/s live" 500e6
  ctl "$vif" rate=10Mb/s
  measure_rate "$r" "10Mb/s live" 10e6
  nb_stop "$front"
  nb_wait_for 10 "$vif to go" link_gone "$h" "$vif"
  nb_attach_guest "$g" "$d/ctl.sock" "$d/netfront-500.log" --name eth0 --address "$net.2/24" --vif "rate=500Mb/s"
  front=$NB_NETFRONT_PID vif=$NB_VIF
  vif_up "$vif"
  nb_wait_for 10 "a path to $net.1" ip netns exec "$g" ping -c 1 -W 1 "$net.1"
  measure_rate "$r" "500Mb/s vifspec" 500e6
  nb_stop "$server_pid" "$front" "$daemon"
  drop_ns "$h" "$g"
}

# 3. SIGKILL of netfront under iperf3: the daemon sees the control socket close and must tear the
# vif down; the time until the TAP is gone from the host namespace.
fault_sigkill() {
  local r=$1 h g d server_pid client_pid load
  host_and_guest sigkill "$r"
  echo "==> SIGKILL netfront under iperf3 (run $r): $h <-> $g"
  start_daemon "$h" "$d" "$d/netbackd.log"
  local daemon=$NB_NETBACKD_PID
  nb_attach_guest "$g" "$d/ctl.sock" "$d/netfront.log" --name eth0 --address "$net.2/24"
  local front=$NB_NETFRONT_PID vif=$NB_VIF
  vif_up "$vif"
  iperf_server
  traffic "$vif"

  local t0 gone_ms status alive=false
  t0=$(now_us)
  kill -KILL "$front"
  # (bash's "Killed" notice for netfront is not wanted on the terminal: stderr is muted while it is reaped)
  { poll_until 10 link_gone "$h" "$vif"; } 2>/dev/null || { echo "$vif still in $h 10 s after SIGKILL of netfront" >&2; return 1; }
  gone_ms=$(ms_since "$t0")
  { poll_until 5 gone "$front" || true; } 2>/dev/null
  status=$(exit_status "$front")
  forget "$front"
  kill -0 "$daemon" 2>/dev/null && alive=true
  printf '{"scenario":"sigkill","run":%d,"vif_gone_ms":%d,"load_mbps":%d,"netfront_status":%d,"daemon_alive":%s}\n' \
    "$r" "$gone_ms" "$load" "$status" "$alive" >>"$manifest"
  printf '    %s gone %d ms after SIGKILL (traffic before: %d Mbit/s; netfront status %d; daemon alive %s)\n' \
    "$vif" "$gone_ms" "$load" "$status" "$alive"
  nb_stop "$client_pid" "$server_pid" "$daemon"
  drop_ns "$h" "$g"
}

# 4. SIGTERM of netbackd under iperf3, netfront with --no-reconnect: the daemon's graceful stop
# (every vif disconnected and closed) must finish in < 2 s; its exit status, and netfront's.
fault_sigterm() {
  local r=$1 h g d server_pid client_pid load
  host_and_guest sigterm "$r"
  echo "==> SIGTERM netbackd under iperf3 (run $r): $h <-> $g"
  start_daemon "$h" "$d" "$d/netbackd.log"
  local daemon=$NB_NETBACKD_PID
  nb_attach_guest "$g" "$d/ctl.sock" "$d/netfront.log" --name eth0 --address "$net.2/24" --no-reconnect
  local front=$NB_NETFRONT_PID vif=$NB_VIF
  vif_up "$vif"
  iperf_server
  traffic "$vif"

  local t0 exit_ms status front_ms=null front_status=null vif_gone=false
  t0=$(now_us)
  kill -TERM "$daemon"
  poll_until 10 gone "$daemon" || { echo "netbackd did not exit within 10 s of SIGTERM" >&2; return 1; }
  exit_ms=$(ms_since "$t0")
  status=$(exit_status "$daemon")
  forget "$daemon"
  if poll_until 5 gone "$front"; then
    front_ms=$(ms_since "$t0")
    front_status=$(exit_status "$front")
    forget "$front"
  fi
  link_gone "$h" "$vif" && vif_gone=true
  printf '{"scenario":"sigterm","run":%d,"exit_ms":%d,"exit_status":%d,"load_mbps":%d,"netfront_exit_ms":%s,"netfront_status":%s,"vif_gone":%s}\n' \
    "$r" "$exit_ms" "$status" "$load" "$front_ms" "$front_status" "$vif_gone" >>"$manifest"
  printf '    netbackd exited %d ms after SIGTERM, status %d (traffic before: %d Mbit/s); netfront exited at %s ms, status %s\n' \
    "$exit_ms" "$status" "$load" "$front_ms" "$front_status"
  nb_stop "$client_pid" "$server_pid" "$front"
  drop_ns "$h" "$g"
}
