#!/usr/bin/env bash
# Installs every Debian package Parley needs to build, run and test, and the browser tests'
# one npm package (playwright-core, pinned by tests/browser/package-lock.json; it drives
# Debian's chromium and downloads no browser).
# Idempotent: when everything is already present it does nothing (no apt-get update).
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libcaf-dev libboost-dev libflatbuffers-dev flatbuffers-compiler python3-flatbuffers
  libsodium-dev libtomlplusplus-dev libcli11-dev libspdlog-dev libfmt-dev doctest-dev libbenchmark-dev
  libsqlite3-dev nlohmann-json3-dev sqlite3 libpq-dev postgresql redis-server libhiredis-dev
  libhowardhinnant-date-dev tzdata libssl-dev valgrind openssl python3 libedit-dev tmux netcat-openbsd prometheus libsystemd-dev systemd clang-14 libclang-rt-14-dev
  libcairo2-dev chromium fonts-dejavu-core wrk nginx-light python3-redis
)
# Node.js and npm from Debian unless the machine has them already (an image may carry
# NodeSource's nodejs, which bundles npm and conflicts with Debian's npm package).
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The browser tests' node_modules: again whenever the lock file is newer than them.
browser="$(cd "$(dirname "$0")/../tests/browser" && pwd)"
if [ ! -f "$browser/node_modules/.package-lock.json" ] ||
   [ "$browser/package-lock.json" -nt "$browser/node_modules/.package-lock.json" ]; then
  echo "install-deps: npm ci in tests/browser"
  (cd "$browser" && npm ci --no-audit --no-fund --loglevel=error)
fi
