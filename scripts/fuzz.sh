#!/usr/bin/env bash
# libFuzzer campaigns over Parley's fuzz targets (tests/fuzz/), built with clang-14,
# AddressSanitizer and UndefinedBehaviorSanitizer in build-fuzz/.
#
#   scripts/fuzz.sh --build                    build the targets only (the test command does this)
#   scripts/fuzz.sh --run SECONDS [TARGET...]  run each target (default: all) for SECONDS
#   scripts/fuzz.sh --runs N [TARGET...]       run each target for N executions
#   scripts/fuzz.sh SECONDS                    --build, then --run SECONDS
#   scripts/fuzz.sh --keep [TARGET...]         add to tests/fuzz/corpus/<target> the inputs
#                                              of build-fuzz/corpus/<target> that reach new code
# Targets: frame config wire. Exit: 0 all passed, 1 a target failed, 77 not built, 2 usage.
#
# Each target runs from the committed corpus (tests/fuzz/corpus/<target>) in a scratch copy,
# build-fuzz/corpus/<target>, where new interesting inputs stay. Every run gets its own
# directory, build-fuzz/runs/<date>-<target>/, with the fuzzer's log and artifacts/, where
# libFuzzer writes its failing inputs (-artifact_prefix). A target fails when that run wrote
# ANY artifact (crash-, leak-, timeout-, oom-, slow-unit-…) or the fuzzer exited non-zero;
# the verdict names the artifacts (replay one: build-fuzz/bin/fuzz_<target> FILE).
# --keep is libFuzzer's -merge=1 (tests/fuzz/corpus/<target> first, then the new inputs,
# smallest first), but it keeps only the inputs that cover code edges nothing before them
# did: -merge=1 alone keeps every input with a new feature (hit-count buckets included),
# thousands of files after a long campaign.
# PARLEY_FUZZ_BUILD=DIR uses DIR instead of build-fuzz/ (tests/fuzz/fuzz_check_test.sh runs
# this script over stand-in fuzzers that way).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${PARLEY_FUZZ_BUILD:-build-fuzz}
all_targets=(frame config wire)

do_build() {
  bash scripts/sanitize.sh --configure  # the sanitizer build is also the fuzz build
  cmake --build "$build" -j2 --target "${all_targets[@]/#/fuzz_}"
}

