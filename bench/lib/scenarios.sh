# The scenarios of bench/run.sh; sourced by it after scripts/lib/netback.sh. They use its variables
# (id, net, work, manifest, runs, seconds, port, namespaces, ringflood, benchmarks, poll_us,
# daemon_poll, front_poll, ringflood_poll) and append one JSON line per measured run to $manifest,
# naming the raw output file; bench/lib/report.py reads them.

# new_ns NAME: a namespace with lo up, removed by run.sh's cleanup whatever happens.
new_ns() {
  ip netns add "$1"
  namespaces+=("$1")
  ip -n "$1" link set lo up
}

# drop_ns NAME...: removes namespaces once a scenario is done with them.
drop_ns() {
  local ns keep=() n
  for ns in "$@"; do ip netns del "$ns" 2>/dev/null || true; done
  for n in "${namespaces[@]}"; do
    case " $* " in *" $n "*) ;; *) keep+=("$n") ;; esac
  done
  namespaces=("${keep[@]}")
}

# record KIND ENV METRIC RUN FILE [STATUS [EXTRA]]: one manifest line. STATUS is the measuring
# command's exit status (default 0); EXTRA more JSON members, e.g. '"order":2,"poll_us":0'.
record() {
  printf '{"kind":"%s","env":"%s","metric":"%s","run":%d,"file":"%s","status":%d%s}\n' \
    "$1" "$2" "$3" "$4" "$5" "${6:-0}" "${7:+,$7}" >>"$manifest"
}

# note TOPIC TEXT: a line for the report (a row that could not be measured and why).
note() {
  python3 -c 'import json,sys; print(json.dumps({"kind":"note","env":sys.argv[1],"text":sys.argv[2]}))' "$1" "$2" >>"$manifest"
  echo "    note ($1): $2"
}

# progress METRIC FILE: one run's figure, as report.py reads it.
progress() { python3 "$bench/lib/report.py" --one "$1" "$2"; }

# listening NETNS PORT: true once a TCP socket listens on PORT in NETNS (ss itself exits 0 either way).
listening() { ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q .; }
# listening_udp NETNS PORT: the same for a bound UDP socket.
listening_udp() { ip netns exec "$1" ss -Hlun "sport = :$2" | grep -q .; }

# cpu_line: the whole machine's "cpu" line of /proc/stat (USER_HZ ticks; report.py takes
# busy = user + nice + system + irq + softirq + steal).
cpu_line() { grep -m1 '^cpu ' /proc/stat; }

