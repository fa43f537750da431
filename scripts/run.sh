#!/usr/bin/env bash
# The run command (README.md): installs what is missing, builds a Release parleyd and starts
# it with conf/parley.toml, the embedded default (loopback only, no database server).
# Extra arguments go to parleyd, e.g. --set log.level=debug. Stop it with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
build=${PARLEY_RELEASE_DIR:-build-release}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target parleyd
exec "$build/bin/parleyd" --config conf/parley.toml "$@"
