#!/usr/bin/env bash
# conf/parleyd.service passes `systemd-analyze verify` (with ExecStart pointing at the
# built parleyd, since verify checks that the binary exists).
set -euo pipefail
command -v systemd-analyze >/dev/null || { echo "systemd-analyze is not installed; skipping"; exit 77; }
dir=$(mktemp -d /tmp/parley-unit-XXXXXX)
trap 'rm -rf "$dir"' EXIT
sed "s|/usr/local/bin/parleyd|${PARLEY_BINARY_DIR:?}/bin/parleyd|" "${PARLEY_SOURCE_DIR:?}/conf/parleyd.service" \
  > "$dir/parleyd.service"
out=$(systemd-analyze verify "$dir/parleyd.service" 2>&1) || { echo "$out"; exit 1; }
# verify exits 0 on some warnings: treat any output about our unit as a failure.
if echo "$out" | grep -q "parleyd.service"; then echo "$out"; exit 1; fi
grep -q '^Type=notify' "$dir/parleyd.service"
grep -q '^NoNewPrivileges=yes' "$dir/parleyd.service"
grep -q '^ProtectSystem=strict' "$dir/parleyd.service"
echo "1 passed, 0 failed"
