#!/usr/bin/env bash
# The long hostile-frontend fuzz (issue 4): the suite's 20 s fuzz, run for 600 s by default, over the
# in-process backend (no root needed). Prints the seed, the summary line (cases by kind, crashes,
# fatal disables by reason), the healthy vif's figures and the fd/thread/memory baseline comparison.
#   bench/fuzz-long.sh [--seconds N] [--seed S] [--no-build]
set -euo pipefail

seconds=600 seed="" build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "fuzz-long.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

root=$(cd "$(dirname "$0")/.." && pwd)
tests="$root/artifacts/bin/Netback.Tests/debug_linux-x64/Netback.Tests"
if [ "$build" = 1 ]; then
  dotnet build "$root/tests/Netback.Tests" -c Debug 2>&1 | grep -E " error |rror\(s\)|Elapsed" || true
fi
[ -x "$tests" ] || { echo "fuzz-long.sh: $tests not built" >&2; exit 1; }

export NETBACK_FUZZ_SECONDS=$seconds
[ -n "$seed" ] && export NETBACK_FUZZ_SEED=$seed
log=$(mktemp /tmp/netback-fuzz-long.XXXXXX)
trap 'rm -f "$log"' EXIT

status=0
"$tests" -method "*HostileFrontendFuzzTests.Hostile_frontends_never_crash_the_backend_nor_disturb_a_healthy_vif" \
  -showLiveOutput >"$log" 2>&1 || status=$?
# The test's own lines (seed, baseline, summary, healthy vif, after), then the verdict.
sed -n 's/.*\[OUTPUT\] //p' "$log"
grep -E "FAIL|Total:" "$log" | sed 's/\x1b\[[0-9;]*m//g'
if [ "$status" -ne 0 ]; then
  sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -A30 "\[FAIL\]" | head -60
fi
exit "$status"
