#!/usr/bin/env bash
# Installs every Debian package Parley needs to build, run and test.
# Idempotent: when every package is already present it does nothing (no apt-get update).
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libcaf-dev libboost-dev libflatbuffers-dev flatbuffers-compiler python3-flatbuffers
  libsodium-dev libtomlplusplus-dev libcli11-dev libspdlog-dev libfmt-dev doctest-dev libbenchmark-dev
  libsqlite3-dev nlohmann-json3-dev sqlite3 libpq-dev postgresql redis-server libhiredis-dev
  libhowardhinnant-date-dev tzdata libssl-dev valgrind openssl python3 libedit-dev tmux netcat-openbsd prometheus libsystemd-dev systemd clang-14 libclang-rt-14-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
