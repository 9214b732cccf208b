#!/usr/bin/env bash
# Time-bounded fuzzing (SECURITY.md): every Jazzer target in policy-dsl and auth-core fuzzes for its maxDuration, each
# in a Maven run and a JVM of its own, so that one target's failure never keeps the others from running. A finding (an
# exception or a property violation in our code) leaves its reproducer next to the target's seeds and fails the run,
# after the other targets have run.
#
# Under Jazzer, JDK 17's JVM itself sometimes crashes in its garbage collector while fuzzing the policy language from an
# empty corpus (SIGSEGV in G1 or the parallel collector, a corrupted heap; the code under test is plain Java, and the
# last input replays cleanly). Such a crash is not a finding: a target whose JVM died that way, with no test failure
# reported, is fuzzed again (at most three times more). The rerun first replays the input the crash left behind, so an input
# that really crashes the JVM still fails the run.
# Usage: [FUZZ_TARGETS="PolicyLanguageFuzzTest …"] scripts/fuzz.sh [extra Maven arguments]     (default: every *FuzzTest)
set -euo pipefail
cd "$(dirname "$0")/.."
modules=(policy-dsl auth-core)
log=$(mktemp)
started=$(mktemp) # crash inputs newer than this were written by this run
trap 'rm -f "$log" "$started"' EXIT

hs_errs() { find "${modules[@]}" -maxdepth 1 -name 'hs_err_pid*.log'; }

fuzz() { # TARGET [Maven arguments]: fuzzes one target class; exit status of Maven, output in $log
  local IFS=,
  mvn -B test -Pfuzz -pl "${modules[*]}" "-Dtest=$1" -Dsurefire.failIfNoSpecifiedTests=false "${@:2}" 2>&1 | tee "$log"
  return "${PIPESTATUS[0]}"
}

# exit 0 when the last run of TARGET died in the garbage collector and reported no test failure
crashed_in_gc() {
  grep -q "^\[ERROR\] .*$1" "$log" && grep -q 'The forked VM terminated without properly saying goodbye' "$log" \
    && ! grep -qE '^\[ERROR\] Tests run: .*(Failures: [1-9]|Errors: [1-9])' "$log" \
    && [ "$(hs_errs | wc -l)" -eq 1 ] \
    && hs_errs | xargs grep -qE '^# V  \[libjvm\.so.*(G1|PS|Promotion|Scavenge|markWord|oopDesc)'
}

# Each module keeps a corpus from earlier runs (src/test/fuzz-corpus.tar.gz; refresh it with
# `tar -czf MODULE/src/test/fuzz-corpus.tar.gz -C MODULE/.cifuzz-corpus .`). A fresh machine starts from it instead of
# from nothing: it fuzzes deeper in the same time, and the JVM crash above came in the first seconds from empty corpora
# (from this corpus the policy language ran 6 times without one, even with C2).
for m in "${modules[@]}"; do
  if [ -f "$m/src/test/fuzz-corpus.tar.gz" ]; then
    mkdir -p "$m/.cifuzz-corpus"
    tar -xzf "$m/src/test/fuzz-corpus.tar.gz" -C "$m/.cifuzz-corpus" --skip-old-files
  fi
done

targets=${FUZZ_TARGETS:-$(find "${modules[@]}" -path '*/src/test/java/*' -name '*FuzzTest.java' -printf '%f\n' | sed 's/\.java$//' | sort)}
failed=()
for target in $targets; do
  for attempt in 1 2 3 4; do
    hs_errs | xargs -r rm -f
    if fuzz "$target" "$@"; then
      # inputs a JVM crash left behind replayed cleanly in this run: they were not findings
      ((attempt == 1)) || find "${modules[@]}" -path "*/src/test/resources/*/${target}Inputs/*" -name 'crash-*' -newer "$started" -print -delete
      break
    fi
    if ((attempt < 4)) && crashed_in_gc "$target"; then
      echo "== the JVM crashed in its garbage collector (not a finding) while fuzzing $target; fuzzing it again" >&2
      hs_errs | xargs grep -h -A1 'Problematic frame' >&2 || true
      continue
    fi
    failed+=("$target")
    break
  done
done
if ((${#failed[@]})); then
  echo "fuzzing failed in: ${failed[*]} (findings: the reproducers are next to each target's seeds; see the log above)" >&2
  exit 1
fi
