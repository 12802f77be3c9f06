#!/usr/bin/env bash
# bench/aof.sh: ringkv's append-only file beside redis-server's in the same run.
#
# First measures the disk under the work dir with fio: how many 4 KiB
# write+fdatasync pairs it completes per second (the ceiling for
# appendfsync always) and how fast it takes 1 MiB sequential writes (the RDB
# and rewrite case). Then, for each appendfsync policy (always, everysec, no)
# and for no persistence at all, starts both servers in fresh data dirs and
# runs redis-benchmark SET at four load points, rounds alternating between the
# servers. It prints the median requests/s of each server, the ratio
# ringkv / redis, and, from ringkv's INFO persistence counters
# (ringkv_aof_fsyncs, ringkv_aof_commands_logged), the fdatasyncs per second
# ringkv issued during the run and the average number of commands each one
# made durable.
#
# Usage: bench/aof.sh [--quick]
#   --quick: 1 round, small request counts, shorter fio runs (under a minute).
# Env: RINGKV (default build/ringkv-server), REDIS (default redis-server),
#      ROUNDS (default 3; 1 with --quick),
#      REQUESTS (one count for every load point, or four counts in the order
#        "c1 c50 c200 c50p16"; default scales with the load point),
#      WORKDIR (parent of the temporary work dir, default $TMPDIR or /tmp;
#        fio and the servers' data share it, so put it on the disk under test),
#      POLICIES (default "always everysec no"), OUT (also write the report here),
#      CSV (also write the medians there, one row per policy and load point:
#        policy,clients,pipeline,ringkv_rps,redis_rps,ringkv_fsyncs_per_s,
#        commands_per_fsync; policy "off" is no AOF, "-" a missing figure;
#        then a row "fio,<fdatasyncs/s>,<buffered MB/s>,<O_DIRECT MB/s>,-,-,-").
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

quick=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $arg (try --help)" >&2; exit 2 ;;
  esac
done

ringkv="${RINGKV:-$root/build/ringkv-server}"
redis="${REDIS:-redis-server}"
policies="${POLICIES:-always everysec no}"
if [ "$quick" = 1 ]; then
  rounds="${ROUNDS:-1}"
  default_requests="2000 20000 20000 100000"
  fio_sync_s=2
  fio_seq_bytes=256m
else
  rounds="${ROUNDS:-3}"
  default_requests="10000 100000 100000 500000"
  fio_sync_s=5
  fio_seq_bytes=1g
fi
requests="${REQUESTS:-$default_requests}"
# shellcheck disable=SC2086 # split the list into its counts
set -- $requests
case $# in
  1) requests="$1 $1 $1 $1" ;;
  4) ;;
  *) echo "REQUESTS must hold one count or four" >&2; exit 2 ;;
esac
read -r -a point_requests <<<"$requests"
# The four load points: clients and pipeline depth, matched by index with
# point_requests.
point_clients=(1 50 200 50)
point_pipeline=(1 1 1 16)

for tool in redis-benchmark redis-cli python3 bc; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }
done
[ -x "$ringkv" ] || { echo "no ringkv binary at $ringkv (set RINGKV)" >&2; exit 1; }
command -v "$redis" >/dev/null || { echo "no redis-server at $redis (set REDIS)" >&2; exit 1; }

work="$(mktemp -d "${WORKDIR:-${TMPDIR:-/tmp}}/ringkv-aof-bench-XXXXXX")"
pids=()
report="$work/report.md"

stop_servers() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
}
cleanup() {
  stop_servers
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "$*" | tee -a "$report"; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR == 0) print "-"; else print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# ratio <a> <b>: a / b to two places, or "-" when either is missing or b is 0.
ratio() {
  case "$1$2" in *-*|"") echo "-"; return ;; esac
  [ "$(echo "$2 == 0" | bc)" = 1 ] && { echo "-"; return; }
  printf "%.2f" "$(echo "$1 / $2" | bc -l)"
}

# ---- disk ----

# fio_json <name> <fio args...>: runs one fio job in $work/fio, JSON on stdout.
fio_json() {
  local name="$1"; shift
  mkdir -p "$work/fio"
  if ! fio --name="$name" --directory="$work/fio" --ioengine=sync --output-format=json "$@" \
      2>"$work/fio.err"; then
    echo "fio $name failed:" >&2
    cat "$work/fio.err" >&2
    exit 1
  fi
  rm -f "$work/fio/$name".*
}

