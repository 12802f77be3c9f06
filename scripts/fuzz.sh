#!/usr/bin/env bash
# Builds the libFuzzer targets in tests/fuzz/ (clang, ASan + UBSan) in
# build-fuzz/ and runs them.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]   fuzz each target SECONDS (default 60)
#   scripts/fuzz.sh --regress [TARGET...]   run each target once over its committed
#                                           corpus and regression inputs, no fuzzing
#
# Each target fuzz_<t> starts from tests/fuzz/corpus/<t>/ (read only) and a
# working corpus build-fuzz/corpus/<t>/ that keeps what earlier runs found,
# with tests/fuzz/<t>.dict when present. Per target it prints executions,
# exec/s, and libFuzzer's final coverage (cov) and features (ft). A crash,
# leak, timeout or sanitizer report fails the run; the input is saved under
# build-fuzz/crashes/<t>/ and its path printed (minimise it with
# `build-fuzz/fuzz_<t> -minimize_crash=1 -runs=10000 <file>` and keep it in
# tests/fuzz/regressions/<t>/). Exits 77 when clang or its fuzzer runtime is
# missing. RINGKV_FUZZ_NICE=<n> runs the fuzzers under nice -n <n>.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

mode=fuzz
seconds=60
if [ "${1:-}" = "--regress" ]; then
  mode=regress
  shift
elif [[ "${1:-}" =~ ^[0-9]+$ ]]; then
  seconds="$1"
  shift
fi

# Longest input per target: a few times the largest seed, small enough to
# keep every execution fast.
max_len_of() {
  case "$1" in
    rdb_file | hll) echo 16384 ;;
    rdb_value | restore | resp_request | aof_reader) echo 8192 ;;
    intset) echo 1024 ;;
    *) echo 4096 ;;
  esac
}

if ! command -v clang >/dev/null 2>&1; then
  echo "fuzz: skipped: clang is not installed (Debian package: clang)"
  exit 77
fi
probe="$(mktemp -d)"
trap 'rm -rf "$probe"' EXIT
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return 0; }\n' \
  >"$probe/p.c"
if ! clang -fsanitize=fuzzer,address,undefined "$probe/p.c" -o "$probe/p" >/dev/null 2>&1; then
  echo "fuzz: skipped: clang cannot link -fsanitize=fuzzer (libclang_rt.fuzzer missing)"
  exit 77
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for src in tests/fuzz/*_fuzz.c; do
    name="$(basename "$src" .c)"
    targets+=("${name%_fuzz}")
  done
fi

build=build-fuzz
CC=clang cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRINGKV_SANITIZE=ON \
  -DRINGKV_FUZZ=ON >/dev/null
cmake --build "$build" -j"$(nproc)" --target "${targets[@]/#/fuzz_}" >/dev/null

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
nice_cmd=()
if [ -n "${RINGKV_FUZZ_NICE:-}" ]; then
  nice_cmd=(nice -n "$RINGKV_FUZZ_NICE")
fi
# Per input: 10 s is a hang, 256 MB from one malloc an input-driven
# allocation (every input is a few KB).
common=(-timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=256 -print_final_stats=1)

failed=0
for t in "${targets[@]}"; do
  bin="$build/fuzz_$t"
  [ -x "$bin" ] || { echo "fuzz: no target $t" >&2; exit 2; }
  seeds="tests/fuzz/corpus/$t"
  regressions="tests/fuzz/regressions/$t"
  crashes="$build/crashes/$t"
  log="$build/logs/$t.log"
  mkdir -p "$seeds" "$crashes" "$build/logs"
  dict=()
  [ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")

  if [ "$mode" = regress ]; then
    inputs=()
    while IFS= read -r -d '' f; do inputs+=("$f"); done \
      < <(find "$seeds" "$regressions" -type f -print0 2>/dev/null | sort -z)
    if [ ${#inputs[@]} -eq 0 ]; then
      echo "fuzz: $t: no inputs"
      continue
    fi
    if "${nice_cmd[@]}" "$bin" "${common[@]}" -artifact_prefix="$crashes/" "${inputs[@]}" \
        >"$log" 2>&1; then
      echo "fuzz: $t: ${#inputs[@]} inputs pass"
    else
      echo "fuzz: $t: FAILED on its committed inputs (log: $log)"
      grep -E "^Running: |ERROR|SUMMARY|property failed" "$log" | tail -n 5
      failed=1
    fi
    continue
  fi

  work="$build/corpus/$t"
  mkdir -p "$work"
  corpora=("$work" "$seeds")
  [ -d "$regressions" ] && corpora+=("$regressions")
  rc=0
  "${nice_cmd[@]}" "$bin" "${common[@]}" "${dict[@]}" -max_len="$(max_len_of "$t")" \
    -max_total_time="$seconds" -artifact_prefix="$crashes/" "${corpora[@]}" >"$log" 2>&1 || rc=$?
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
  rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)"
  last="$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)"
  cov="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")"
  ft="$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")"
  printf 'fuzz: %-13s %ss  execs %-10s exec/s %-7s cov %-6s ft %s\n' "$t" "$seconds" \
    "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}"
  if [ "$rc" -ne 0 ]; then
    echo "fuzz: $t: FAILED (exit $rc, log: $log)"
    grep -E "ERROR|SUMMARY|property failed" "$log" | head -n 5 || true
    grep -E "Test unit written to|artifact_prefix" "$log" | sed 's/^/fuzz:   /' || true
    failed=1
  fi
done
exit "$failed"
