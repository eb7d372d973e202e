# The scenarios of bench/run.sh; sourced by it after scripts/lib/netback.sh. They use its variables
# (id, net, work, manifest, runs, seconds, port, namespaces, ringflood, benchmarks) and append one
# JSON line per measured run to $manifest, naming the raw output file; bench/lib/report.py reads them.

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

# record KIND NAME METRIC RUN FILE: one manifest line.
record() {
  printf '{"kind":"%s","env":"%s","metric":"%s","run":%d,"file":"%s"}\n' "$1" "$2" "$3" "$4" "$5" >>"$manifest"
}

# listening NETNS PORT: true once a TCP socket listens on PORT in NETNS (ss itself exits 0 either way).
listening() { ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q .; }

# iperf_suite ENV CLIENT_NS SERVER_NS SERVER_IP: the iperf3 figures between a "guest" (the client)
# and a "host" (the server), each $runs times: TCP 1 and 4 streams both ways, UDP 64 B guest->host.
iperf_suite() {
  local env=$1 client=$2 server=$3 ip=$4 r metric out
  ip netns exec "$server" iperf3 -s -B "$ip" -p $port >"$work/iperf3-server-$env.log" 2>&1 &
  local server_pid=$!
  NB_PIDS+=("$server_pid")
  nb_wait_for 10 "the iperf3 server" listening "$server" $port
  nb_wait_for 10 "a path to $ip" ip netns exec "$client" ping -c 1 -W 1 "$ip"
  local -a specs=(
    "tcp1_g2h:"
    "tcp1_h2g:-R"
    "tcp4_g2h:-P 4"
    "tcp4_h2g:-P 4 -R"
    "udp64_g2h:-u -l 64 -b 0"
  )
  for r in $(seq "$runs"); do
    for spec in "${specs[@]}"; do
      metric=${spec%%:*}
      out=$work/iperf-$env-$metric-$r.json
      # shellcheck disable=SC2086 # the spec's options are words
      timeout $((seconds + 30)) ip netns exec "$client" iperf3 -c "$ip" -p $port -t "$seconds" -J ${spec#*:} \
        >"$out" 2>>"$work/iperf3-client-$env.log" || true
      record iperf "$env" "$metric" "$r" "$out"
      printf '    %-12s %-10s run %d: %s\n' "$env" "$metric" "$r" "$(python3 "$bench/lib/report.py" --one "$metric" "$out")"
      sleep 0.3 # let the server close the test before the next one connects
    done
  done
  nb_stop "$server_pid"
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
  iperf_suite veth "$a" "$b" "$net.1"
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
  iperf_suite socat "$a" "$b" "$net.1"
  nb_stop "$socat_pid"
  drop_ns "$a" "$b"
}

# (c) netback: netbackd with the vif TAP in a "host" namespace, `netfront attach` in a "guest"
# namespace, as scripts/demo.sh does. OFFLOADS is on, off, or empty (netfront's default, when
# netfront attach has no --offloads option yet).
bench_netback() {
  local queues=$1 offloads=$2 h=nbb-$id-h$1$2 g=nbb-$id-g$1$2 env=nb-${1}q
  local -a extra=()
  if [ -n "$offloads" ]; then env=$env-$offloads; extra=(--offloads "$offloads"); fi
  echo "==> (c) netback $queues queue(s), offloads ${offloads:-netfront default}: $h <-> $g"
  new_ns "$h"; new_ns "$g"
  nb_start_netbackd "$h" "$work/$env.sock" "$work/netbackd-$env.log"
  local daemon_pid=$NB_NETBACKD_PID
  nb_attach_guest "$g" "$work/$env.sock" "$work/netfront-$env.log" --name eth0 \
    --address "$net.2/24" --queues "$queues" "${extra[@]}"
  local front_pid=$NB_NETFRONT_PID
  ip -n "$h" addr add "$net.1/24" dev "$NB_VIF"
  ip -n "$h" link set "$NB_VIF" up
  iperf_suite "$env" "$g" "$h" "$net.1"
  nb_stop "$front_pid"
  nb_stop "$daemon_pid"
  drop_ns "$h" "$g"
}

# The ring-only flood: ringflood (a Netfront.Client frontend) against netbackd started with its
# null data path (TX frames counted and discarded, RX buffers filled with N-byte frames), in the
# daemon's namespace; then the socketpair baseline. One daemon per direction and size, since the
# RX frame size is a daemon option.
bench_ring() {
  local ns=nbb-$id-r mode size r out
  echo "==> ring-only flood in $ns (netbackd --Netback:NullDataPath true)"
  new_ns "$ns"
  for size in 64 1500; do
    for mode in tx rx; do
      local rx_size=0
      [ "$mode" = rx ] && rx_size=$size
      nb_start_netbackd "$ns" "$work/ring.sock" "$work/netbackd-ring-$mode$size.log" \
        --Netback:NullDataPath true --Netback:NullRxFrameSize "$rx_size"
      local daemon_pid=$NB_NETBACKD_PID
      for r in $(seq "$runs"); do
        out=$work/ring-$mode-$size-$r.json
        timeout $((seconds + 30)) ip netns exec "$ns" "$ringflood" --socket "$work/ring.sock" --mode "$mode" \
          --size "$size" --seconds "$seconds" --warmup 1 --daemon-pid "$daemon_pid" \
          >"$out" 2>>"$work/ringflood.log" || true
        record ring "ring-$mode" "$size" "$r" "$out"
        printf '    ring %-3s %5d B run %d: %s\n' "$mode" "$size" "$r" "$(python3 "$bench/lib/report.py" --one ring "$out")"
      done
      nb_stop "$daemon_pid"
      rm -f "$work/ring.sock"
    done
  done
  drop_ns "$ns"
  echo "==> socketpair baseline (one send + one recv per frame)"
  for size in 64 1500; do
    for r in $(seq "$runs"); do
      out=$work/socketpair-$size-$r.json
      timeout $((seconds + 30)) "$ringflood" --baseline socketpair --size "$size" --seconds "$seconds" --warmup 1 \
        >"$out" 2>>"$work/ringflood.log" || true
      record ring socketpair "$size" "$r" "$out"
      printf '    socketpair %5d B run %d: %s\n' "$size" "$r" "$(python3 "$bench/lib/report.py" --one ring "$out")"
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
