#!/bin/sh
# Shared by the vif hotplug scripts (Xen's tools/hotplug/Linux/vif-common.sh, cut to what netbackd
# passes). netbackd runs a script as
#     <script> online|offline
# with the vif's settings in the environment (Xen's scripts read them from xenstore):
#     vif     the vif's TAP (vif<domid>.<devid> or its vifname=)      domid, devid
#     mac     the guest's MAC        bridge   bridge= (may be empty)     ip   ip= (space-separated)
#     mtu     the vif's MTU
# "online" runs after the TAP exists and before the vif is Connected; "offline" before the TAP goes.
# A non-zero exit refuses the vif (online) with the script's last stderr line as the reason.
set -u

command=${1:-}
: "${vif:?vif is not set (netbackd sets it)}"
dev=$vif
bridge=${bridge:-}
ip=${ip:-}

log() { echo "$(basename "$0"): $*" >&2; }
fatal() { log "$*"; exit 1; }

case "$command" in
  online|offline) ;;
  *) fatal "usage: $(basename "$0") online|offline (got '$command')" ;;
esac

# The TAP must exist for online; for offline it may be gone already.
dev_exists() { [ -e "/sys/class/net/$dev" ]; }
if [ "$command" = online ] && ! dev_exists; then
  fatal "$dev does not exist"
fi
