#!/usr/bin/env bash
# How much parley-guard's figures move from run to run on this machine: RUNS runs (5),
# then min, max and spread per figure. With --busy a busy loop keeps another core loaded
# for the whole time (the figures must not care). The tolerance in baseline.json must be
# well above the spread measured here (docs/benchmarks.md, "Regression guard").
#   bench/guard/variation.sh [--busy] [BUILD_DIR] [RUNS]
set -euo pipefail
busy=0
if [ "${1:-}" = --busy ]; then busy=1; shift; fi
build=${1:-build}
runs=${2:-5}
guard="$build/bin/parley-guard"
out=$(mktemp -d /tmp/parley-guard-variation-XXXXXX)
spinner=""
if [ "$busy" = 1 ]; then
  bash -c 'while :; do :; done' &
  spinner=$!
fi
trap '[ -n "$spinner" ] && kill "$spinner" 2>/dev/null; rm -rf "$out"' EXIT
for i in $(seq "$runs"); do
  "$guard" run --write-baseline "$out/run$i.json" >/dev/null
  echo "run $i: $(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(", ".join(k + " " + str(v["instructions_per_op"]) for k,v in j["figures"].items()))' "$out/run$i.json")"
done
python3 - "$out" "$runs" <<'PY'
import json, sys
d, n = sys.argv[1], int(sys.argv[2])
runs = [json.load(open(f"{d}/run{i}.json"))["figures"] for i in range(1, n + 1)]
for k in runs[0]:
    v = [r[k]["instructions_per_op"] for r in runs]
    print(f"{k:18} min {min(v):>12,} max {max(v):>12,} spread {100 * (max(v) - min(v)) / min(v):6.3f} %")
PY
