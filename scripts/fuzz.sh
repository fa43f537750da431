#!/usr/bin/env bash
# libFuzzer campaigns over Parley's fuzz targets (tests/fuzz/), built with clang-14,
# AddressSanitizer and UndefinedBehaviorSanitizer in build-fuzz/.
#
#   scripts/fuzz.sh --build          build the targets only (the test command does this)
#   scripts/fuzz.sh --run SECONDS    run every target for SECONDS each (exit 77 if not built)
#   scripts/fuzz.sh SECONDS          both
#
# Each run starts from the committed corpus (tests/fuzz/corpus/<target>) in a scratch copy;
# new interesting inputs stay in build-fuzz/corpus/<target>. A crash leaves its input in
# build-fuzz/ (crash-*) and fails the run. For a long campaign: scripts/fuzz.sh 3600, then
# copy the inputs worth keeping from build-fuzz/corpus/ into tests/fuzz/corpus/ (minimise
# with `fuzz_<target> -merge=1 NEW_DIR build-fuzz/corpus/<target>`).
set -euo pipefail
cd "$(dirname "$0")/.."
build=build-fuzz
targets=(frame config wire)

do_build() {
  CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPARLEY_FUZZ=ON -DPARLEY_SANITIZE=address,undefined >/dev/null
  cmake --build "$build" -j2 --target "${targets[@]/#/fuzz_}"
}

do_run() {
  local seconds=$1 failed=0
  for t in "${targets[@]}"; do
    [ -x "$build/bin/fuzz_$t" ] || { echo "fuzz_$t is not built (scripts/fuzz.sh --build)"; exit 77; }
  done
  supp=$(mktemp)
  printf 'null:caf/detail/init_fun_factory.hpp\nnull:bits/shared_ptr_base.h\n' > "$supp"
  export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$supp"
  export ASAN_OPTIONS="detect_leaks=0"  # the wire target keeps one engine for the whole run
  for t in "${targets[@]}"; do
    mkdir -p "$build/corpus/$t"
    cp -n tests/fuzz/corpus/"$t"/* "$build/corpus/$t/" 2>/dev/null || true
    echo "== fuzz_$t for ${seconds}s"
    if ! (cd "$build" && "./bin/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
          -print_final_stats=1 "corpus/$t" 2>&1 | grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY|Done)" ); then
      :
    fi
    if ls "$build"/crash-* "$build"/leak-* "$build"/timeout-* >/dev/null 2>&1; then
      echo "fuzz_$t found a failing input: $(ls "$build"/crash-* "$build"/leak-* "$build"/timeout-* 2>/dev/null)"
      failed=1
    fi
  done
  rm -f "$supp"
  [ $failed -eq 0 ] && echo "${#targets[@]} passed, 0 failed" || { echo "0 passed, ${#targets[@]} failed"; exit 1; }
}

case "${1:-}" in
  --build) do_build ;;
  --run) do_run "${2:?seconds}" ;;
  ''|-h|--help) sed -n 2,14p "$0"; exit 2 ;;
  *) do_build; do_run "$1" ;;
esac
