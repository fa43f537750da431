#!/usr/bin/env bash
# ctest's smoke run of `parley-bench simulate` (bench/CMakeLists.txt): half a domain hour of
# the small preset in MODE (scaled: at 1000x, about 2 s; virtual: well under a second). It checks that the run ends by itself, that the
# last line of stdout is a JSON object with the fields bench/README.md promises, and that
# nothing went wrong (errors == 0). It never looks at the service level or any timing.
set -euo pipefail
bench=${1:?usage: simulate_smoke.sh PATH/TO/parley-bench [scaled|virtual]}
mode=${2:-scaled}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$bench" simulate --mode "$mode" --preset small --hours 0.5 --warmup-h 0 --scale 1000 --json --no-progress >"$out"
tail -n 1 "$out" | python3 -c '
import json, sys
j = json.loads(sys.stdin.read())
need = ["scenario", "count", "errors", "throughput_per_s", "p50_ms", "p99_ms", "p999_ms",
        "rss_bytes", "sl_measured", "sl_erlang_c", "asa_measured", "asa_erlang_c",
        "p_wait_measured", "p_wait_erlang_c", "sl_ci95", "asa_ci95", "sl_replay", "asa_replay"]
missing = [k for k in need if k not in j]
assert not missing, f"missing fields: {missing}"
assert j["scenario"] == "simulate", j["scenario"]
kinds, first = j["errors_by_kind"], j.get("first_error")
assert j["errors"] == 0, f"errors: {kinds} first: {first}"
assert j["count"] > 0, "no call answered"
assert j["unanswered"] == 0, "calls never answered"
count = j["count"]
mode = j["mode"]
print(f"simulate smoke ({mode}): {count} calls answered, 0 errors, every field present")
'
