#!/usr/bin/env bash
# A contact-list import as operators run it: ROWS rows (default 1,000,000) of CSV generated
# into a fresh data directory, a real parleyd from BUILD_DIR (default build-release) on free
# ports, `list import` through the `parley` console client; prints the engine's own summary
# ("took N s") and the client's wall time. Extra arguments go to parleyd (e.g.
# --set storage.backend=postgresql --set storage.dsn=...). Stops parleyd and removes its
# directory at the end.
# With DEDUPE=1 two more imports follow into the same (now ROWS-record) list, both with
# --dedupe: the same file again with --append (every row a duplicate: the cost of loading the
# list's phones and checking each row), and ROWS new numbers (load, check and insert).
#   [DEDUPE=1] bash bench/list_import.sh [BUILD_DIR] [ROWS] [parleyd options...]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-release}
rows=${2:-1000000}
shift $(( $# > 2 ? 2 : $# ))
dir=$(mktemp -d /tmp/parley-import-XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
mkdir -p "$dir/import"
generate() {  # FILE ROWS FIRST_NUMBER
python3 - "$1" "$2" "$3" <<'PY'
import sys
zones = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
         "Europe/London", "Europe/Berlin"]
first = int(sys.argv[3])
with open(sys.argv[1], "w") as f:
    f.write("phone,tz,customer,chain,chain_n,plan,name\n")
    for i in range(int(sys.argv[2])):
        f.write(f"+1{first + i:010d},{zones[i % 6]},c{i // 2},{i // 2 + 1},{i % 2 + 1},gold,Customer {i}\n")
PY
}
generate "$dir/import/list.csv" "$rows" 2122000000
echo "$(wc -l <"$dir/import/list.csv") lines, $(du -h "$dir/import/list.csv" | cut -f1) of CSV"
"$build/bin/parleyd" --config conf/parley.toml --set "engine.data_dir=$dir" \
  --set listen.interaction_port=0 --set listen.vq_port=0 --set listen.stat_port=0 \
  --set console.port=0 --set metrics.port=0 --set http.port=0 --ports-file "$dir/ports" "$@" >"$dir/log" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -s "$dir/ports" ] && break; sleep 0.1; done
port=$(grep console "$dir/ports" | grep -o '[0-9]*$') || { cat "$dir/log"; exit 1; }
run() {
  echo "> $1"
  local start
  start=$(date +%s%N)
  "$build/bin/parley" -p "$port" -c "$1" | grep -v '^progress'
  echo "client wall time: $(( ($(date +%s%N) - start) / 1000000 )) ms"
}
run "list import bench list.csv"
if [ "${DEDUPE:-0}" = 1 ]; then
  generate "$dir/import/new.csv" "$rows" 2132000000
  run "list import bench list.csv --append --dedupe"
  run "list import bench new.csv --dedupe"
fi