measure_disk() {
  if ! command -v fio >/dev/null; then
    say "fio not installed (sudo apt-get install -y fio); disk figures skipped"
    fio_fsync_rate="-"; fio_seq_buffered="-"; fio_seq_direct="-"
    return
  fi
  # Each 4 KiB write is followed by fdatasync, as appendfsync always does
  # per event-loop batch; fio counts one write per sync, so write IOPS is the
  # fdatasync rate.
  fio_fsync_rate=$(fio_json fsync --rw=write --bs=4k --size=64m --fdatasync=1 \
      --time_based --runtime="$fio_sync_s" |
    python3 -c 'import json,sys; print("%.0f" % json.load(sys.stdin)["jobs"][0]["write"]["iops"])')
  # Sequential 1 MiB writes through the page cache with one fsync at the end
  # (fio's runtime includes that fsync), the shape of an RDB save; then the
  # same with O_DIRECT for the device's own rate.
  fio_seq_buffered=$(fio_json seq --rw=write --bs=1m --size="$fio_seq_bytes" --end_fsync=1 |
    python3 -c 'import json,sys; print("%.0f" % (json.load(sys.stdin)["jobs"][0]["write"]["bw_bytes"] / 1e6))')
  fio_seq_direct=$(fio_json seqdirect --rw=write --bs=1m --size="$fio_seq_bytes" --direct=1 |
    python3 -c 'import json,sys; print("%.0f" % (json.load(sys.stdin)["jobs"][0]["write"]["bw_bytes"] / 1e6))')
  say "disk ($(df -P "$work" | awk 'NR==2{print $1}'), $(findmnt -no FSTYPE -T "$work" 2>/dev/null || echo '?')):" \
    "fio 4 KiB write+fdatasync: $fio_fsync_rate fdatasyncs/s;" \
    "1 MiB sequential writes: $fio_seq_buffered MB/s buffered+fsync, $fio_seq_direct MB/s O_DIRECT"
}

# ---- servers ----

# start <name> <binary> <port> <args...>: starts a server in a fresh data dir
# and waits until it answers PING.
start() {
  local name="$1" binary="$2" port="$3"; shift 3
  rm -rf "${work:?}/$name"; mkdir -p "$work/$name"
  "$binary" --port "$port" --bind 127.0.0.1 --dir "$work/$name" --save '' "$@" \
    >"$work/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 200); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "$name did not start; its log:" >&2
  cat "$work/$name.log" >&2
  exit 1
}

# bench <port> <requests> <clients> <pipeline>: SET requests/s.
bench() {
  local out
  out=$(redis-benchmark -p "$1" -t set -n "$2" -c "$3" -P "$4" -r 100000 -q 2>&1 | tr '\r' '\n' |
    grep -E '^SET: [0-9.]+ requests' | tail -1 | sed 's/.*: \([0-9.]*\) requests.*/\1/') || true
  if [ -z "$out" ]; then
    echo "redis-benchmark got no result from port $1 (-n $2 -c $3 -P $4)" >&2
    exit 1
  fi
  echo "$out"
}

# aof_counters <port>: "<fsyncs> <commands logged>" from INFO persistence, or
# "- -" when the server does not report them (Redis, or AOF off).
aof_counters() {
  redis-cli -p "$1" info persistence | tr -d '\r' | awk -F: '
    /^ringkv_aof_fsyncs:/ {f = $2} /^ringkv_aof_commands_logged:/ {c = $2}
    END {print (f == "" ? "-" : f), (c == "" ? "-" : c)}'
}

# ---- one configuration ----