# targets_of TARGET...: the named targets (default: all), each checked to exist and be built.
targets_of() {
  local t targets=("$@")
  [ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
  for t in "${targets[@]}"; do
    [[ " ${all_targets[*]} " == *" $t "* ]] || { echo "unknown target: $t (${all_targets[*]})" >&2; exit 2; }
    [ -x "$build/bin/fuzz_$t" ] || { echo "fuzz_$t is not built (scripts/fuzz.sh --build)" >&2; exit 77; }
  done
  echo "${targets[@]}"
}

# sanitizer_env: UBSan stops at the first report (minus two known-benign ones in headers).
sanitizer_env() {
  export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$PWD/tests/sanitizers/ubsan.supp"
}

# leaks_of TARGET: 1 where LeakSanitizer runs; the wire target keeps one engine for the run.
leaks_of() { [ "$1" = wire ] && echo 0 || echo 1; }

# final_stat NAME LOG: a figure from libFuzzer's -print_final_stats lines ("?" if absent).
final_stat() {
  local v
  v=$(sed -n "s/^stat::$1: *//p" "$2" | tail -n 1)
  echo "${v:-?}"
}

# verdict TARGET EXIT_CODE RUN_DIR: prints the target's result; returns 1 when it failed.
# A failure is any file libFuzzer left in RUN_DIR/artifacts/, or a non-zero exit.
verdict() {
  local t=$1 rc=$2 dir=$3 artifacts
  artifacts=$(find "$dir/artifacts" -type f 2>/dev/null | sort)
  if [ -z "$artifacts" ] && [ "$rc" -eq 0 ]; then
    echo "fuzz_$t: passed"
    return 0
  fi
  echo "fuzz_$t: FAILED (fuzzer exit code $rc)"
  [ -f "$dir/log" ] && { echo "--- last lines of $dir/log"; tail -n 40 "$dir/log"; echo "---"; }
  if [ -n "$artifacts" ]; then
    echo "fuzz_$t: artifacts of this run:"
    sed 's/^/  /' <<<"$artifacts"
  else
    echo "fuzz_$t: no artifact, but the fuzzer did not finish cleanly"
  fi
  return 1
}

# run_target TARGET LIMIT...: one libFuzzer run with the given limit flags; prints its
# figures and verdict, returns 1 when it failed.
run_target() {
  local t=$1 dir rc=0 before after start
  shift
  mkdir -p "$build/runs" "$build/corpus/$t"
  dir=$(mktemp -d "$build/runs/$(date +%Y%m%d-%H%M%S)-$t-XXXX")
  mkdir "$dir/artifacts"
  cp -n tests/fuzz/corpus/"$t"/* "$build/corpus/$t/" 2>/dev/null || true
  before=$(find "$build/corpus/$t" -type f | wc -l)
  local leaks
  leaks=$(leaks_of "$t")
  echo "== fuzz_$t ($*), log in $dir/log"
  start=$SECONDS
  ASAN_OPTIONS="detect_leaks=$leaks" "$build/bin/fuzz_$t" "$@" -timeout=10 -rss_limit_mb=4096 \
    -detect_leaks=$leaks -print_final_stats=1 -artifact_prefix="$dir/artifacts/" \
    "$build/corpus/$t" >"$dir/log" 2>&1 || rc=$?
  after=$(find "$build/corpus/$t" -type f | wc -l)
  grep -E "^#[0-9]+[[:space:]]+DONE" "$dir/log" | tail -n 1 || true
  echo "fuzz_$t: $(final_stat number_of_executed_units "$dir/log") executions in $((SECONDS - start)) s" \
    "($(final_stat average_exec_per_sec "$dir/log") exec/s), $(final_stat new_units_added "$dir/log") new units," \
    "corpus $before -> $after inputs, peak RSS $(final_stat peak_rss_mb "$dir/log") MB"
  verdict "$t" "$rc" "$dir"
}

# do_run LIMIT_FLAG [TARGET...]
do_run() {
  local limit=$1 passed=0 failed=0 t targets
  shift
  targets=$(targets_of "$@") || exit $?
  sanitizer_env
  for t in $targets; do
    if run_target "$t" "$limit"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  done
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

# do_keep [TARGET...]: see --keep above.
do_keep() {
  local t targets work kept
  targets=$(targets_of "$@") || exit $?
  sanitizer_env
  for t in $targets; do
    work=$(mktemp -d)
    cp -r "tests/fuzz/corpus/$t" "$work/first"
    ASAN_OPTIONS="detect_leaks=$(leaks_of "$t")" "$build/bin/fuzz_$t" -merge=1 \
      -merge_control_file="$work/control" "$work/first" "$build/corpus/$t" >"$work/log" 2>&1 \
      || { echo "fuzz_$t: the merge failed:"; tail -n 20 "$work/log"; rm -rf "$work"; exit 1; }
    # The control file: the file count, the count of the first (committed) corpus, the
    # files in the order they ran, then per file "COV <index> <edges seen first here>".
    kept=0
    while read -r f; do
      cp "$f" "tests/fuzz/corpus/$t/$(sha1sum "$f" | cut -c1-40)"
      kept=$((kept + 1))
    done < <(awk 'NR == 1 { n = $1 } NR == 2 { first = $1 }
                  NR > 2 && NR <= n + 2 { file[NR - 3] = $0 }
                  $1 == "COV" && NF > 2 && $2 >= first { print file[$2] }' "$work/control")
    echo "fuzz_$t: kept $kept of $(find "$build/corpus/$t" -type f | wc -l) inputs;" \
      "tests/fuzz/corpus/$t has $(find "tests/fuzz/corpus/$t" -type f | wc -l) files," \
      "$(cat "tests/fuzz/corpus/$t"/* | wc -c) bytes"
    rm -rf "$work"
  done
}

positive() { [[ "${1:-}" =~ ^[1-9][0-9]*$ ]] || { echo "$2 must be a positive number"; exit 2; }; }

case "${1:-}" in
  --build) do_build ;;
  --run) positive "${2:-}" SECONDS; do_run "-max_total_time=$2" "${@:3}" ;;
  --runs) positive "${2:-}" N; do_run "-runs=$2" "${@:3}" ;;
  --keep) do_keep "${@:2}" ;;
  ''|-h|--help) sed -n 2,26p "$0"; exit 2 ;;
  *) positive "$1" SECONDS; do_build; do_run "-max_total_time=$1" ;;
esac
