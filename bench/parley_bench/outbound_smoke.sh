#!/usr/bin/env bash
# ctest's smoke runs of `parley-bench pacing` and `parley-bench dial` (also with
# --gateway external) (bench/CMakeLists.txt),
# a few seconds each with tiny sizes. It checks that the run ends by itself, that the last
# line of stdout is a JSON object with the fields bench/README.md promises, and that nothing
# went wrong (errors == 0). It never looks at the abandon rate, occupancy or throughput.
set -euo pipefail
usage="usage: outbound_smoke.sh PATH/TO/parley-bench pacing|pacing-virtual|dial|dial-external"
bench=${1:?$usage}
scenario=${2:?$usage}
external=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
case "$scenario" in
  pacing)  # 7 domain minutes at 200x: about 2 s
    "$bench" pacing --mode scaled --agents 10 --hours 0.1 --warmup-h 0.02 --scale 200 --json --no-progress >"$out" ;;
  pacing-virtual)  # the same on virtual time: well under a second
    "$bench" pacing --mode virtual --agents 10 --hours 0.1 --warmup-h 0.02 --json --no-progress >"$out"
    scenario=pacing ;;
  dial)    # 1 s of dialing after 0.3 s, 30,000 records; the reference dials 20,000 more.
           # Three campaigns: their calls share the one gateway (call ids must not collide).
    "$bench" dial --agents 100 --campaigns 3 --count 30000 --warmup-s 0.3 --duration 1 --json --no-progress >"$out" ;;
  dial-external)  # the same through parley-dial-gateway in its own process, after an embedded pass
    "$bench" dial --gateway external --agents 100 --campaigns 2 --count 20000 --warmup-s 0.3 --duration 1 \
      --json --no-progress >"$out"
    scenario=dial external=1 ;;
  *) echo "unknown scenario $scenario" >&2; exit 2 ;;
esac
tail -n 1 "$out" | SCENARIO="$scenario" EXTERNAL="$external" python3 -c '
import json, os, sys
j = json.loads(sys.stdin.read())
scenario = os.environ["SCENARIO"]
common = ["scenario", "count", "errors", "errors_by_kind", "throughput_per_s", "duration_s",
          "rss_bytes", "goal", "cpu_engine_pct", "cpu_other_pct"]
need = {
    "pacing": ["abandon_rate", "abandon_rate_ci95", "occupancy", "occupancy_goal", "dials",
               "answered", "abandoned", "connected_campaign", "connected_desks", "answer_rate",
               "talk_mean_measured_s", "agents", "hours", "scale", "p50_ms", "p99_ms"],
    "dial": ["dials_metric", "attempts_finished", "history_rows", "history_rows_per_dial",
             "slice_min_per_s", "slice_max_per_s", "cpu_us_per_dial", "campaigns", "agents",
             "records", "unfinished_after_drain", "reference", "ratio"],
}[scenario]
missing = [k for k in common + need if k not in j]
assert not missing, f"missing fields: {missing}"
assert j["scenario"] == scenario, j["scenario"]
kinds, first = j["errors_by_kind"], j.get("first_error")
assert j["errors"] == 0, f"errors: {kinds} first: {first}"
assert j["count"] > 0, "nothing counted"
assert set(j["goal"]) >= {"text", "met", "verdict"}, j["goal"]
if scenario == "dial":
    lost = j["unfinished_after_drain"]
    assert lost == 0, f"{lost} calls never ended (lost between dialer sessions and the gateway?)"
if os.environ["EXTERNAL"] == "1":
    assert j["gateway"].startswith("external"), j["gateway"]
    assert j["embedded_dials_per_s"] > 0, "the embedded pass dialed nothing"
    summary = j["gateway_summary"]
    assert " errors 0 " in summary, f"the external gateway: {summary}"
    requests, placed = int(summary.split()[1]), j["count"]
    assert requests >= placed, f"the gateway saw {requests} dials, the campaigns placed {placed}"
if scenario == "pacing":
    assert 0 <= j["occupancy"] <= 1, j["occupancy"]
    assert j["connected_campaign"] == j["answered"] - j["abandoned"]
count = j["count"]
print(f"{scenario} smoke: count {count}, 0 errors, every field present")
'
