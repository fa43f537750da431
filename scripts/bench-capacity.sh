#!/usr/bin/env bash
# capacity as the engine-core goal measures it: a real parleyd (durable SQLite, its
# defaults) in its own process, the load generator (`parley-bench capacity --connect`) in
# another, and the engine's own RSS growth per waiting interaction (parley-bench reads the
# engine's /proc/PID/statm before the submits and once they are all held: --engine-pid).
# Usage:
#   bash scripts/bench-capacity.sh [COUNT] [BUILD_DIR]     (1000000, build-release)
#   PARLEYD=/other/bin/parleyd bash scripts/bench-capacity.sh ...   (another engine build)
# Prints parley-bench's JSON (rss_per_interaction_bytes, engine_rss_*; goal.verdict).
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000000}
bin=${2:-build-release}/bin
dir=$(mktemp -d /tmp/parley-capacity-XXXXXX)
pid=
cleanup() {
  [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
cat >"$dir/parley.toml" <<EOF
[routing]
media = ["voice"]

[[queues]]
name = "q"
max_size = $((count + 1000))
EOF
"${PARLEYD:-$bin/parleyd}" --config "$dir/parley.toml" --ports-file "$dir/ports" \
  --set listen.interaction_port=0 --set listen.vq_port=0 --set listen.stat_port=0 \
  --set console.port=0 --set metrics.port=0 --set http.port=0 --set engine.data_dir="\"$dir\"" \
  --set limits.max_requests_per_second=0 >"$dir/parleyd.log" 2>&1 &
pid=$!
for _ in $(seq 600); do [[ -s $dir/ports ]] && break; sleep 0.1; done
port=$(sed -n 's/^interaction=//p' "$dir/ports")
[[ -n $port ]] || { cat "$dir/parleyd.log"; exit 1; }
"$bin/parley-bench" capacity --connect "127.0.0.1:$port" --engine-pid "$pid" --count "$count" \
  --duration 900 --no-progress --json
