#!/usr/bin/env bash
# The sanitizer build: the whole tree with clang-14, AddressSanitizer + UndefinedBehaviorSanitizer
# (RelWithDebInfo) and the libFuzzer targets, in build-fuzz/. The test command builds it and
# runs the unit, scenario and integration tests from it as san.* (cmake/parley.cmake,
# PARLEY_SANITIZED_DIR); scripts/fuzz.sh runs its fuzz targets.
#
#   scripts/sanitize.sh --dir        print the build directory
#   scripts/sanitize.sh --configure  configure it only
#   scripts/sanitize.sh --build      configure and build every target
#   scripts/sanitize.sh [CTEST ARGS] build, then run the san.* tests (services as the
#                                    test command starts them must be running for some)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${PARLEY_FUZZ_BUILD:-build-fuzz}

configure() {
  CC=clang-14 CXX=clang++-14 cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPARLEY_FUZZ=ON -DPARLEY_SANITIZE=address,undefined >/dev/null
}

case "${1:-}" in
  --dir) echo "$dir" ;;
  --configure) configure ;;
  --build) configure; cmake --build "$dir" -j2 ;;
  *)
    bash scripts/install-deps.sh
    configure
    cmake --build "$dir" -j2
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPARLEY_SANITIZED_DIR="$PWD/$dir" >/dev/null
    ctest --test-dir build -L sanitize --output-on-failure "$@"
    ;;
esac
