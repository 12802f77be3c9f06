#!/usr/bin/env bash
# Builds ringkv and runs the whole test suite: unit tests and black-box
# server tests, first in the normal build, then under AddressSanitizer and
# UBSan. Set RINGKV_SKIP_SANITIZE=1 to run only the normal build.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
scripts/deps.sh test
jobs="$(nproc)"

echo "== include rules (scripts/check_layers.py)"
python3 scripts/check_layers.py

echo "== build (RelWithDebInfo, asserts on)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
echo "== tests"
ctest --test-dir build -j"$jobs" --output-on-failure --timeout 300

if [ "${RINGKV_SKIP_SANITIZE:-0}" != "1" ]; then
  echo "== build (ASan + UBSan)"
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DRINGKV_SANITIZE=ON >/dev/null
  cmake --build build-asan -j"$jobs"
  echo "== tests under ASan + UBSan"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan -j"$jobs" --output-on-failure --timeout 600
fi

# libFuzzer targets (tests/fuzz/): the committed corpora and regression
# inputs once, then about 3 s of fuzzing per target. Skipped, not failed,
# without clang's fuzzer runtime; RINGKV_SKIP_FUZZ=1 skips it too.
if [ "${RINGKV_SKIP_FUZZ:-0}" != "1" ]; then
  echo "== fuzz targets (scripts/fuzz.sh --regress, then 3 s each)"
  fuzz_rc=0
  scripts/fuzz.sh --regress || fuzz_rc=$?
  if [ "$fuzz_rc" -eq 77 ]; then
    echo "== fuzz: skipped (clang or its libFuzzer runtime is missing)"
  elif [ "$fuzz_rc" -ne 0 ]; then
    exit "$fuzz_rc"
  else
    scripts/fuzz.sh 3
  fi
fi
