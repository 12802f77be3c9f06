#!/usr/bin/env bash
# Checks the Debian packages ringkv needs and installs the missing ones when
# run as root; otherwise prints the exact apt-get line and fails.
# Usage: scripts/deps.sh build|test|bench
set -euo pipefail

build_pkgs=(cmake make gcc pkg-config liburing-dev libjemalloc-dev liblzf-dev libisal-dev nettle-dev check
            liblua5.1-0-dev lua-cjson-dev lua-bitop-dev)
# python3 runs the include check (scripts/check_layers.py); clang builds
# the libFuzzer targets (scripts/fuzz.sh; its libFuzzer runtime comes with it).
# redis-sentinel and nutcracker (twemproxy) run in front of ringkv in
# tests/blackbox/sentinel_test.c and twemproxy_test.c.
test_pkgs=(redis-server redis-tools redis-sentinel nutcracker util-linux python3 clang)
# bench/run: fio measures the disk, gnuplot draws the charts, python3 writes the report.
bench_pkgs=(fio gnuplot-nox python3 bc)

want=("${build_pkgs[@]}")
case "${1:-build}" in
  test) want+=("${test_pkgs[@]}") ;;
  bench) want+=("${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
esac

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  echo "ringkv: installing missing packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
  # The Debian redis-server package starts a service on 6379 where systemd
  # runs; the tests never need it and ringkv's default port is the same.
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet redis-server 2>/dev/null; then
    systemctl stop redis-server || true
  fi
else
  echo "ringkv: missing packages: ${missing[*]}" >&2
  echo "Run: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
