#!/usr/bin/env bash
# The test command (README.md; .ci/run runs exactly this): installs what is missing, builds,
# builds the fuzz targets with clang, starts a throwaway PostgreSQL and Redis on loopback,
# runs every test with ctest (the fuzz corpus and a short fuzz run included), and stops
# the services again whatever the outcome. ctest's summary is the last thing printed.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
build=${PARLEY_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j2
# The libFuzzer targets (clang, ASan, UBSan) for the short fuzz run among the tests.
bash scripts/fuzz.sh --build

# shellcheck source=scripts/services.sh
source scripts/services.sh
services_dir=$(mktemp -d /tmp/parley-services-XXXXXX)
trap 'services_stop "$services_dir"' EXIT
services_start "$services_dir"

ctest --test-dir "$build" --output-on-failure "$@"
