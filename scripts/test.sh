#!/usr/bin/env bash
# Builds the solution in Release and runs every test project in it, then prints one summary line:
#   N passed, N failed, N skipped
# summed over the TRX files of all test projects. Exits non-zero if a test failed, if the test run
# itself failed, or if no test ran at all.
#
#   scripts/test.sh [extra dotnet test arguments, e.g. --filter Category=Unit]
#
# TEST_RESULTS_DIR=dir keeps the TRX files there (default: a temporary directory, removed at exit).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if [[ -n "${TEST_RESULTS_DIR:-}" ]]; then
  results="$TEST_RESULTS_DIR"
  mkdir -p "$results"
  rm -f "$results"/*.trx
else
  results="$(mktemp -d "${TMPDIR:-/tmp}/netback-tests.XXXXXX")"
  trap 'rm -rf "$results"' EXIT
fi

# As root, install what the root tier needs first (NB_NO_INSTALL=1 skips it); unprivileged, the
# root tier reports its tests skipped.
if [[ "$(id -u)" -eq 0 && "${NB_NO_INSTALL:-0}" != 1 ]]; then
  # shellcheck source=lib/test-prereqs.sh
  . "$repo/scripts/lib/test-prereqs.sh"
  nb_test_prereqs
fi

if ! dotnet build Netback.sln -c Release; then
  echo "error: the build failed, no tests ran" >&2
  echo "0 passed, 0 failed, 0 skipped"
  exit 1
fi

# netbackd as the systemd install publishes it (Native AOT: NativeAotDaemonTests run it). Needs
# clang, which the root tier's prerequisites install; without it those two tests report skipped.
if command -v clang >/dev/null 2>&1; then
  if ! dotnet publish src/Netback.Daemon -c Release -p:NetbackAot=true -v quiet -nologo -clp:ErrorsOnly >/dev/null; then
    echo "error: the Native AOT publish of netbackd failed, no tests ran" >&2
    echo "0 passed, 0 failed, 0 skipped"
    exit 1
  fi
else
  echo "==> no clang: netbackd is not published Native AOT, NativeAotDaemonTests will be skipped"
fi

# dotnet's default console output stays: every failing test with its message and stack trace.
# -m:1 runs the test projects one after another: the throughput tests of one never share the two
# CI cores with the iperf3 runs of another, and each run gets its own timestamped TRX file.
# A test that hangs is ended by the blame collector instead of running into the CI time limit.
test_status=0
dotnet test Netback.sln -c Release --no-build -m:1 \
  --logger "trx" \
  --results-directory "$results" \
  --blame-hang-timeout 20m --blame-hang-dump-type none \
  "$@" || test_status=$?

# Sum <Counters total=".." executed=".." passed=".." failed=".." .../> over every TRX file. Plain awk
# so CI needs nothing extra. "error", "timeout" and "aborted" count as failures. VSTest leaves
# notExecuted at 0 for skipped xunit tests (their results say outcome="NotExecuted"), so skipped is
# total - executed, or notExecuted where a logger does fill it in.
summary="$(find "$results" -name '*.trx' -type f -print0 | xargs -0 -r cat | awk '
  function attr(s, name) {
    # " name=" with the blank, so "executed" never matches inside "notExecuted" and the like
    if (match(s, "[ \t]" name "=\"[0-9]+\"")) {
      return substr(s, RSTART + length(name) + 3, RLENGTH - length(name) - 4) + 0
    }
    return 0
  }
  {
    line = $0
    while (match(line, /<Counters[^>]*>/)) {
      c = substr(line, RSTART, RLENGTH)
      line = substr(line, RSTART + RLENGTH)
      passed += attr(c, "passed")
      failed += attr(c, "failed") + attr(c, "error") + attr(c, "timeout") + attr(c, "aborted")
      notrun = attr(c, "total") - attr(c, "executed")
      skipped += (attr(c, "notExecuted") > notrun ? attr(c, "notExecuted") : notrun)
      files++
    }
  }
  END { printf "%d %d %d %d\n", passed, failed, skipped, files }
')"
read -r passed failed skipped files <<<"$summary"

status=0
if [[ "$files" -eq 0 ]]; then
  echo "error: no TRX results were written (did the test run start?)" >&2
  status=1
elif [[ $((passed + failed + skipped)) -eq 0 ]]; then
  echo "error: no tests ran" >&2
  status=1
fi
if [[ "$failed" -gt 0 || "$test_status" -ne 0 ]]; then
  status=1
fi

# CI keeps only the end of the log: name every failed test and the start of its message here, just
# above the summary line, so the reason for a red run is never scrolled out of sight.
if [[ "$failed" -gt 0 ]]; then
  echo "==> failed tests:"
  find "$results" -name '*.trx' -type f -print0 | xargs -0 -r cat | awk '
    BEGIN { RS = "<UnitTestResult " }
    {
      head = substr($0, 1, index($0, ">")) # the UnitTestResult tag itself, not what follows it
      if (head !~ /outcome="(Failed|Error|Timeout|Aborted)"/) next
      name = head
      sub(/.*testName="/, "", name); sub(/".*/, "", name)
      msg = ""
      if (match($0, /<Message>[^<]*<\/Message>/)) {
        msg = substr($0, RSTART + 9, RLENGTH - 19)
      }
      gsub(/&quot;/, "\"", msg); gsub(/&lt;/, "<", msg); gsub(/&gt;/, ">", msg); gsub(/&apos;/, "'"'"'", msg); gsub(/&amp;/, "\\&", msg)
      gsub(/&quot;/, "\"", name); gsub(/&lt;/, "<", name); gsub(/&gt;/, ">", name); gsub(/&amp;/, "\\&", name)
      print "  FAILED " name
      n = split(msg, lines, "\n")
      for (i = 1; i <= n && i <= 8; i++) print "    " lines[i]
      if (n > 8) print "    ..."
    }'
fi

echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
