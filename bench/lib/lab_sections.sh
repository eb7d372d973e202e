# The sections of bench/lab.sh; sourced by it after scripts/lib/netback.sh and bench/lib/scenarios.sh
# (new_ns, drop_ns, cpu_line, listening, listening_udp). They use its variables (id, net, work, out,
# results, runs, seconds, quick, ringflood, pidfile, namespaces) and write results.jsonl through
# bench/lib/lab.py. Each section runs in a subshell (run_section): its own EXIT trap stops what it
# started and removes its namespaces; a section that fails is recorded failed, the lab goes on.

# --- switches ------------------------------------------------------------------------------------

# daemon_has KEY BAD_VALUE: true when netbackd knows Netback:KEY, i.e. refuses BAD_VALUE at start
# (the configuration binder ignores a key it does not know, so an unknown switch starts fine).
daemon_has() {
  local key=$1 bad=$2 d ns pid rc=1
  d=$(mktemp -d "$work/probe.XXXX")
  ns=nbl-$id-probe
  ip netns add "$ns" 2>/dev/null || true
  ip netns exec "$ns" "$NB_NETBACKD" --socket "$d/nb.sock" --admin-socket "$d/admin.sock" \
    --Netback:StateDirectory "$d/state" --Netback:NullDataPath true "--Netback:$key" "$bad" >"$d/log" 2>&1 &
  pid=$!
  echo "$pid" >>"$pidfile"
  for _ in $(seq 300); do
    if ! kill -0 "$pid" 2>/dev/null; then rc=0; break; fi # refused: the switch exists
    if [ -S "$d/nb.sock" ]; then rc=1; break; fi         # served: the key was ignored
    sleep 0.1
  done
  nb_stop "$pid"
  ip netns del "$ns" 2>/dev/null || true
  return $rc
}

# detect_switches: sets sw_* to 1 for each switch this build has.
detect_switches() {
  local front ring
  front=$("$NB_NETFRONT" attach --help 2>&1 || true)
  ring=$("$ringflood" --help 2>&1 || true)
  sw_threads=0 sw_front_threads=0 sw_suppress=0 sw_front_suppress=0 sw_txc=0 sw_tapbatch=0
  sw_placement=0 sw_front_cpus=0 sw_map=0 sw_slot_layout=0 sw_ring_cpus=0 sw_ring_layout=0 sw_scale=0
  daemon_has Threads not-a-mode && sw_threads=1
  daemon_has EventSuppression not-a-bool && sw_suppress=1
  daemon_has TapBatch not-a-mode && sw_tapbatch=1
  daemon_has Placement not-a-placement && sw_placement=1
  # tx-copy=map: a vifspec value netbackd refuses at start when it does not know it.
  daemon_has DefaultVifSpec tx-copy=map || sw_map=1
  grep -q -- '--threads' <<<"$front" && sw_front_threads=1
  grep -q -- '--no-event-suppression' <<<"$front" && sw_front_suppress=1
  grep -q -- '--tx-completion' <<<"$front" && sw_txc=1
  grep -q -- '--cpus' <<<"$front" && sw_front_cpus=1
  grep -q -- '--producer-cpu' <<<"$ring" && sw_ring_cpus=1
  grep -q -- '--layout' <<<"$ring" && sw_ring_layout=1
  grep -q -- '--vifs' <<<"$ring" && sw_scale=1
  # cacheline-slot: ringflood refuses a layout it does not know before connecting (exit 2).
  if [ "$sw_ring_layout" = 1 ]; then
    local said
    said=$("$ringflood" --socket /nonexistent --layout cacheline-slot --seconds 0.1 2>&1 || true)
    grep -q -- '--layout must' <<<"$said" || sw_slot_layout=1
  fi
}

switch_summary() {
  echo "Netback:Threads $sw_threads, netfront --threads $sw_front_threads, Netback:EventSuppression $sw_suppress," \
    "netfront --no-event-suppression $sw_front_suppress, netfront --tx-completion $sw_txc, Netback:TapBatch $sw_tapbatch," \
    "Netback:Placement $sw_placement, netfront --cpus $sw_front_cpus, tx-copy=map $sw_map, layout cacheline-slot $sw_slot_layout," \
    "ringflood --producer-cpu $sw_ring_cpus, ringflood --layout $sw_ring_layout, ringflood --vifs $sw_scale"
}

# --- recording -----------------------------------------------------------------------------------