# path_suite ENV CLIENT_NS SERVER_NS SERVER_IP: every per-path figure between a "guest" (the
# client) and a "host" (the server), each $runs times:
#   ping      ping -i 0.01 -c 200 guest->host (per-reply times: median and p99);
#   sockperf  sockperf ping-pong, UDP 64 B messages, for $seconds, round trips (--full-rtt);
#   iperf3    TCP 1 and 4 streams both ways, each with /proc/stat's cpu line before and after
#             (CPU-s per GB), and UDP 64 B guest->host.
path_suite() {
  local env=$1 client=$2 server=$3 ip=$4 r metric out rc
  local sport=$((port + 1))
  ip netns exec "$server" iperf3 -s -B "$ip" -p $port >"$work/iperf3-server-$env.log" 2>&1 &
  local server_pid=$!
  NB_PIDS+=("$server_pid")
  ip netns exec "$server" sockperf sr -i "$ip" -p $sport >"$work/sockperf-server-$env.log" 2>&1 &
  local sockperf_pid=$!
  NB_PIDS+=("$sockperf_pid")
  nb_wait_for 10 "the iperf3 server" listening "$server" $port
  nb_wait_for 10 "the sockperf server" listening_udp "$server" $sport
  nb_wait_for 10 "a path to $ip" ip netns exec "$client" ping -c 1 -W 1 "$ip"
  local -a specs=(
    "tcp1_g2h:"
    "tcp1_h2g:-R"
    "tcp4_g2h:-P 4"
    "tcp4_h2g:-P 4 -R"
    "udp64_g2h:-u -l 64 -b 0"
  )
  for r in $(seq "$runs"); do
    out=$work/ping-$env-$r.txt
    rc=0
    timeout 60 ip netns exec "$client" ping -n -i 0.01 -c 200 -W 1 "$ip" >"$out" 2>&1 || rc=$?
    record ping "$env" ping "$r" "$out" "$rc"
    printf '    %-12s %-10s run %d: %s\n' "$env" ping "$r" "$(progress ping "$out")"

    out=$work/sockperf-$env-$r.txt
    rc=0
    timeout $((seconds + 30)) ip netns exec "$client" sockperf pp -i "$ip" -p $sport -m 64 -t "$seconds" --full-rtt \
      >"$out" 2>&1 || rc=$?
    record sockperf "$env" sockperf "$r" "$out" "$rc"
    printf '    %-12s %-10s run %d: %s\n' "$env" sockperf "$r" "$(progress sockperf "$out")"

    for spec in "${specs[@]}"; do
      metric=${spec%%:*}
      out=$work/iperf-$env-$metric-$r.json
      cpu_line >"$out.cpu"
      rc=0
      # shellcheck disable=SC2086 # the spec's options are words
      timeout $((seconds + 30)) ip netns exec "$client" iperf3 -c "$ip" -p $port -t "$seconds" -J ${spec#*:} \
        >"$out" 2>>"$work/iperf3-client-$env.log" || rc=$?
      cpu_line >>"$out.cpu"
      record iperf "$env" "$metric" "$r" "$out" "$rc"
      printf '    %-12s %-10s run %d: %s\n' "$env" "$metric" "$r" "$(progress "$metric" "$out")"
      sleep 0.3 # let the server close the test before the next one connects
    done
  done
  nb_stop "$sockperf_pid" "$server_pid"
}

# (a) a veth pair between two namespaces, offloads on: the kernel's own path.
bench_veth() {
  local a=nbb-$id-va b=nbb-$id-vb
  echo "==> (a) veth pair $a <-> $b, offloads on"
  new_ns "$a"; new_ns "$b"
  ip -n "$a" link add veth0 type veth peer name veth0 netns "$b"
  ip netns exec "$a" ethtool -K veth0 tx on rx on tso on gso on gro on >/dev/null 2>&1 || true
  ip netns exec "$b" ethtool -K veth0 tx on rx on tso on gso on gro on >/dev/null 2>&1 || true
  ip -n "$a" addr add "$net.2/24" dev veth0; ip -n "$a" link set veth0 up
  ip -n "$b" addr add "$net.1/24" dev veth0; ip -n "$b" link set veth0 up
  path_suite veth "$a" "$b" "$net.1"
  drop_ns "$a" "$b"
}

# (b) the naive userspace relay: socat copies frames between two TAPs, one read() and one write()
# per frame. socat creates the TAPs in the root namespace (left down); they are then moved into
# the two namespaces, where their fds in socat keep working.
bench_socat() {
  local a=nbb-$id-sa b=nbb-$id-sb ta=nbb${id}a tb=nbb${id}b
  echo "==> (b) socat relay $ta <-> $tb between $a and $b"
  new_ns "$a"; new_ns "$b"
  socat -b 65536 "TUN,tun-type=tap,iff-no-pi,tun-name=$ta" "TUN,tun-type=tap,iff-no-pi,tun-name=$tb" \
    >"$work/socat.log" 2>&1 &
  local socat_pid=$!
  NB_PIDS+=("$socat_pid")
  nb_wait_for 10 "socat's TAPs" ip link show "$tb"
  nb_wait_for 10 "socat's TAPs" ip link show "$ta"
  ip link set "$ta" netns "$a"; ip link set "$tb" netns "$b"
  ip -n "$a" addr add "$net.2/24" dev "$ta"; ip -n "$a" link set "$ta" up
  ip -n "$b" addr add "$net.1/24" dev "$tb"; ip -n "$b" link set "$tb" up
  path_suite socat "$a" "$b" "$net.1"
  nb_stop "$socat_pid"
  drop_ns "$a" "$b"
}

# (v) the strongest userspace relay measured here: a vde_switch (in the root namespace; its
# control socket in the run's scratch dir) and two vde_plug2tap, each creating a TAP in the root
# namespace (left down) that is then moved into one of the two namespaces, as for socat. Every
# frame crosses two processes: TAP -> plug -> switch -> plug -> TAP.
bench_vde() {
  local a=nbb-$id-da b=nbb-$id-db ta=nbb${id}c tb=nbb${id}d sw=$work/vde/switch pid
  echo "==> (v) vde_switch $sw, vde_plug2tap $ta <-> $tb between $a and $b"
  new_ns "$a"; new_ns "$b"
  mkdir -p "$work/vde"
  # In the foreground vde_switch reads commands from stdin and exits at its end: daemonized, its
  # pid from the pidfile goes to NB_PIDS (run.sh's cleanup also reads the pidfile, if we die first).
  vde_switch --sock "$sw" --daemon --pidfile "$work/vde/switch.pid" >"$work/vde_switch.log" 2>&1
  nb_wait_for 10 "vde_switch's pidfile" test -s "$work/vde/switch.pid"
  pid=$(cat "$work/vde/switch.pid")
  NB_PIDS+=("$pid")
  nb_wait_for 10 "vde_switch's control socket" test -S "$sw/ctl"
  vde_plug2tap --sock "$sw" "$ta" >"$work/vde_plug2tap-a.log" 2>&1 &
  local plug_a=$!
  NB_PIDS+=("$plug_a")
  vde_plug2tap --sock "$sw" "$tb" >"$work/vde_plug2tap-b.log" 2>&1 &
  local plug_b=$!
  NB_PIDS+=("$plug_b")
  nb_wait_for 10 "vde_plug2tap's TAP $ta" ip link show "$ta"
  nb_wait_for 10 "vde_plug2tap's TAP $tb" ip link show "$tb"
  ip link set "$ta" netns "$a"; ip link set "$tb" netns "$b"
  ip -n "$a" addr add "$net.2/24" dev "$ta"; ip -n "$a" link set "$ta" up
  ip -n "$b" addr add "$net.1/24" dev "$tb"; ip -n "$b" link set "$tb" up
  path_suite vde "$a" "$b" "$net.1"
  nb_stop "$plug_a" "$plug_b" "$pid"
  rm -rf "$work/vde"
  drop_ns "$a" "$b"
}

# (c) netback: netbackd with the vif TAP in a "host" namespace, `netfront attach` in a "guest"
# namespace, as scripts/demo.sh does. OFFLOADS is on, off, or empty (netfront's default, when
# netfront attach has no --offloads option yet). With run.sh's --poll-us N (where both ends have
# the option) the daemon gets --Netback:PollMicroseconds N and netfront --poll-us N.
bench_netback() {
  local queues=$1 offloads=$2 h=nbb-$id-h$1$2 g=nbb-$id-g$1$2 env=nb-${1}q
  local -a extra=() daemon_extra=()
  if [ -n "$offloads" ]; then env=$env-$offloads; extra=(--offloads "$offloads"); fi
  if [ -n "$poll_us" ] && [ "$daemon_poll" = 1 ]; then daemon_extra=(--Netback:PollMicroseconds "$poll_us"); fi
  if [ -n "$poll_us" ] && [ "$front_poll" = 1 ]; then extra+=(--poll-us "$poll_us"); fi
  echo "==> (c) netback $queues queue(s), offloads ${offloads:-netfront default}${poll_us:+, polling window $poll_us us}: $h <-> $g"
  new_ns "$h"; new_ns "$g"
  mkdir -p "$work/$env" # its own directory: the admin socket goes beside the control socket
  nb_start_netbackd "$h" "$work/$env/netback.sock" "$work/netbackd-$env.log" "${daemon_extra[@]}"
  local daemon_pid=$NB_NETBACKD_PID
  nb_attach_guest "$g" "$work/$env/netback.sock" "$work/netfront-$env.log" --name eth0 \
    --address "$net.2/24" --queues "$queues" "${extra[@]}"
  local front_pid=$NB_NETFRONT_PID
  ip -n "$h" addr add "$net.1/24" dev "$NB_VIF"
  ip -n "$h" link set "$NB_VIF" up
  path_suite "$env" "$g" "$h" "$net.1"
  nb_stop "$front_pid"
  nb_stop "$daemon_pid"
  drop_ns "$h" "$g"
}

# ringflood_run NS SOCKET DAEMON_PID MODE SIZE ORDER POLL RUN [RINGFLOOD ARGS...]: one ringflood
# run, recorded with its exit status (3: the daemon refused frames; report.py marks the row failed).
ringflood_run() {
  local ns=$1 socket=$2 daemon_pid=$3 mode=$4 size=$5 order=$6 poll=$7 r=$8 out rc=0; shift 8
  out=$work/ring-$mode-$size-o$order-p$poll-$r.json
  timeout $((seconds + 30)) ip netns exec "$ns" "$ringflood" --socket "$socket" --mode "$mode" \
    --size "$size" --ring-page-order "$order" --seconds "$seconds" --warmup 1 --daemon-pid "$daemon_pid" "$@" \
    >"$out" 2>>"$work/ringflood.log" || rc=$?
  record ring "ring-$mode" "$size" "$r" "$out" "$rc" "\"order\":$order,\"poll_us\":$poll"
  printf '    ring %-3s %5d B order %d%s run %d: %s\n' "$mode" "$size" "$order" \
    "$([ "$poll" = 0 ] || echo ", poll $poll us")" "$r" "$(progress ring "$out")"
}

# ringh_run MODE ORDER RUN: one run of the C ring.h pair (MODE sleep or spin).
ringh_run() {
  local mode=$1 order=$2 r=$3 out rc=0
  local -a opt=()
  [ "$mode" = spin ] && opt=(--spin)
  out=$work/ringh-$mode-o$order-$r.json
  timeout $((seconds + 30)) "$work/ringh_pair" --order "$order" --seconds "$seconds" --warmup 1 "${opt[@]}" \
    >"$out" 2>>"$work/ringh_pair.log" || rc=$?
  record ringh "$mode" "$order" "$r" "$out" "$rc" "\"order\":$order"
  printf '    ring.h pair %-5s order %d run %d: %s\n' "$mode" "$order" "$r" "$(progress ringh "$out")"
}

# build_ringh: compiles bench/ringh-pair/ringh_pair.c (Xen's ring.h/netif.h, libxen-dev) into the
# scratch dir; false, with a note, when gcc or the headers are missing or it does not build.
build_ringh() {
  if ! command -v gcc >/dev/null 2>&1; then
    note ringh "not measured: gcc is missing (apt-get install gcc libc6-dev libxen-dev)"; return 1
  fi
  if [ ! -f /usr/include/xen/io/netif.h ]; then
    note ringh "not measured: Xen's headers are missing (apt-get install libxen-dev)"; return 1
  fi
  if ! gcc -O2 -std=gnu11 -Wall -Werror -pthread -o "$work/ringh_pair" "$bench/ringh-pair/ringh_pair.c" \
    >"$work/ringh_pair-build.log" 2>&1; then
    note ringh "not measured: ringh_pair.c did not build: $(grep -m1 -E 'error|Error' "$work/ringh_pair-build.log" || head -n1 "$work/ringh_pair-build.log")"
    return 1
  fi
}

# The ring-only flood: ringflood (a Netfront.Client frontend) against netbackd started with its
# null data path (TX frames validated, answered and discarded; RX buffers filled with N-byte
# frames), in the daemon's namespace, beside the C ring.h pair (ringh_pair) at the same ring-page
# orders, run back to back in each round so a change of load hits both; then the socketpair
# baseline. TX 64 B at orders 0, 2 and 4 (ring.h pair: sleep mode); TX 64 B at order 0 with the
# polling window (daemon --Netback:PollMicroseconds 50, ringflood --poll-us 50) beside the pair's
# --spin limit; RX 64 B, TX and RX 1500 B at order 0.
bench_ring() {
  local ns=nbb-$id-r r order have_ringh=0 poll_pid="" size mode
  local ring_poll=50
  echo "==> ring-only flood in $ns (netbackd --Netback:NullDataPath true) beside the C ring.h pair"
  build_ringh && have_ringh=1
  new_ns "$ns"
  mkdir -p "$work/ring-tx" "$work/ring-poll" "$work/ring-rx64" "$work/ring-tx1500" "$work/ring-rx1500"
  nb_start_netbackd "$ns" "$work/ring-tx/ring.sock" "$work/netbackd-ring-tx64.log" \
    --Netback:NullDataPath true
  local tx_pid=$NB_NETBACKD_PID
  if [ "$daemon_poll" = 1 ] && [ "$ringflood_poll" = 1 ]; then
    nb_start_netbackd "$ns" "$work/ring-poll/ring.sock" "$work/netbackd-ring-poll.log" \
      --Netback:NullDataPath true --Netback:PollMicroseconds "$ring_poll"
    poll_pid=$NB_NETBACKD_PID
  else
    local why=""
    [ "$daemon_poll" = 1 ] || why="netbackd has no Netback:PollMicroseconds"
    [ "$ringflood_poll" = 1 ] || why="${why:+$why; }ringflood has no --poll-us (this tree's NetfrontQueueDriver has no PollWindow)"
    note ring-poll "not measured: $why"
  fi
  for r in $(seq "$runs"); do
    for order in 0 2 4; do
      [ "$have_ringh" = 0 ] || ringh_run sleep "$order" "$r"
      ringflood_run "$ns" "$work/ring-tx/ring.sock" "$tx_pid" tx 64 "$order" 0 "$r"
    done
    [ "$have_ringh" = 0 ] || ringh_run spin 0 "$r"
    if [ -n "$poll_pid" ]; then
      ringflood_run "$ns" "$work/ring-poll/ring.sock" "$poll_pid" tx 64 0 "$ring_poll" "$r" --poll-us "$ring_poll"
    fi
  done
  nb_stop "$tx_pid" ${poll_pid:+"$poll_pid"}
  # One daemon per direction and size from here, since the RX frame size is a daemon option.
  for size in 64 1500; do
    for mode in tx rx; do
      [ "$mode$size" = tx64 ] && continue
      local rx_size=0
      [ "$mode" = rx ] && rx_size=$size
      nb_start_netbackd "$ns" "$work/ring-$mode$size/ring.sock" "$work/netbackd-ring-$mode$size.log" \
        --Netback:NullDataPath true --Netback:NullRxFrameSize "$rx_size"
      local daemon_pid=$NB_NETBACKD_PID
      for r in $(seq "$runs"); do
        ringflood_run "$ns" "$work/ring-$mode$size/ring.sock" "$daemon_pid" "$mode" "$size" 0 0 "$r"
      done
      nb_stop "$daemon_pid"
    done
  done
  drop_ns "$ns"
  echo "==> socketpair baseline (one send + one recv per frame)"
  local out rc
  for size in 64 1500; do
    for r in $(seq "$runs"); do
      out=$work/socketpair-$size-$r.json
      rc=0
      timeout $((seconds + 30)) "$ringflood" --baseline socketpair --size "$size" --seconds "$seconds" --warmup 1 \
        >"$out" 2>>"$work/ringflood.log" || rc=$?
      record ring socketpair "$size" "$r" "$out" "$rc" '"order":0,"poll_us":0'
      printf '    socketpair %5d B run %d: %s\n' "$size" "$r" "$(progress ring "$out")"
    done
  done
}

# BenchmarkDotNet, short in-process jobs (see bench/Netback.Benchmarks/ShortConfig.cs).
bench_micro() {
  echo "==> BenchmarkDotNet micro-benchmarks"
  (cd "$work" && timeout 600 "$benchmarks" --filter '*' --artifacts "$work/bdn" --exporters json \
    >"$work/benchmarks.log" 2>&1) || { echo "    BenchmarkDotNet failed:"; tail -n 20 "$work/benchmarks.log"; }
  local f
  for f in "$work"/bdn/results/*-report-full-compressed.json "$work"/bdn/results/*-report.json; do
    [ -f "$f" ] && record micro bdn json 1 "$f"
  done
  grep -E '^\|' "$work/benchmarks.log" | sed 's/^/    /' || true
}
