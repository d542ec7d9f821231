#!/usr/bin/env bash
# Installs every Debian package that Stele's build, tests and benchmarks need.
# Idempotent: packages already installed are skipped, and apt runs only when
# something is missing.
set -euo pipefail

PKGS=(
  # build
  build-essential cmake ninja-build pkg-config
  libzstd-dev libxxhash-dev libisal-dev libssl-dev libhtscodecs-dev
  re2c lemon libedit-dev libevent-dev zlib1g-dev
  # tests
  libcmocka-dev python3 python3-pytest zstd
  postgresql-15 python3-psycopg2 python3-psycopg python3-influxdb python3-requests openssl
  # benchmarks
  victoria-metrics curl time gnuplot-nox
  clickhouse-server clickhouse-client influxdb
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