# rec ARGS...: bench/lib/lab.py on the run's results.
rec() { python3 "$bench/lib/lab.py" --results "$results" "$@"; }
# rec_at SECTION CONDITION SERIES RUN COMMAND ARGS...: lab.py on one run's figures.
rec_at() { rec --section "$1" --condition "$2" --series "$3" --run "$4" "${@:5}"; }
# section_line STATUS [REASON] [CONDITIONS]: the current section's status line.
section_line() { rec section "$SECTION" "$1" ${2:+--reason "$2"} ${3:+--conditions "$3"}; }
# note TEXT: a line under the current section (overrides scenarios.sh's note, which writes run.sh's manifest).
note() { rec note "$SECTION" "$1"; }
# missing TEXT: a condition not measured (its switch is not built); the section becomes partial.
missing() { note "$1: not measured: switch not built"; echo "$1" >>"$work/$SECTION.missing"; }

# run_section NAME: runs section_NAME in a subshell that cleans up after itself; records failed
# (with the last error line) when it exits non-zero, partial when conditions were missing.
run_section() {
  local name=$1 rc=0 fn=section_${1//-/_}
  SECTION=$name
  echo "==> [$name] $(date -u +%H:%M:%S)"
  : >"$work/$name.missing"
  (
    set -euo pipefail
    NB_PIDS=()
    namespaces=()
    section_cleanup() {
      local s=$?
      trap - EXIT INT TERM
      nb_stop_all
      local ns
      for ns in "${namespaces[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
      exit $s
    }
    trap section_cleanup EXIT
    trap 'exit 143' TERM
    "$fn"
  ) 2> >(tee "$work/$name.err" >&2) &
  # In the background and waited for, so that lab.sh's INT/TERM trap runs at once (stop_section).
  SECTION_PID=$!
  wait "$SECTION_PID" || rc=$?
  SECTION_PID=""
  sleep 0.2 # let tee write the error file
  if [ $rc -ne 0 ]; then
    local why
    why=$(grep -v '^\s*$' "$work/$name.err" | tail -n 1 | cut -c1-300)
    rec section "$name" failed --reason "exit status $rc: ${why:-no message}"
    echo "    [$name] FAILED (exit status $rc): ${why:-no message}"
  elif [ -s "$work/$name.missing" ]; then
    rec section "$name" partial --reason "not built here: $(paste -sd, "$work/$name.missing" | sed 's/,/, /g')"
  fi
  return 0
}

# stop_section: lab.sh's trap on INT/TERM while a section runs: TERM to the section's subshell,
# then every process inside the run's own namespaces (nbl-<id>-*: only ours are there), so that
# what the subshell waits on ends and its EXIT trap runs; waits up to 15 s for it.
stop_section() {
  [ -n "${SECTION_PID:-}" ] || return 0
  kill -0 "$SECTION_PID" 2>/dev/null || return 0
  echo "==> stopping section $SECTION"
  kill -TERM "$SECTION_PID" 2>/dev/null || true
  local ns pid
  for ns in $(ip netns list | awk '{print $1}' | grep "^nbl-$id-" || true); do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null || true; done
  done
  for _ in $(seq 150); do kill -0 "$SECTION_PID" 2>/dev/null || break; sleep 0.1; done
  rec section "$SECTION" failed --reason "interrupted (signal)" || true
  SECTION_PID=""
}

# --- building blocks -----------------------------------------------------------------------------

# track PID: stopped by the section's cleanup, and by lab.sh's if the section was killed.
track() { NB_PIDS+=("$1"); echo "$1" >>"$pidfile"; }

# daemon NS DIR [ARGS...]: netbackd in NS with its sockets and state in DIR. Sets DAEMON_PID, ADMIN.
daemon() {
  local ns=$1 dir=$2; shift 2
  mkdir -p "$dir"
  nb_start_netbackd "$ns" "$dir/nb.sock" "$dir/netbackd.log" --Netback:StateDirectory "$dir/state" "$@"
  DAEMON_PID=$NB_NETBACKD_PID
  echo "$DAEMON_PID" >>"$pidfile"
  ADMIN=$dir/admin.sock
  SOCK=$dir/nb.sock
}

# guest NS LOG ADDRESS [NETFRONT ARGS...]: `netfront attach` in NS as eth0 with ADDRESS. Sets VIF, FRONT_PID.
guest() {
  local ns=$1 log=$2 addr=$3; shift 3
  nb_attach_guest "$ns" "$SOCK" "$log" --name eth0 --address "$addr" "$@"
  FRONT_PID=$NB_NETFRONT_PID
  echo "$FRONT_PID" >>"$pidfile"
  VIF=$NB_VIF
}

# pair TAG "DAEMON ARGS" "NETFRONT ARGS": a host namespace with netbackd and the vif's TAP at
# $net.1, a guest namespace with netfront at $net.2. Sets H, G, VIF, DAEMON_PID, FRONT_PID, ADMIN.
pair() {
  local tag=$1 dargs=$2 fargs=$3
  H=nbl-$id-h$tag G=nbl-$id-g$tag
  new_ns "$H"; new_ns "$G"
  # shellcheck disable=SC2086 # the arguments are words
  daemon "$H" "$work/$SECTION-$tag" $dargs
  RSS_BEFORE=$(rec rss "$DAEMON_PID")
  # shellcheck disable=SC2086
  guest "$G" "$out/raw/$SECTION-$tag-netfront.log" "$net.2/24" $fargs
  cp "$work/$SECTION-$tag/netbackd.log" "$out/raw/$SECTION-$tag-netbackd.log" 2>/dev/null || true
  ip -n "$H" addr add "$net.1/24" dev "$VIF"
  ip -n "$H" link set "$VIF" up
  nb_wait_for 15 "a path to the host" ip netns exec "$G" ping -c 1 -W 1 "$net.1"
  ip netns exec "$H" iperf3 -s -B "$net.1" -p 5201 >"$out/raw/$SECTION-$tag-iperf3-server.log" 2>&1 &
  track $!
  nb_wait_for 10 "the iperf3 server" listening "$H" 5201
  # Warm-up: the JIT's tiers settle in the first second of traffic.
  ip netns exec "$G" ping -c 50 -i 0.005 -q "$net.1" >/dev/null 2>&1 || true
  timeout 20 ip netns exec "$G" iperf3 -c "$net.1" -p 5201 -t 1 >/dev/null 2>&1 || true
  sleep 0.3
}

unpair() {
  nb_stop "$FRONT_PID" "$DAEMON_PID"
  cp "$work/$SECTION-$1/netbackd.log" "$out/raw/$SECTION-$1-netbackd.log" 2>/dev/null || true
  drop_ns "$H" "$G"
}

# stats FILE: the daemon's counters now (netbackctl stats --json, one line).
stats() { timeout 15 "$NB_NETBACKCTL" --admin-socket "$ADMIN" stats --json >"$1" 2>>"$out/raw/netbackctl.err" || true; }

# iperf NS SERVER_IP PORT FILE ARGS...: one iperf3 client run, /proc/stat's cpu line before and after.
iperf() {
  local ns=$1 ip=$2 port=$3 file=$4 rc=0; shift 4
  cpu_line >"$file.cpu"
  timeout $((seconds + 30)) ip netns exec "$ns" iperf3 -c "$ip" -p "$port" -t "$seconds" -J "$@" >"$file" 2>>"$file.err" || rc=$?
  cpu_line >>"$file.cpu"
  sleep 0.3 # let the server close the test before the next one connects
  return 0
}

# proc_ticks PID...: the processes' CPU time so far (utime + stime, USER_HZ ticks, all threads).
proc_ticks() {
  local p t=0 v
  for p in "$@"; do
    v=$(cut -d')' -f2- "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13}')
    t=$((t + ${v:-0}))
  done
  echo "$t"
}

# measured SECTION CONDITION SERIES RUN NAME METRICS IPERF ARGS...: one g2h iperf3 run through the
# current pair, with the daemon's counters before and after, recorded.
measured() {
  local sec=$1 cond=$2 series=$3 r=$4 name=$5 metrics=$6; shift 6
  local base=$out/raw/$sec-$name-r$r
  stats "$base.stats0"
  local t0 t1
  t0=$(proc_ticks "$DAEMON_PID" "$FRONT_PID")
  iperf "$G" "$net.1" 5201 "$base.json" "$@"
  t1=$(proc_ticks "$DAEMON_PID" "$FRONT_PID")
  stats "$base.stats1"
  printf '    %-14s %-18s %-12s run %d\n' "$sec" "$cond" "$series" "$r"
  rec_at "$sec" "$cond" "$series" "$r" iperf --file "$base.json" --stats "$base.stats0" "$base.stats1" --ticks "$t0" "$t1" --metrics "$metrics"
}

# pinged SECTION CONDITION SERIES RUN NAME: ping -i 0.01 for the run's seconds, recorded with the counters.
pinged() {
  local sec=$1 cond=$2 series=$3 r=$4 name=$5 base
  base=$out/raw/$1-$5-r$4
  stats "$base.stats0"
  timeout $((seconds + 30)) ip netns exec "$G" ping -n -i 0.01 -c $((seconds * 100)) -W 1 "$net.1" >"$base.ping" 2>&1 || true
  stats "$base.stats1"
  printf '    %-14s %-18s %-12s run %d\n' "$sec" "$cond" "$series" "$r"
  rec_at "$sec" "$cond" "$series" "$r" ping --file "$base.ping" --stats "$base.stats0" "$base.stats1"
}

# --- sections ------------------------------------------------------------------------------------

# fairness: 8 flooding vifs and a light 9th (the victim, pinging) on one daemon, all TAPs on one
# bridge in the host namespace, one iperf3 server per flooding vif.
section_fairness() {
  local modes=(per-queue pool:1 pool:2 split) mode r i
  [ "$quick" = 1 ] && modes=(per-queue pool:2 split)
  section_line running "" "8 vifs (1 queue each) on one netbackd, each its own guest namespace, flooding g→h to its own iperf3 server for ${seconds} s: TCP (1 stream each), then UDP (1400 B, unlimited rate); a 9th vif pings the host every 10 ms meanwhile (the victim). Thread modes: netbackd --Netback:Threads per-queue|pool:N|split (split also netfront --threads split); per-queue is the default. $runs run(s) per figure."
  for mode in "${modes[@]}"; do
    local dargs=() fargs=()
    if [ "$mode" != per-queue ]; then
      if [ "$sw_threads" = 0 ]; then missing "threads $mode"; continue; fi
      dargs=(--Netback:Threads "$mode")
      if [ "$mode" = split ]; then
        if [ "$sw_front_threads" = 1 ]; then fargs=(--threads split); else note "split: netfront has no --threads: the guests ran their default threads"; fi
      fi
    elif [ "$sw_threads" = 1 ]; then
      dargs=(--Netback:Threads per-queue)
    fi
    local tag=${mode//:/}
    local h=nbl-$id-fh$tag br=nblbr$id
    new_ns "$h"
    daemon "$h" "$work/fair-$tag" --Netback:MaxVifs 64 "${dargs[@]}"
    ip -n "$h" link add "$br" type bridge
    ip -n "$h" addr add "$net.1/24" dev "$br"
    ip -n "$h" link set "$br" up
    local guests=()
    for i in $(seq 0 8); do
      local g=nbl-$id-f$tag$i
      new_ns "$g"
      guests+=("$g")
      guest "$g" "$out/raw/fairness-$tag-netfront$i.log" "$net.$((10 + i))/24" "${fargs[@]}"
      ip -n "$h" link set "$VIF" master "$br"
      ip -n "$h" link set "$VIF" up
    done
    for i in $(seq 0 7); do
      ip netns exec "$h" iperf3 -s -B "$net.1" -p $((5301 + i)) >"$out/raw/fairness-$tag-server$i.log" 2>&1 &
      track $!
    done
    for i in $(seq 0 8); do nb_wait_for 15 "a path from guest $i" ip netns exec "${guests[i]}" ping -c 1 -W 1 "$net.1"; done
    for i in $(seq 0 7); do nb_wait_for 10 "iperf3 server $i" listening "$h" $((5301 + i)); done
    for r in $(seq "$runs"); do
      local kind
      for kind in TCP UDP; do
        local files=() pids=() base=$out/raw/fairness-$tag-$kind-r$r
        local -a extra=()
        [ "$kind" = UDP ] && extra=(-u -b 0 -l 1400)
        ip netns exec "${guests[8]}" ping -n -i 0.01 -c $((seconds * 100)) -W 1 "$net.1" >"$base-victim.ping" 2>&1 &
        local ping_pid=$!
        track "$ping_pid"
        for i in $(seq 0 7); do
          timeout $((seconds + 30)) ip netns exec "${guests[i]}" iperf3 -c "$net.1" -p $((5301 + i)) -t "$seconds" -J "${extra[@]}" \
            >"$base-vif$i.json" 2>>"$base-vif$i.err" &
          pids+=($!)
          track "$!"
          files+=("$base-vif$i.json")
        done
        for i in "${pids[@]}"; do wait "$i" || true; done
        wait "$ping_pid" || true
        printf '    fairness %-10s %s run %d\n' "$mode" "$kind" "$r"
        rec_at fairness "$mode" "$kind" "$r" pervif --files "${files[@]}"
        rec_at fairness "$mode" "victim ($kind flood)" "$r" ping --file "$base-victim.ping"
        sleep 0.5
      done
    done
    nb_stop_all
    cp "$work/fair-$tag/netbackd.log" "$out/raw/fairness-$tag-netbackd.log" 2>/dev/null || true
    drop_ns "$h" "${guests[@]}"
  done
  section_line ok
}

# events: split against single event channels, with split TX/RX threads where built.
section_events() {
  local dbase="" fbase="" cond r
  if [ "$sw_threads" = 1 ]; then dbase="--Netback:Threads split"; else note "split threads (Netback:Threads split): switch not built: the daemon ran its default threads"; fi
  if [ "$sw_front_threads" = 1 ]; then fbase="--threads split"; fi
  section_line running "" "One vif, 1 queue, guest → host for ${seconds} s: TCP (1 stream) and UDP 64 B (unlimited rate); event channels split (the default, netbackd Netback:SplitEventChannels true) or single (netfront --single-event-channel); threads: ${dbase:-the daemon default} ${fbase:+/ netfront $fbase (with a single channel netfront runs one thread per queue: its split threads need split channels)}. Notifications and wake-ups are the daemon's counters (netbackctl stats --json) over the run, per frame it moved (TX + RX). $runs run(s)."
  for cond in split single; do
    local fargs=$fbase
    # netfront's split threads need split channels (two threads draining one call eventfd could
    # each miss the other's call): with a single channel netfront runs one thread per queue.
    [ "$cond" = single ] && fargs="--single-event-channel"
    pair "$cond" "$dbase" "$fargs"
    for r in $(seq "$runs"); do
      measured events "$cond" TCP "$r" "$cond-tcp" throughput,notif_per_pkt,wakeups_per_pkt
      measured events "$cond" "UDP 64 B" "$r" "$cond-udp64" throughput,notif_per_pkt,wakeups_per_pkt -u -b 0 -l 64
    done
    unpair "$cond"
  done
  section_line ok
}

# ring-order: TCP and bursty UDP through one vif at ring-page-order 0..4; memory per vif.
section_ring_order() {
  local order r
  local orders=(0 1 2 3 4)
  [ "$quick" = 1 ] && orders=(0 2 4)
  section_line running "" "One vif, 1 queue, netfront --ring-page-order $(echo "${orders[@]}" | tr ' ' ,) (netbackd allows 4), guest → host for ${seconds} s: TCP (1 stream) and bursty UDP (1400 B at 2 Gbit/s in bursts of 256 datagrams: iperf3 -b 2G/256). Drops: the daemon's drop counters over the run; loss: iperf3's receiver. Memory per vif: the daemon's RSS after the guest attached and moved traffic minus before it attached, plus the two shared rings' pages (2 × 4 KiB × 2^order, the frontend's). $runs run(s)."
  for order in "${orders[@]}"; do
    pair "o$order" "" "--ring-page-order $order"
    for r in $(seq "$runs"); do
      measured ring-order "order $order" TCP "$r" "o$order-tcp" gbps,drops
      measured ring-order "order $order" "UDP burst" "$r" "o$order-udp" gbps,lost_pct,drops -u -l 1400 -b 2G/256
      local rss
      rss=$(rec rss "$DAEMON_PID")
      rec_at ring-order "order $order" "" "$r" value --metric mem_kib --value $((rss - RSS_BEFORE + 2 * 4 * (1 << order)))
    done
    unpair "o$order"
  done
  section_line ok
}

# layout: ring-only TX 64 B (ringflood against a null-data-path daemon) per layout, producer and
# consumer on the same core and on different cores.
section_layout() {
  if [ "$sw_ring_layout" = 0 ]; then section_line not-measured "ringflood has no --layout"; return 0; fi
  local layouts=(xen cacheline) places=(same-core) layout place r how
  [ "$sw_slot_layout" = 1 ] && layouts+=(cacheline-slot) || missing "layout cacheline-slot"
  [ "$(nproc)" -ge 2 ] && places+=(other-core) || note "one CPU: other-core not measured"
  if [ "$sw_ring_cpus" = 1 ]; then
    how="ringflood --producer-cpu 0 --consumer-cpu 0|1"
  else
    how="taskset: ringflood (the producer) on CPU 0, every netbackd thread (the consumer) on CPU 0 or 1 (ringflood has no --producer-cpu/--consumer-cpu here)"
    note "pinning by taskset on the processes: $how"
  fi
  section_line running "" "Ring-only: ringflood TX 64 B (one queue) against netbackd --Netback:NullDataPath true (frames validated, answered, discarded; no TAP) for ${seconds} s after 1 s of warm-up; layouts xen (Xen's sring, ring-page-order 0), cacheline, cacheline-slot where built, each at the ring-page-order that gives it as many TX slots as xen's; placement: $how. CPU ns per packet: ringflood's and the daemon's CPU time over the window ÷ packets. $runs run(s)."
  local ns=nbl-$id-ly
  new_ns "$ns"
  # Equal slot counts: a layout with fewer slots per page than Xen's (the cacheline layouts give
  # each index, and maybe each slot, a cache line of its own) runs at the next order until it has
  # as many TX slots as Xen's sring at order 0. A short probe run reads each layout's slot count.
  declare -A order_of=()
  daemon "$ns" "$work/layout-probe" --Netback:NullDataPath true
  local want="" o slots
  for layout in "${layouts[@]}"; do
    order_of[$layout]=0
    for o in 0 1 2 3 4; do
      timeout 60 ip netns exec "$ns" "$ringflood" --socket "$SOCK" --mode tx --size 64 --layout "$layout" --ring-page-order "$o" \
        --seconds 0.2 --warmup 0 >"$work/probe-$layout-$o.json" 2>/dev/null || true
      slots=$(rec slots "$work/probe-$layout-$o.json" | awk '{print $1}')
      [ -n "$want" ] || want=$slots
      order_of[$layout]=$o
      [ "$slots" != "$want" ] || break
    done
    note "$layout: ring-page-order ${order_of[$layout]} ($(rec slots "$work/probe-$layout-${order_of[$layout]}.json"))"
  done
  nb_stop "$DAEMON_PID"
  for place in "${places[@]}"; do
    local cpu=0
    [ "$place" = other-core ] && cpu=1
    daemon "$ns" "$work/layout-$place" --Netback:NullDataPath true
    [ "$sw_ring_cpus" = 1 ] || taskset -a -pc "$cpu" "$DAEMON_PID" >/dev/null
    for r in $(seq "$runs"); do
      for layout in "${layouts[@]}"; do
        local f=$out/raw/layout-$layout-$place-r$r.json
        local -a pin=(taskset -c 0) opts=()
        if [ "$sw_ring_cpus" = 1 ]; then pin=(); opts=(--producer-cpu 0 --consumer-cpu "$cpu"); fi
        timeout $((seconds + 30)) ip netns exec "$ns" "${pin[@]}" "$ringflood" --socket "$SOCK" --mode tx --size 64 \
          --layout "$layout" --ring-page-order "${order_of[$layout]}" --seconds "$seconds" --warmup 1 --daemon-pid "$DAEMON_PID" "${opts[@]}" >"$f" 2>>"$f.err" || true
        printf '    layout %-15s %-10s run %d\n' "$layout" "$place" "$r"
        rec_at layout "$layout" "$place" "$r" ring --file "$f" || true
      done
    done
    nb_stop "$DAEMON_PID"
  done
  section_line ok
}

# txcopy: the daemon's TX copy modes (vifspec tx-copy=, host side, through Netback:DefaultVifSpec).
section_txcopy() {
  local modes=(direct bounce) mode r
  [ "$sw_map" = 1 ] && modes+=(map) || missing "tx-copy=map"
  section_line running "" "One vif, 1 queue, guest → host for ${seconds} s, netbackd --Netback:DefaultVifSpec tx-copy=direct|bounce|map: UDP 64 B and UDP 1472 B (1500 B frames) at unlimited rate, and TCP (offloads on: up to 64 KiB GSO frames). CPU: netbackd's and netfront's CPU time (/proc/PID/stat, all threads, user + system: the kernel's work in their system calls included, iperf3's and softirq on other threads not) over the run ÷ the frames the daemon moved (its tx + rx packet counters); the machine is shared, so the whole machine's busy time is not used here. $runs run(s)."
  for mode in "${modes[@]}"; do
    pair "$mode" "--Netback:DefaultVifSpec tx-copy=$mode" ""
    grep -q "tx-copy.\{0,3\}$mode" "$work/txcopy-$mode/netbackd.log" || note "$mode: the daemon's connected line does not show tx-copy $mode (see raw/txcopy-$mode-netbackd.log)"
    for r in $(seq "$runs"); do
      measured txcopy "$mode" "64 B" "$r" "$mode-64" cpu_ns_per_pkt,mbps -u -b 0 -l 64
      measured txcopy "$mode" "1500 B" "$r" "$mode-1500" cpu_ns_per_pkt,mbps -u -b 0 -l 1472
      measured txcopy "$mode" "64 KiB (TCP GSO)" "$r" "$mode-tcp" cpu_ns_per_pkt,mbps
    done
    unpair "$mode"
  done
  section_line ok
}

# notifications: one condition per switch against the defaults.
section_notifications() {
  local conds=("defaults||") c r polls=(20 50 100 200) p
  [ "$quick" = 1 ] && polls=(50)
  if [ "$sw_suppress" = 1 ]; then
    conds+=("no suppression|--Netback:EventSuppression false|$([ "$sw_front_suppress" = 1 ] && echo --no-event-suppression)")
  else missing "event suppression off"; fi
  for p in "${polls[@]}"; do conds+=("poll $p µs|--Netback:PollMicroseconds $p|--poll-us $p"); done
  # half is netfront's default (xen-netfront's xennet_tx_buf_gc): the condition is the old per-packet call.
  if [ "$sw_txc" = 1 ]; then conds+=("tx-completion per-packet||--tx-completion per-packet"); else missing "tx-completion per-packet"; fi
  if [ "$sw_tapbatch" = 1 ]; then conds+=("tap io-uring|--Netback:TapBatch io-uring|")
  else note "TAP batching: no switch: bench/tap-batch/tap_batch.c measured io_uring (32 writevs per io_uring_enter) at +12% CPU per frame and IFF_NAPI at 1.8x against one writev per frame (bench/README.md), so it was not built"; fi
  section_line running "" "One vif, 1 queue, guest → host, ${seconds} s each: iperf3 TCP, iperf3 UDP 64 B (unlimited rate) and ping every 10 ms. Conditions: the defaults; event-index suppression off (netbackd --Netback:EventSuppression false, netfront --no-event-suppression); the polling window (netbackd --Netback:PollMicroseconds N, netfront --poll-us N) at ${polls[*]} µs; netfront --tx-completion per-packet (half is the default). Notifications and wake-ups: the daemon's counters per frame it moved. CPU per GB: netbackd's and netfront's CPU time over the TCP run ÷ GB received. $runs run(s)."
  local n=0
  for c in "${conds[@]}"; do
    local name=${c%%|*} rest=${c#*|}
    local dargs=${rest%%|*} fargs=${rest#*|}
    n=$((n + 1))
    pair "n$n" "$dargs" "$fargs"
    for r in $(seq "$runs"); do
      measured notifications "$name" TCP "$r" "n$n-tcp" gbps,cpu_s_per_gb,notif_per_pkt,wakeups_per_pkt
      measured notifications "$name" "UDP 64 B" "$r" "n$n-udp64" notif_per_pkt,wakeups_per_pkt -u -b 0 -l 64
      pinged notifications "$name" ping "$r" "n$n-ping"
    done
    unpair "n$n"
  done
  section_line ok
}

# placement: where the daemon's workers run relative to the frontend (pinned to CPU 0).
section_placement() {
  local nodes conds=() c r
  nodes=$(ls -d /sys/devices/system/node/node[0-9]* 2>/dev/null | wc -l)
  [ "$nodes" -ge 1 ] || nodes=1
  local topo="" n
  for n in /sys/devices/system/node/node[0-9]*; do
    [ -e "$n/cpulist" ] && topo="$topo${topo:+; }$(basename "$n"): CPUs $(cat "$n/cpulist")"
  done
  if [ "$nodes" = 1 ]; then
    note "topology: one NUMA node ($topo): same-node is every CPU and other-node does not exist, so the comparison is same core against other core"
  else
    note "topology: $nodes NUMA nodes ($topo)"
  fi
  if [ "$sw_placement" = 1 ]; then
    conds=("none|--Netback:Placement none" "same-cpu|--Netback:Placement same-cpu" "other-cpu|--Netback:Placement other-cpu")
    if [ "$nodes" -ge 2 ]; then
      conds+=("same-node|--Netback:Placement same-node" "other-node|--Netback:Placement other-node")
    else
      conds+=("same-node|--Netback:Placement same-node")
      note "other-node: not measured: this machine has one NUMA node"
    fi
    [ "$sw_front_cpus" = 1 ] || note "netfront has no --cpus: the frontend was pinned to CPU 0 with taskset"
  else
    missing "netbackd --Netback:Placement"
    conds=("none|" "same-cpu (taskset)|0" "other-cpu (taskset)|1")
    note "fallback without the switch: netfront pinned to CPU 0 and every netbackd thread to CPU 0 (same) or 1 (other) with taskset"
  fi
  section_line running "" "One vif, 1 queue, netfront pinned to CPU 0 (netfront --cpus 0, or taskset), guest → host: iperf3 TCP for ${seconds} s and ping every 10 ms; the daemon's workers placed by netbackd --Netback:Placement none|same-cpu|same-node|other-node|other-cpu (or taskset when not built). CPU per GB: netbackd's and netfront's CPU time over the TCP run ÷ GB received. $runs run(s)."
  local n=0
  for c in "${conds[@]}"; do
    local name=${c%%|*} arg=${c#*|} dargs="" fargs=""
    n=$((n + 1))
    if [ "$sw_placement" = 1 ]; then
      dargs=$arg
      [ "$sw_front_cpus" = 1 ] && fargs="--cpus 0"
    fi
    pair "p$n" "$dargs" "$fargs"
    if [ "$sw_placement" = 0 ] || [ "$sw_front_cpus" = 0 ]; then
      [ "$name" = none ] || taskset -a -pc 0 "$FRONT_PID" >/dev/null
    fi
    if [ "$sw_placement" = 0 ] && [ -n "$arg" ]; then taskset -a -pc "$arg" "$DAEMON_PID" >/dev/null; fi
    for r in $(seq "$runs"); do
      measured placement "$name" TCP "$r" "p$n-tcp" gbps,cpu_s_per_gb
      pinged placement "$name" ping "$r" "p$n-ping"
    done
    unpair "p$n"
  done
  section_line ok
}

# scale: K light frontends in one ringflood process (--vifs K) against a null-data-path daemon.
section_scale() {
  if [ "$sw_scale" = 0 ]; then section_line not-measured "ringflood has no --vifs (the scale mode)"; return 0; fi
  local ks=(1 10 100 500) modes=(per-queue pool:2) k mode r
  [ "$quick" = 1 ] && ks=(1 10 100)
  [ "$sw_threads" = 1 ] || { missing "threads pool:2"; modes=(per-queue); }
  section_line running "" "One netbackd (--Netback:NullDataPath true, --Netback:MaxVifs 600, a fresh one per count) and one ringflood --vifs K process attaching K one-queue vifs in turn (K = ${ks[*]}), then idling ${seconds}/2 s (at least 1 s; the daemon's CPU meanwhile is the idle CPU), then all K flooding TX 64 B for ${seconds} s. Threads: per-queue (the default) and --Netback:Threads pool:2 where built. RSS per vif: the daemon's RSS after the attaches minus before, ÷ K. $runs run(s)."
  local ns=nbl-$id-sc
  new_ns "$ns"
  for mode in "${modes[@]}"; do
    local dargs=()
    [ "$sw_threads" = 1 ] && dargs=(--Netback:Threads "$mode")
    for k in "${ks[@]}"; do
      for r in $(seq "$runs"); do
        daemon "$ns" "$work/scale-${mode//:/}-$k-$r" --Netback:NullDataPath true --Netback:MaxVifs 600 "${dargs[@]}"
        local f=$out/raw/scale-${mode//:/}-$k-r$r.json
        timeout $((seconds * 2 + 120 + k / 2)) ip netns exec "$ns" "$ringflood" --socket "$SOCK" --vifs "$k" --seconds "$seconds" \
          --warmup 1 --daemon-pid "$DAEMON_PID" >"$f" 2>>"$f.err" || true
        printf '    scale %-10s %4d vifs run %d\n' "$mode" "$k" "$r"
        rec_at scale "$k vifs" "$mode" "$r" scale --file "$f" || true
        nb_stop "$DAEMON_PID"
      done
    done
  done
  section_line ok
}
