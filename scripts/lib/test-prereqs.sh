# shellcheck shell=bash
# What the test suite needs on a Debian machine, installed if missing (idempotent, non-interactive):
# the packages its root tier uses, /dev/net/tun, and a running Open vSwitch for the vif-openvswitch
# hotplug test. Used by .ci/run and by scripts/test.sh when it runs as root, so a fresh machine's
# root shell runs every test with none skipped for a missing tool.
#   nb_test_prereqs

nb_test_prereqs() {
  export DEBIAN_FRONTEND=noninteractive
  packages=(iperf3 iproute2 iputils-ping ethtool gcc libc6-dev libxen-dev procps kmod tcpdump util-linux openvswitch-switch
    clang zlib1g-dev) # clang, zlib: netbackd's Native AOT publish (scripts/test.sh, NativeAotDaemonTests)

  missing=()
  for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$p")
    fi
  done
  if ((${#missing[@]} > 0)); then
    echo "==> installing ${missing[*]}"
    # iperf3's postinst asks whether to start a daemon: answer no before it can ask.
    echo 'iperf3 iperf3/start_daemon boolean false' | debconf-set-selections
    apt-get update -q
    apt-get install -y -q --no-install-recommends \
      -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
      "${packages[@]}"
  else
    echo "==> packages already installed: ${packages[*]}"
  fi

  if [[ ! -c /dev/net/tun ]]; then
    echo "==> /dev/net/tun missing: loading tun"
    modprobe tun || true
    if [[ ! -c /dev/net/tun ]]; then
      mkdir -p /dev/net
      mknod -m 0666 /dev/net/tun c 10 200 || true
    fi
  fi
  if [[ -c /dev/net/tun ]]; then
    echo "==> /dev/net/tun present"
  else
    echo "==> warning: no /dev/net/tun; TAP tests will fail or skip" >&2
  fi

  # Open vSwitch for the vif-openvswitch hotplug test: ovsdb-server and ovs-vswitchd, which the test's
  # bridge uses with the userspace datapath (no kernel module). Best effort: without it the test skips.
  if command -v ovs-vsctl >/dev/null 2>&1 && ! ovs-vsctl --timeout=2 show >/dev/null 2>&1; then
    echo "==> starting Open vSwitch"
    /usr/share/openvswitch/scripts/ovs-ctl --no-ovs-vswitchd --system-id=random start || true
    ovs-vswitchd --pidfile --detach --log-file unix:/run/openvswitch/db.sock || true
  fi
}
