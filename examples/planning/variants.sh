#!/usr/bin/env bash
# The table "Why the difference, and by how much" of docs/planning.md: the day planned with
# one change at a time. Usage: examples/planning/variants.sh [BUILD_DIR] (default: build).
# Writes each plan to a temporary directory and prints one summary line per row.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
parley=${1:-build}/bin/parley
dir=$(mktemp -d /tmp/parley-variants-XXXXXX)
trap 'rm -rf "$dir"' EXIT
grep -v overflow "$here/center.toml" >"$dir/no-overflow.toml"
grep -v ',chat,' "$here/day.csv" >"$dir/voice.csv"

row() {  # row NAME CONFIG FORECAST [OPTIONS...]
  local name=$1 config=$2 forecast=$3
  shift 3
  printf '%-34s ' "$name:"
  "$parley" plan -q --config "$config" --forecast "$forecast" --out "$dir/$name.csv" --chart "" "$@" | head -1
}
row voice,no-overflow,no-hang-up "$dir/no-overflow.toml" "$dir/voice.csv" --patience-s 0
row +overflow "$here/center.toml" "$dir/voice.csv" --patience-s 0
row +chat "$here/center.toml" "$here/day.csv" --patience-s 0
row +hang-up "$here/center.toml" "$here/day.csv"
row +ring-4s,3%-ring-out "$here/center.toml" "$here/day.csv" --answer-s 4 --no-answer 3
row voice,no-overflow,ring-out "$dir/no-overflow.toml" "$dir/voice.csv" --patience-s 0 --answer-s 4 --no-answer 3
