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
grep -q '^ExecReload=/bin/kill -HUP $MAINPID' "$dir/parleyd.service"
# A supervised actor's death ends parleyd with exit code 70, which must mean a restart.
grep -q '^Restart=on-failure' "$dir/parleyd.service"
# Its Documentation= files are what `cmake --install` puts under the prefix it names.
prefix="$dir/prefix"
cmake --install "${PARLEY_BINARY_DIR}" --prefix "$prefix" >/dev/null
for doc in $(sed -n 's|^Documentation=||p' "${PARLEY_SOURCE_DIR}/conf/parleyd.service"); do
  path=${doc#file://}
  test -f "$prefix${path#/usr/local}" || { echo "Documentation=$doc is not installed"; exit 1; }
done
test -x "$prefix/bin/parleyd" && test -x "$prefix/bin/parley"
echo "1 passed, 0 failed"
