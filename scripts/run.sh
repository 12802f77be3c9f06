#!/usr/bin/env bash
# Builds ringkv and starts it on 127.0.0.1:6379 with its data in ./data.
# Extra arguments go to ringkv-server (e.g. --port 7000 or a config file).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
scripts/deps.sh build
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target ringkv-server
mkdir -p data
exec build/ringkv-server "$@"
