#!/usr/bin/env bash
# bench/compare.sh: ringkv beside redis-server in the same run.
#
# Starts both servers without persistence on free loopback ports, runs
# redis-benchmark SET and GET at 50 clients with pipeline 1 and 16, rounds
# alternating between the servers, and prints the median of each figure and
# the ratio ringkv / redis. Then loads 1M keys of 16-byte names and 32-byte
# values into each and compares used_memory.
#
# Usage: bench/compare.sh [rounds (default 3)] [requests per run (default 200000)]
# Env: RINGKV (default build/ringkv-server), REDIS (default redis-server),
#      TESTS (redis-benchmark -t names, default "set get"),
#      PIPELINES (default "1 16"), MEMORY (0 skips the 1M-key memory test),
#      CSV (also write the medians there as "test,pipeline,ringkv,redis" rows;
#        the memory row is "bytes_per_key,-,<ringkv>,<redis>").
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rounds="${1:-3}"
requests="${2:-200000}"
ringkv="${RINGKV:-$root/build/ringkv-server}"
redis="${REDIS:-redis-server}"
work="$(mktemp -d /tmp/ringkv-bench-XXXXXX)"
pids=()

cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

start() { # name binary port
  mkdir -p "$work/$1"
  "$2" --port "$3" --bind 127.0.0.1 --dir "$work/$1" --save '' --appendonly no \
    >"$work/$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    redis-cli -p "$3" ping >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "$1 did not start" >&2
  cat "$work/$1.log" >&2
  exit 1
}

# rps <port> <test> <pipeline>: requests per second from redis-benchmark.
rps() {
  local name
  name=$(echo "$2" | tr a-z A-Z)
  [ "$name" = "LRANGE_100" ] && name="LRANGE_100 \(first 100 elements\)"
  redis-benchmark -p "$1" -t "$2" -n "$requests" -c 50 -P "$3" -r 100000 -q 2>/dev/null |
    tr '\r' '\n' | grep -E "^$name: [0-9.]+ requests" | tail -1 | sed 's/.*: \([0-9.]*\) requests.*/\1/'
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

rk_port=$(free_port); start ringkv "$ringkv" "$rk_port"
rd_port=$(free_port); start redis "$redis" "$rd_port"

echo "machine: $(nproc) cores, $(uname -r); $rounds rounds of $requests requests, 50 clients"
printf "%-22s %14s %14s %8s\n" "test" "ringkv rps" "redis rps" "ratio"
[ -n "${CSV:-}" ] && echo "test,pipeline,ringkv,redis" >"$CSV"
for pipeline in ${PIPELINES:-1 16}; do
  for t in ${TESTS:-set get}; do
    : >"$work/rk" ; : >"$work/rd"
    for _ in $(seq "$rounds"); do
      rps "$rk_port" "$t" "$pipeline" >>"$work/rk"
      rps "$rd_port" "$t" "$pipeline" >>"$work/rd"
    done
    a=$(median <"$work/rk"); b=$(median <"$work/rd")
    printf "%-22s %14s %14s %8.2f\n" "$t -P $pipeline" "$a" "$b" "$(echo "$a / $b" | bc -l)"
    [ -n "${CSV:-}" ] && echo "$t,$pipeline,$a,$b" >>"$CSV"
  done
done

[ "${MEMORY:-1}" = "0" ] && exit 0

# Memory: 1M keys "key:%012d" (16 bytes) with 32-byte values.
load_keys() {
  python3 - "$1" <<'PY' | redis-cli -p "$1" --pipe >/dev/null
import sys
out = sys.stdout
val = "v" * 32
for i in range(1000000):
    k = "key:%012d" % i
    out.write("*3\r\n$3\r\nSET\r\n$16\r\n%s\r\n$32\r\n%s\r\n" % (k, val))
PY
}
used() { redis-cli -p "$1" info memory | tr -d '\r' | awk -F: '/^used_memory:/{print $2}'; }
for port in "$rk_port" "$rd_port"; do redis-cli -p "$port" flushall >/dev/null; done
rk0=$(used "$rk_port"); rd0=$(used "$rd_port")
load_keys "$rk_port"; load_keys "$rd_port"
rk1=$(used "$rk_port"); rd1=$(used "$rd_port")
rkn=$(redis-cli -p "$rk_port" dbsize); rdn=$(redis-cli -p "$rd_port" dbsize)
rkb=$(( (rk1 - rk0) / rkn )); rdb=$(( (rd1 - rd0) / rdn ))
printf "%-22s %14s %14s %8.2f\n" "bytes/key (1M keys)" "$rkb" "$rdb" "$(echo "$rkb / $rdb" | bc -l)"
[ -n "${CSV:-}" ] && echo "bytes_per_key,-,$rkb,$rdb" >>"$CSV"
exit 0
