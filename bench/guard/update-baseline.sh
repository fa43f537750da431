#!/usr/bin/env bash
# Rewrites bench/guard/baseline.json from one run of parley-guard (instructions per
# lifecycle, statistic notification and dial attempt under callgrind), with the tolerances
# parley-guard states (10 % engine, 60 % storage; docs/benchmarks.md, "Regression guard").
# Commit the new file together with the change that moved the figures, and say why.
#   bench/guard/update-baseline.sh [BUILD_DIR]        (default: build, the plain g++ build)
# Takes the build lock while it measures, as a build would: a busy machine does not move
# instruction counts much, but the storage figures follow timing (commit batching).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
flock /tmp/parley-build.lock "$build/bin/parley-guard" run --write-baseline bench/guard/baseline.json
git --no-pager diff --stat -- bench/guard/baseline.json || true
