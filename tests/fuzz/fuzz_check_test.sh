#!/usr/bin/env bash
# Proves that scripts/fuzz.sh can fail: the real script runs over stand-in fuzzers (a fuzz
# build directory of its own, PARLEY_FUZZ_BUILD) that finish cleanly, plant an artifact of
# each kind in the run's -artifact_prefix directory, or die without one. Needs no clang.
# Usage: fuzz_check_test.sh PATH/TO/scripts/fuzz.sh
set -uo pipefail
fuzz_sh=${1:?path to scripts/fuzz.sh}
work=$(mktemp -d /tmp/parley-fuzz-check-XXXXXX)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0

# The stand-in behaves as STUB says: clean | artifact:PREFIX:EXIT | exit:CODE.
mkdir -p "$work/build/bin"
cat >"$work/build/bin/stub" <<'EOF'
#!/usr/bin/env bash
prefix=
for a; do case $a in -artifact_prefix=*) prefix=${a#-artifact_prefix=} ;; esac; done
echo "#4242	DONE   cov: 10 ft: 20 corp: 3/30b lim: 4 exec/s: 4242 rss: 42Mb"
echo "stat::number_of_executed_units: 4242"
echo "stat::average_exec_per_sec:     4242"
case $STUB in
  clean) exit 0 ;;
  artifact:*)
    IFS=: read -r _ kind code <<<"$STUB"
    echo "==4242== ERROR: libFuzzer: deadly signal"
    printf 'boom' >"${prefix}${kind}0123456789abcdef"
    exit "$code" ;;
  exit:*) exit "${STUB#exit:}" ;;
esac
EOF
chmod +x "$work/build/bin/stub"
for t in frame config wire; do ln -s stub "$work/build/bin/fuzz_$t"; done

# check NAME EXPECTED_EXIT STUB ARGS... [-- GREP_PATTERN...]: runs fuzz.sh, expects the exit
# code and every pattern in its output.
check() {
  local name=$1 want=$2 stub=$3 out rc=0 args=() pat
  shift 3
  while [ $# -gt 0 ] && [ "$1" != -- ]; do args+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  out=$(STUB=$stub PARLEY_FUZZ_BUILD="$work/build" bash "$fuzz_sh" "${args[@]}" 2>&1) || rc=$?
  local ok=1
  [ "$rc" -eq "$want" ] || { echo "  exit code $rc, expected $want"; ok=0; }
  for pat; do
    grep -qE -- "$pat" <<<"$out" || { echo "  output lacks /$pat/"; ok=0; }
  done
  if [ $ok -eq 1 ]; then
    echo "ok   $name"
    passed=$((passed + 1))
  else
    echo "FAIL $name; the output was:"
    sed 's/^/    /' <<<"$out"
    failed=$((failed + 1))
  fi
}

check "a clean run passes and shows its size" 0 clean --run 1 \
  -- "DONE +cov: 10" "fuzz_frame: 4242 executions .*4242 exec/s" "fuzz_wire: passed" "^3 passed, 0 failed$"
check "--runs N passes -runs=N" 0 clean --runs 1000 frame -- "-runs=1000" "^1 passed, 0 failed$"
for kind in crash- leak- timeout- oom- slow-unit-; do
  # Exit code 0 on purpose: the artifact alone must fail the target.
  check "a planted ${kind}* fails the run" 1 "artifact:$kind:0" --run 1 frame \
    -- "fuzz_frame: FAILED" "artifacts/${kind}0123456789abcdef" "deadly signal" "^0 passed, 1 failed$"
done
check "a crash with libFuzzer's exit code fails every target" 1 "artifact:crash-:77" --run 1 \
  -- "fuzz_config: FAILED \(fuzzer exit code 77\)" "^0 passed, 3 failed$"
check "a fuzzer that dies without an artifact fails" 1 "exit:134" --run 1 wire \
  -- "fuzz_wire: FAILED \(fuzzer exit code 134\)" "did not finish cleanly" "^0 passed, 1 failed$"
# Old artifacts (the previous layout's build-fuzz/crash-*, an earlier run's directory) are
# not this run's.
touch "$work/build/crash-old" "$work/build/runs/"*/artifacts/leak-old 2>/dev/null
check "old artifacts do not fail a clean run" 0 clean --run 1 -- "^3 passed, 0 failed$"
check "an unknown target is a usage error" 2 clean --run 1 voice -- "unknown target: voice"
check "a missing time is a usage error" 2 clean --run -- "SECONDS must be a positive number"
rm "$work/build/bin/fuzz_config"
check "an unbuilt target skips with 77" 77 clean --run 1 -- "fuzz_config is not built"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
