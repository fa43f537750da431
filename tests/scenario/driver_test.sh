#!/bin/sh
# The scenario driver itself (ctest scenario_driver): a `skip` directive exits 77 in its
# mode and runs in the other; a directive without a reason is a parse error; and the
# virtual mode gives the same run in separate processes (the fingerprint of the frame log),
# not only twice in one.
# Usage: driver_test.sh SCENARIO_RUNNER SOURCE_DIR
set -u
runner=$1
src=$2
data=$src/tests/scenario/testdata
out=$(mktemp -d /tmp/parley-driver-test-XXXXXX)
trap 'rm -rf "$out"' EXIT
failed=0
check() {  # check WHAT WANT GOT
  if [ "$2" != "$3" ]; then
    echo "FAIL: $1: wanted $2, got $3"
    failed=1
  else
    echo "ok: $1"
  fi
}

PARLEY_SCENARIO_MODE=virtual PARLEY_SCENARIO=$data/skips_virtual.scenario "$runner" >"$out/skip" 2>&1
check "a file that skips the virtual mode exits 77 there" 77 $?
grep -q "SKIPPED: skips_virtual.scenario in virtual mode: exercises the skip directive" "$out/skip"
check "and says why" 0 $?

PARLEY_SCENARIO_MODE=tcp PARLEY_SCENARIO=$data/skips_virtual.scenario "$runner" >"$out/tcp" 2>&1
check "and runs over TCP" 0 $?

PARLEY_SCENARIO_PARSE_ONLY=1 PARLEY_SCENARIO=$data/skip_without_reason.scenario "$runner" >"$out/noreason" 2>&1
check "a skip without a reason is refused" 1 $?
grep -q "skip_without_reason.scenario:2: 'skip virtual:' needs a reason" "$out/noreason"
check "naming the file and line" 0 $?

PARLEY_SCENARIO_MODE=bogus PARLEY_SCENARIO=$src/tests/scenarios/basic_lifecycle.scenario "$runner" >"$out/bogus" 2>&1
check "an unknown mode is refused" 1 $?

for stem in offer_timeout_requeue external_router; do
  for n in 1 2; do
    PARLEY_SCENARIO_MODE=virtual PARLEY_SCENARIO_RUNS=1 \
      PARLEY_SCENARIO=$src/tests/scenarios/$stem.scenario "$runner" >"$out/$stem.$n" 2>&1
    check "$stem in a virtual run of its own ($n)" 0 $?
  done
  a=$(grep -o 'fingerprint [0-9a-f]*' "$out/$stem.1")
  b=$(grep -o 'fingerprint [0-9a-f]*' "$out/$stem.2")
  [ -n "$a" ] || a="(none)"
  check "$stem: two processes, the same frames" "$a" "$b"
done

[ $failed -eq 0 ] || { echo "--- outputs in $out"; for f in "$out"/*; do echo "== $f"; cat "$f"; done; }
exit $failed
