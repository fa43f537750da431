#!/usr/bin/env bash
# `parley plan` as a user runs it (docs/planning.md): the example center's small forecast
# gives a plan CSV, a per-queue CSV and a PNG, exit 0, and the same files again with the same
# seed; a wrong forecast gives exit 2 and every problem with its line.
set -euo pipefail
bin=${PARLEY_BINARY_DIR:?}/bin
src=${PARLEY_SOURCE_DIR:?}
dir=$(mktemp -d /tmp/parley-plan-XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

plan() {  # plan OUT-STEM [ARGS...]
  local stem=$1; shift
  "$bin/parley" plan --config "$src/examples/planning/center.toml" \
    --forecast "$src/examples/planning/small.csv" --calls 3000 \
    --out "$dir/$stem.csv" --chart "$dir/$stem.png" "$@"
}

plan a >"$dir/a.out" 2>&1 || { cat "$dir/a.out"; fail "parley plan exited $?"; }
cat "$dir/a.out"
grep -q "^plan: 3 intervals" "$dir/a.out" || fail "no summary line"
[ "$(head -1 "$dir/a.csv")" = "interval,group,agents,erlang_c_agents" ] || fail "plan CSV header"
[ "$(wc -l <"$dir/a.csv")" -eq 7 ] || fail "plan CSV: 3 intervals x 2 groups expected"
[ "$(wc -l <"$dir/a-queues.csv")" -eq 7 ] || fail "queues CSV: 3 intervals x 2 queues expected"
# 08:00 and 08:30 have the same traffic: the same plan.
[ "$(grep '^08:00,' "$dir/a.csv" | cut -d, -f2-)" = "$(grep '^08:30,' "$dir/a.csv" | cut -d, -f2-)" ] ||
  fail "the same traffic, another plan"
# Every interval met: each queue's service level >= 0.8 and abandon rate <= 0.05.
awk -F, 'NR > 1 && ($4 < 0.8 || $5 > 0.05 || $7 != "true") { bad = 1; print "not met: " $0 } END { exit bad }' \
  "$dir/a-queues.csv" || fail "targets"
[ "$(head -c 8 "$dir/a.png" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] || fail "not a PNG"
[ "$(stat -c %s "$dir/a.png")" -gt 10000 ] || fail "PNG too small to be a chart"

plan b -j 1 -q >/dev/null 2>&1 || fail "second run"
cmp "$dir/a.csv" "$dir/b.csv" || fail "same seed, other plan"
cmp "$dir/a-queues.csv" "$dir/b-queues.csv" || fail "same seed, other outcomes"

printf 'interval,queue,media,offered,aht_s\n08:00,sales,fax,10,240\n08:00,nobody,voice,x,240\n' >"$dir/bad.csv"
set +e
"$bin/parley" plan --config "$src/examples/planning/center.toml" --forecast "$dir/bad.csv" \
  --out "$dir/c.csv" >"$dir/c.out" 2>&1
rc=$?
set -e
cat "$dir/c.out"
[ "$rc" -eq 2 ] || fail "a wrong forecast exited $rc, not 2"
grep -q "line 2: media 'fax' is not configured" "$dir/c.out" || fail "no line 2 problem"
grep -q "line 3: queue 'nobody' is not configured" "$dir/c.out" || fail "no line 3 problem"
grep -q "line 3: offered 'x' is not a number" "$dir/c.out" || fail "no line 3 number problem"
[ ! -e "$dir/c.csv" ] || fail "a plan written from a wrong forecast"
echo "parley plan: ok"
