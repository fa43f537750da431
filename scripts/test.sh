#!/usr/bin/env bash
# The test command (README.md; .ci/run runs exactly this): installs what is missing, builds
# twice — the normal build (g++) and a clang-14 AddressSanitizer + UndefinedBehaviorSanitizer
# build of the same sources with the libFuzzer targets (scripts/sanitize.sh) — starts a
# throwaway PostgreSQL and Redis on loopback, and runs every test with ctest: the unit,
# scenario and integration tests once more under the sanitizers (san.*), the fuzz corpus and
# a short fuzz run included. Stops the services whatever the outcome. ctest's summary is the
# last thing printed.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
build=${PARLEY_BUILD_DIR:-build}
san=$(bash scripts/sanitize.sh --dir)
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DPARLEY_SANITIZED_DIR="$PWD/$san" >/dev/null
cmake --build "$build" -j2
bash scripts/sanitize.sh --build

# shellcheck source=scripts/services.sh
source scripts/services.sh
services_dir=$(mktemp -d /tmp/parley-services-XXXXXX)
trap 'services_stop "$services_dir"' EXIT
services_start "$services_dir"

ctest --test-dir "$build" --output-on-failure "$@"