# run_config <label> <ringkv args...>: both servers with the same persistence
# arguments, every load point, rounds alternating. Appends one line per load
# point to $work/results: label clients pipeline rk_rps rd_rps fsyncs_s cmds_per_fsync.
run_config() {
  local label="$1"; shift
  local rk_port rd_port i r n c p rps rd_rps before after
  rk_port=$(free_port); start "ringkv-$label" "$ringkv" "$rk_port" "$@"
  rd_port=$(free_port); start "redis-$label" "$redis" "$rd_port" "$@"
  for i in "${!point_clients[@]}"; do
    n="${point_requests[$i]}"; c="${point_clients[$i]}"; p="${point_pipeline[$i]}"
    # One client under appendfsync always waits for an fdatasync per SET, so
    # unless REQUESTS says otherwise, size that run to ~3 s of this disk.
    if [ "$label" = always ] && [ "$c" = 1 ] && [ -z "${REQUESTS:-}" ] &&
      [ "$fio_fsync_rate" != "-" ] && [ $((fio_fsync_rate * 3)) -lt "$n" ]; then
      n=$((fio_fsync_rate * 3 > 500 ? fio_fsync_rate * 3 : 500))
    fi
    : >"$work/rk"; : >"$work/rd"; : >"$work/fs"; : >"$work/batch"
    for r in $(seq "$rounds"); do
      before=$(aof_counters "$rk_port")
      rps=$(bench "$rk_port" "$n" "$c" "$p")
      after=$(aof_counters "$rk_port")
      echo "$rps" >>"$work/rk"
      # The run's duration is taken as requests / rps, the benchmark's own
      # clock, so the fsync rate matches the rps it sits beside.
      # shellcheck disable=SC2086 # each counter pair is two arguments
      python3 - "$n" "$rps" $before $after >>"$work/fs" <<'PY'
import sys
n, rps, f0, c0, f1, c1 = sys.argv[1:7]
if "-" in (f0, f1):
    sys.exit(0)
fsyncs, cmds = int(f1) - int(f0), int(c1) - int(c0)
print("%.0f %s" % (fsyncs * float(rps) / int(n), "%.1f" % (cmds / fsyncs) if fsyncs else "-"))
PY
      rd_rps=$(bench "$rd_port" "$n" "$c" "$p")
      echo "$rd_rps" >>"$work/rd"
      printf "  %-9s c=%-3s P=%-2s round %s: ringkv %s, redis %s\n" "$label" "$c" "$p" "$r" \
        "$rps" "$rd_rps" >&2
    done
    echo "$label $c $p $(median <"$work/rk") $(median <"$work/rd")" \
      "$(awk '{print $1}' "$work/fs" | median)" \
      "$(awk '$2 != "-" {print $2}' "$work/fs" | median)" >>"$work/results"
  done
  # Each configuration keeps its own files only while it runs, so a full run
  # needs the disk space of one configuration at a time.
  stop_servers
  rm -rf "$work/ringkv-$label" "$work/redis-$label"
}

# ---- main ----

: >"$report"
: >"$work/results"
say "# AOF benchmark: ringkv beside $("$redis" --version | awk '{print $1, $3}')"
say ""
say "machine: $(nproc) cores, $(uname -r); $rounds round(s); SET -r 100000;" \
  "requests per run: c1 ${point_requests[0]}, c50 ${point_requests[1]}," \
  "c200 ${point_requests[2]}, c50 P16 ${point_requests[3]}"
measure_disk
say ""

for policy in $policies; do
  echo "appendfsync $policy ..." >&2
  run_config "$policy" --appendonly yes --appendfsync "$policy"
done
echo "no persistence ..." >&2
run_config off --appendonly no

say "| policy | clients | pipeline | ringkv rps | redis rps | ratio | ringkv fsyncs/s | commands/fsync |"
say "|---|---:|---:|---:|---:|---:|---:|---:|"
while read -r label c p rk rd fs batch; do
  [ "$label" = off ] && label="(no AOF)"
  say "| $label | $c | $p | $rk | $rd | $(ratio "$rk" "$rd") | $fs | $batch |"
done <"$work/results"
say ""
[ "$fio_fsync_rate" != "-" ] && say "fio fdatasyncs/s on this disk: $fio_fsync_rate (the ceiling for ringkv fsyncs/s)."

# field <label> <clients> <pipeline> <column>: one median from the results.
field() {
  awk -v l="$1" -v c="$2" -v p="$3" -v k="$4" '$1 == l && $2 == c && $3 == p {print $k}' \
    "$work/results"
}
has_policy() { case " $policies " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

say ""
say "Derived ratios (ringkv medians; redis's in brackets):"
if has_policy always && has_policy everysec; then
  for c in 50 200; do
    say "- always / everysec, $c clients P1: $(ratio "$(field always "$c" 1 4)" "$(field everysec "$c" 1 4)")" \
      "[redis $(ratio "$(field always "$c" 1 5)" "$(field everysec "$c" 1 5)")] (target >= 0.80)"
  done
fi
if has_policy everysec; then
  for i in "${!point_clients[@]}"; do
    c="${point_clients[$i]}"; p="${point_pipeline[$i]}"
    say "- everysec / no AOF, $c clients P$p: $(ratio "$(field everysec "$c" "$p" 4)" "$(field off "$c" "$p" 4)")" \
      "[redis $(ratio "$(field everysec "$c" "$p" 5)" "$(field off "$c" "$p" 5)")] (target >= 0.95)"
  done
fi

if [ -n "${OUT:-}" ]; then
  cp "$report" "$OUT"
  echo "report written to $OUT" >&2
fi
if [ -n "${CSV:-}" ]; then
  { echo "policy,clients,pipeline,ringkv_rps,redis_rps,ringkv_fsyncs_per_s,commands_per_fsync"
    tr ' ' ',' <"$work/results"
    echo "fio,$fio_fsync_rate,$fio_seq_buffered,$fio_seq_direct,-,-,-"; } >"$CSV"
  echo "CSV written to $CSV" >&2
fi
