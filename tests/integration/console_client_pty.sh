#!/usr/bin/env bash
# The parley console client under a pseudo-terminal (tmux): tab completion, line editing,
# history. Starts its own parleyd on free ports; stops everything it started.
set -euo pipefail
bin=${PARLEY_BINARY_DIR:?}/bin
src=${PARLEY_SOURCE_DIR:?}
command -v tmux >/dev/null || { echo "tmux is not installed; skipping"; exit 77; }

dir=$(mktemp -d /tmp/parley-pty-XXXXXX)
session="parley-pty-$$"
cleanup() {
  tmux kill-session -t "$session" 2>/dev/null || true
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

"$bin/parleyd" --config "$src/conf/parley.toml" --ports-file "$dir/ports" \
  --set listen.interaction_port=0 --set listen.vq_port=0 --set listen.stat_port=0 \
  --set console.port=0 --set metrics.port=0 --set http.port=0 --set engine.data_dir="$dir/var" >"$dir/log" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -s "$dir/ports" ] && break; sleep 0.05; done
port=$(sed -n 's/^console=//p' "$dir/ports")
[ -n "$port" ] || { echo "parleyd did not start"; cat "$dir/log"; exit 1; }

screen() { tmux capture-pane -t "$session" -p; }
wait_for() {  # wait_for TEXT: until the screen shows it (5 s at most)
  for _ in $(seq 100); do screen | grep -qF -- "$1" && return 0; sleep 0.05; done
  echo "expected on screen: $1"; screen; exit 1
}

tmux new-session -d -s "$session" -x 120 -y 40 "HOME=$dir $bin/parley -p $port"
wait_for "parley>"
# Completion of a command, then of its argument.
tmux send-keys -t "$session" "sho" Tab
wait_for "parley> show"
tmux send-keys -t "$session" "qu" Tab
wait_for "parley> show queues"
tmux send-keys -t "$session" Enter
wait_for "support"
# History: Up brings the last line back; editing works on it.
tmux send-keys -t "$session" Up
wait_for "parley> show queues"
tmux send-keys -t "$session" C-u "stat" Tab Enter
wait_for "reporting events:"
tmux send-keys -t "$session" "quit" Enter
for _ in $(seq 100); do grep -q "queues" "$dir/.parley_history" 2>/dev/null && break; sleep 0.05; done
grep -q "queues" "$dir/.parley_history" || { echo "history was not saved"; ls -la "$dir"; cat "$dir/.parley_history"; screen; exit 1; }
echo "1 passed, 0 failed"
