#!/usr/bin/env bash
# Time-bounded fuzzing (SECURITY.md): each Jazzer target in policy-dsl and auth-core fuzzes for its maxDuration, one
# JVM per target. A finding (an exception or a property violation in our code) fails at once and leaves its reproducer
# next to the target's seeds.
#
# Under Jazzer, JDK 17's JVM itself sometimes crashes in its garbage collector while fuzzing the policy language from an
# empty corpus (SIGSEGV in G1 or the parallel collector, a corrupted heap; the code under test is plain Java, and the
# last input replays cleanly). Such a crash is not a finding: a target whose JVM died that way, with no test failure
# reported, is fuzzed again (at most twice more). The rerun first replays the input the crash left behind, so an input
# that really crashes the JVM still fails the run.
# Usage: scripts/fuzz.sh [extra Maven arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
modules=(policy-dsl auth-core)
log=$(mktemp)
started=$(mktemp) # crash inputs newer than this were written by this run
trap 'rm -f "$log" "$started"' EXIT

fuzz() { # test-filter-or-empty -> exit status of Maven, output in $log
  local filter=()
  [ -n "$1" ] && filter=("-Dtest=$1" -Dsurefire.failIfNoSpecifiedTests=false)
  local IFS=,
  mvn -B test -Pfuzz -pl "${modules[*]}" "${filter[@]}" "${@:2}" 2>&1 | tee "$log"
  return "${PIPESTATUS[0]}"
}

hs_errs() { find "${modules[@]}" -maxdepth 1 -name 'hs_err_pid*.log'; }

filter=""
for attempt in 1 2 3; do
  hs_errs | xargs -r rm -f
  if fuzz "$filter" "$@"; then
    # inputs a JVM crash left behind replayed cleanly: they were not findings
    [ -z "$filter" ] || find "${modules[@]}" -path '*/src/test/resources/*' -name 'crash-*' -newer "$started" -print -delete
    exit 0
  fi
  crashed=$(awk '/^\[ERROR\] Crashed tests:/ {c=1; next} c && /^\[ERROR\] [a-z][A-Za-z0-9_.]*$/ {print $2; next} {c=0}' "$log" | sort -u)
  failures=$(grep -cE '^\[ERROR\] Tests run: .*(Failures: [1-9]|Errors: [1-9])' "$log" || true)
  gc_crashes=$(hs_errs | xargs -r grep -lE '^# V  \[libjvm\.so.*(G1|PS|Promotion|Scavenge|markWord|oopDesc)' | wc -l)
  if [ -z "$crashed" ] || [ "$failures" -ne 0 ] || [ "$gc_crashes" -ne "$(echo "$crashed" | wc -l)" ] || [ "$attempt" -eq 3 ]; then
    echo "fuzzing failed (findings: the reproducers are next to each target's seeds; see the log above)" >&2
    exit 1
  fi
  echo "== the JVM crashed in its garbage collector (not a finding) while fuzzing: $(echo "$crashed" | paste -sd' '); fuzzing it again" >&2
  hs_errs | xargs -r grep -h -A1 'Problematic frame' >&2 || true
  filter=$(echo "$crashed" | sed 's/.*\.//' | paste -sd,)
done
