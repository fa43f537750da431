#!/usr/bin/env bash
# The kill -9 test of the persistence promise, on one backend, for several seeds:
#   scripts/crash-test.sh [sqlite|postgresql] [ROUNDS] [SEED...]     (defaults: sqlite 3 1 2)
# Each seed runs `parley-bench crash`: rounds of load against a real parleyd, kill -9 at a
# seeded random moment, restart, clients retry their unanswered submits with the same
# external id; every acknowledged submit must be present exactly once in its last
# acknowledged state (parley-bench exits 2 otherwise). postgresql uses a fresh database on
# the server in PARLEY_TEST_PG_DSN (the test command starts one; or point it at your own).
# The test command runs this with few rounds; for a long campaign: crash-test.sh sqlite 50 $(seq 20)
set -euo pipefail
backend=${1:-sqlite}
rounds=${2:-3}
seeds=("${@:3}")
[ ${#seeds[@]} -gt 0 ] || seeds=(1 2)
bin=${PARLEY_BINARY_DIR:-$(dirname "$0")/../build}/bin
for seed in "${seeds[@]}"; do
  args=(crash --backend "$backend" --rounds "$rounds" --seed "$seed" --duration 1.5 --no-progress --json)
  if [ "$backend" = postgresql ]; then
    if [ -z "${PARLEY_TEST_PG_DSN:-}" ]; then
      [ "${PARLEY_REQUIRE_SERVICES:-}" = 1 ] && { echo "PARLEY_TEST_PG_DSN is not set"; exit 1; }
      echo "skipped: no PostgreSQL (PARLEY_TEST_PG_DSN)"
      exit 77
    fi
    db="crash_$$_$seed"
    PGOPTIONS="-c client_min_messages=warning" psql "$PARLEY_TEST_PG_DSN" -q -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
    args+=(--dsn "$PARLEY_TEST_PG_DSN dbname=$db")
  fi
  echo "== $backend, seed $seed, $rounds rounds"
  "$bin/parley-bench" "${args[@]}" | tail -n 1
done
