#!/usr/bin/env bash
# ctest's determinism test of `parley-bench simulate --mode virtual` and `pacing --mode
# virtual` (issue 22): the same seed twice gives the same event log — the FNV-1a hash of every ReportingEvent frame the
# simulated reporting client received, in order, byte for byte — and another seed another
# one. Each run also has to match the exact FCFS replay of its draws call by call and end
# without errors. Eight domain hours of the westbay preset (about 5,800 calls), well under a
# second each, also with callers who give up (--patience-s 90); then a predictive campaign (20 agents, 0.3 domain hours, its gateway seeded
# the same way), about a second each.
set -euo pipefail
bench=${1:?usage: simulate_determinism.sh PATH/TO/parley-bench}
run() {
  "$bench" simulate --mode virtual --preset westbay --hours 8 --seed "$@" --json --no-progress | tail -n 1
}
a=$(run 42)
b=$(run 42)
c=$(run 43)
# Callers who give up (patience 90 s): the same, and every abandon as the replay has it.
d=$(run 42 --patience-s 90)
e=$(run 42 --patience-s 90)
python3 - "$d" "$e" "$a" <<'PY'
import json, sys
d, e, a = (json.loads(x) for x in sys.argv[1:4])
for j in (d, e):
    assert j["errors"] == 0, f"errors: {j['errors_by_kind']} first: {j.get('first_error')}"
    assert j["unanswered"] == 0, "calls neither answered nor abandoned"
    assert j["calls_unlike_replay"] == 0, f"{j['calls_unlike_replay']} calls unlike the FCFS replay"
    assert j["abandoned"] > 0, "nobody gave up"
assert d["event_log_hash"] == e["event_log_hash"], "seed 42 with patience twice gave two event logs"
assert d["event_log_hash"] != a["event_log_hash"], "patience changed nothing"
print(f"simulate determinism with patience: seed 42 twice -> {d['event_log_hash']} ({d['abandoned']} abandoned, "
      f"each as the replay has it)")
PY
python3 - "$a" "$b" "$c" <<'PY'
import json, sys
a, b, c = (json.loads(x) for x in sys.argv[1:4])
for j in (a, b, c):
    assert j["errors"] == 0, f"errors: {j['errors_by_kind']} first: {j.get('first_error')}"
    assert j["unanswered"] == 0, "calls never answered"
    assert j["calls_unlike_replay"] == 0, f"{j['calls_unlike_replay']} calls unlike the FCFS replay"
    assert j["events"] > 0, "no reporting event"
assert a["event_log_hash"] == b["event_log_hash"], f"seed 42 twice: {a['event_log_hash']} != {b['event_log_hash']}"
assert a["events"] == b["events"] and a["count"] == b["count"]
assert a["event_log_hash"] != c["event_log_hash"], "seeds 42 and 43 gave the same event log"
print(f"simulate determinism: seed 42 twice -> {a['event_log_hash']} ({a['events']} events, "
      f"{a['count']} calls, each wait equal to the FCFS replay's); seed 43 -> {c['event_log_hash']}")
PY
pacing() {
  "$bench" pacing --mode virtual --agents 20 --hours 0.25 --warmup-h 0.05 --seed "$1" --json --no-progress | tail -n 1
}
p=$(pacing 5)
q=$(pacing 5)
r=$(pacing 6)
python3 - "$p" "$q" "$r" <<'PY'
import json, sys
a, b, c = (json.loads(x) for x in sys.argv[1:4])
for j in (a, b, c):
    assert j["errors"] == 0, f"errors: {j['errors_by_kind']} first: {j.get('first_error')}"
    assert j["answered"] > 0, "nothing answered"
assert a["event_log_hash"] == b["event_log_hash"], f"pacing seed 5 twice: {a['event_log_hash']} != {b['event_log_hash']}"
assert (a["dials"], a["answered"], a["abandoned"]) == (b["dials"], b["answered"], b["abandoned"])
assert a["event_log_hash"] != c["event_log_hash"], "pacing seeds 5 and 6 gave the same event log"
print(f"pacing determinism: seed 5 twice -> {a['event_log_hash']} ({a['events']} events, {a['dials']} dials, "
      f"{a['abandoned']} of {a['answered']} answered abandoned); seed 6 -> {c['event_log_hash']}")
PY
