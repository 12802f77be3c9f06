#!/usr/bin/env bash
# bench/aof.sh: ringkv's append-only file beside redis-server's in the same run.
#
# First measures the disk under the work dir with fio: 4 KiB write+fdatasync
# pairs per second; 4 KiB O_DIRECT+O_DSYNC overwrites of an already written
# file at queue depth 1 and 4 (what a direct-I/O log writer can reach); and
# 1 MiB sequential writes (the RDB and rewrite case). Then, for each load point
# (SET at 1, 50 and 200 clients, and 50 clients at pipeline 16), starts both
# servers fresh under every appendfsync policy (always, everysec, no) and
# without AOF ("off"), all at once, and runs redis-benchmark on each. Within a
# round a server's policies run back to back (off, always, everysec, no; the
# reverse in even rounds, and which server goes first alternates), so each
# policy is compared with the same server's "off" run of the same round.
# Every ratio is the median of the per-round ratios.
#
# The report: requests/s per policy and load point with ringkv/redis and
# policy/off ratios; ringkv's log counters from INFO persistence (fsyncs/s,
# commands per fsync, batches/s, commands per batch, batches in flight, filler
# bytes per MB of log, direct or buffered writer; "-" where the server does
# not report a field); and a targets table (issue 13) with PASS/FAIL.
#
# Usage: bench/aof.sh [--quick]
#   --quick: 2 rounds, half the request counts, shorter fio runs (~2 minutes
#     on 2 cores; a full run takes ~5).
# Env: RINGKV (default build/ringkv-server), REDIS (default redis-server),
#      ROUNDS (default 3; 2 with --quick),
#      REQUESTS (one count for every load point, or four counts in the order
#        "c1 c50 c200 c50p16"; default scales with the load point; unless
#        REQUESTS is set, always at 1 client is cut to a few seconds of the
#        disk's sync rate),
#      WORKDIR (parent of the temporary work dir, default $TMPDIR or /tmp;
#        fio and the servers' data share it, so put it on the disk under test),
#      POLICIES (default "always everysec no"; "off" always runs),
#      RINGKV_ARGS (extra arguments for every ringkv server, e.g.
#        "--aof-direct-io no"),
#      BATCHES_IN_FLIGHT (e.g. "1 2 4 8": also sweeps ringkv's
#        aof-batches-in-flight under always at 50 clients, pipeline 1, each
#        value beside ringkv off in the same rounds; ringkv only; off by default),
#      OUT (also write the report here),
#      CSV (also write the figures there, one row per policy and load point:
#        policy,clients,pipeline,ringkv_rps,redis_rps,ringkv_vs_redis,
#        ringkv_vs_off,redis_vs_off,log_io,fsyncs_per_s,commands_per_fsync,
#        batches_per_s,commands_per_batch,inflight_avg,inflight_peak,
#        inflight_max,filler_per_mb; "-" a missing figure. Beside it, with the same stem:
#        <stem>-disk.csv (figure,value: fio's rates),
#        <stem>-targets.csv (target,ringkv,goal,result,per_round,redis,figures) and,
#        with BATCHES_IN_FLIGHT, <stem>-sweep.csv).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
bench_quick_arg "$@"

ringkv="${RINGKV:-$root/build/ringkv-server}"
redis="${REDIS:-redis-server}"
policies="${POLICIES:-always everysec no}"
sweep="${BATCHES_IN_FLIGHT:-}"
# shellcheck disable=SC2206 # split the extra arguments on spaces
ringkv_args=(${RINGKV_ARGS:-})
if [ "$quick" = 1 ]; then
  rounds="${ROUNDS:-2}"
  default_requests="10000 100000 100000 500000"
  fio_sync_s=2
  fio_seq_bytes=256m
  c1_always_s=3
else
  rounds="${ROUNDS:-3}"
  default_requests="20000 200000 200000 1000000"
  fio_sync_s=5
  fio_seq_bytes=1g
  c1_always_s=5
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
# The sweep's load point (BATCHES_IN_FLIGHT): index into the arrays above.
sweep_point=1
# Where the 4 KiB O_DSYNC runs write: a file written in full first.
fio_dsync_size=64m

for p in $policies; do
  case "$p" in always|everysec|no) ;; off) ;; *) echo "unknown policy $p in POLICIES" >&2; exit 2 ;; esac
done
# off first: it is every policy's baseline.
policy_list="off $(echo " $policies " | sed 's/ off / /g')"
for n in $sweep; do
  [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -gt 0 ] || { echo "BATCHES_IN_FLIGHT: $n is not a count" >&2; exit 2; }
done
for tool in redis-benchmark redis-cli python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }
done
[ -x "$ringkv" ] || { echo "no ringkv binary at $ringkv (set RINGKV)" >&2; exit 1; }
command -v "$redis" >/dev/null || { echo "no redis-server at $redis (set REDIS)" >&2; exit 1; }

work="$(mktemp -d "${WORKDIR:-${TMPDIR:-/tmp}}/ringkv-aof-bench-XXXXXX")"
pids=()
report="$work/report.md"
runs="$work/runs.tsv"
disk="$work/disk.txt"

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

# ---- disk ----

# fio_json <fio args...>: runs one fio job, JSON on stdout; fails quietly
# (its error in $work/fio.err) so the caller can try another engine.
fio_json() {
  mkdir -p "$work/fio"
  fio --output-format=json "$@" 2>"$work/fio.err"
}
# fio_figure <python expression on job j> <fio args...>: one number from a job.
fio_figure() {
  local expr="$1" json; shift
  if ! json=$(fio_json "$@"); then
    echo "fio failed ($*):" >&2
    cat "$work/fio.err" >&2
    return 1
  fi
  echo "$json" | python3 -c "import json,sys; j=json.load(sys.stdin)['jobs'][0]; print('%.0f' % ($expr))"
}

# fio_dsync <iodepth>: 4 KiB O_DIRECT+O_DSYNC sequential overwrites of the
# written file, IOPS; io_uring, or psync (depth 1) / libaio when io_uring fails.
fio_dsync() {
  local depth="$1" engine rate
  for engine in io_uring $([ "$depth" = 1 ] && echo psync || echo libaio); do
    if rate=$(fio_figure 'j["write"]["iops"]' --name="dsync-qd$depth" --filename="$work/fio/dsync" \
        --rw=write --bs=4k --size="$fio_dsync_size" --overwrite=1 --fallocate=none --direct=1 \
        --sync=dsync --ioengine="$engine" --iodepth="$depth" --time_based --runtime="$fio_sync_s" \
        2>/dev/null); then
      echo "$rate $engine"
      return 0
    fi
  done
  echo "- -"
}

measure_disk() {
  fio_fsync_rate="-"; fio_seq_buffered="-"; fio_seq_direct="-"
  fio_qd1="-"; fio_qd4="-"; fio_qd1_engine="-"; fio_qd4_engine="-"
  if ! command -v fio >/dev/null; then
    say "fio not installed (sudo apt-get install -y fio); disk figures skipped"
  else
    # Each 4 KiB write is followed by fdatasync, as a buffered appendfsync
    # always does per batch; fio counts one write per sync, so write IOPS is
    # the fdatasync rate.
    fio_fsync_rate=$(fio_figure 'j["write"]["iops"]' --name=fsync --directory="$work/fio" \
        --ioengine=sync --rw=write --bs=4k --size=64m --fdatasync=1 --time_based \
        --runtime="$fio_sync_s") || fio_fsync_rate="-"
    rm -f "$work/fio/fsync".*
    # A file written in full and synced, then overwritten 4 KiB at a time with
    # O_DIRECT and O_DSYNC, as a direct-I/O log writer over a prewritten log
    # does: no allocation and no size change, so each write needs only its
    # own blocks (plus a cache flush) to be durable.
    if fio_json --name=prewrite --filename="$work/fio/dsync" --ioengine=psync --rw=write --bs=1m \
        --size="$fio_dsync_size" --fallocate=none --end_fsync=1 >/dev/null; then
      read -r fio_qd1 fio_qd1_engine < <(fio_dsync 1)
      read -r fio_qd4 fio_qd4_engine < <(fio_dsync 4)
    else
      echo "fio could not write $work/fio/dsync:" >&2; cat "$work/fio.err" >&2
    fi
    rm -f "$work/fio/dsync"
    # Sequential 1 MiB writes through the page cache with one fsync at the end
    # (fio's runtime includes that fsync), the shape of an RDB save; then the
    # same with O_DIRECT for the device's own rate.
    fio_seq_buffered=$(fio_figure 'j["write"]["bw_bytes"] / 1e6' --name=seq --directory="$work/fio" \
        --ioengine=sync --rw=write --bs=1m --size="$fio_seq_bytes" --end_fsync=1) || fio_seq_buffered="-"
    fio_seq_direct=$(fio_figure 'j["write"]["bw_bytes"] / 1e6' --name=seqdirect --directory="$work/fio" \
        --ioengine=sync --rw=write --bs=1m --size="$fio_seq_bytes" --direct=1) || fio_seq_direct="-"
    rm -rf "$work/fio"
  fi
  {
    echo "device=$(df -P "$work" | awk 'NR==2{print $1}') ($(findmnt -no FSTYPE -T "$work" 2>/dev/null || echo '?'))"
    echo "fdatasync_per_s=$fio_fsync_rate"
    echo "dsync_qd1_iops=$fio_qd1"
    echo "dsync_qd1_engine=$fio_qd1_engine"
    echo "dsync_qd4_iops=$fio_qd4"
    echo "dsync_qd4_engine=$fio_qd4_engine"
    echo "seq_buffered_mbs=$fio_seq_buffered"
    echo "seq_direct_mbs=$fio_seq_direct"
  } >"$disk"
}

# ---- servers ----

# start <name> <binary> <args...>: starts a server in a fresh data dir, waits
# until it answers PING and sets $port; returns 1 (with its log on stderr)
# when it does not start.
start() {
  local name="$1" binary="$2"; shift 2
  port=$(free_port)
  rm -rf "${work:?}/$name"; mkdir -p "$work/$name"
  "$binary" --port "$port" --bind 127.0.0.1 --dir "$work/$name" --save '' \
    --auto-aof-rewrite-percentage 0 "$@" >"$work/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 200); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && return 0
    kill -0 "${pids[-1]}" 2>/dev/null || break
    sleep 0.05
  done
  echo "$name did not start ($binary $*); its log:" >&2
  cat "$work/$name.log" >&2
  return 1
}

# policy_args <policy>: the persistence arguments of a policy.
policy_args() {
  case "$1" in
    off) echo "--appendonly no" ;;
    *) echo "--appendonly yes --appendfsync $1" ;;
  esac
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

# aof_info <port>: ringkv's INFO persistence log fields, prefix dropped, as
# "name=value;...", or "-" when the server reports none (Redis, or AOF off).
aof_info() {
  redis-cli -p "$1" info persistence | tr -d '\r' | awk -F: '
    /^ringkv_aof_/ {sub(/^ringkv_aof_/, "", $1); printf "%s%s=%s", sep, $1, $2; sep = ";"}
    END {if (sep == "") printf "-"; print ""}'
}

# measure <kind> <policy> <point> <variant> <server> <port> <round> <requests>:
# one benchmark run, recorded in $runs with the log fields before and after.
measure() {
  local kind="$1" policy="$2" i="$3" variant="$4" server="$5" port="$6" r="$7" n="$8"
  local c="${point_clients[$3]}" p="${point_pipeline[$3]}" before after rps
  before=$(aof_info "$port")
  rps=$(bench "$port" "$n" "$c" "$p")
  after=$(aof_info "$port")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$kind" "$policy" "$c" "$p" "$variant" \
    "$server" "$r" "$n" "$rps" "$before" "$after" >>"$runs"
  printf "  %-8s c=%-3s P=%-2s %-7s %-6s round %s: %s\n" "$policy" "$c" "$p" \
    "$([ "$variant" = - ] || echo "$variant")" "$server" "$r" "$rps" >&2
}

# requests_for <point> <policy>: the request count of a run. One client under
# appendfsync always waits for a sync per SET, so unless REQUESTS says
# otherwise that run is cut to ~c1_always_s seconds of this disk's faster
# sync rate (fdatasync or O_DSYNC at depth 1).
requests_for() {
  local n="${point_requests[$1]}" rate=0 f
  if [ "$2" = always ] && [ "${point_clients[$1]}" = 1 ] && [ -z "${REQUESTS:-}" ]; then
    for f in "$fio_fsync_rate" "$fio_qd1"; do
      [ "$f" != "-" ] && [ "$f" -gt "$rate" ] && rate=$f
    done
    if [ "$rate" -gt 0 ] && [ $((rate * c1_always_s)) -lt "$n" ]; then
      n=$((rate * c1_always_s > 500 ? rate * c1_always_s : 500))
    fi
  fi
  echo "$n"
}

# run_point <point>: both servers under every policy, fresh, all up at once;
# rounds alternate the servers' order and the policies' direction.
run_point() {
  local i="$1" policy server r order servers name
  declare -A ports=()
  for policy in $policy_list; do
    # shellcheck disable=SC2046 # the policy's arguments are words
    start "ringkv-$policy" "$ringkv" $(policy_args "$policy") "${ringkv_args[@]}" || exit 1
    ports[ringkv-$policy]=$port
    # shellcheck disable=SC2046
    start "redis-$policy" "$redis" $(policy_args "$policy") || exit 1
    ports[redis-$policy]=$port
  done
  for r in $(seq "$rounds"); do
    order="$policy_list"; servers="ringkv redis"
    if [ $((r % 2)) = 0 ]; then
      order=$(echo "$policy_list" | tr ' ' '\n' | tac | tr '\n' ' '); servers="redis ringkv"
    fi
    for server in $servers; do
      for policy in $order; do
        name="$server-$policy"
        measure main "$policy" "$i" - "$server" "${ports[$name]}" "$r" "$(requests_for "$i" "$policy")"
      done
    done
  done
  # Each load point keeps its servers' files only while it runs.
  stop_servers
  for name in "${!ports[@]}"; do rm -rf "${work:?}/$name"; done
}

# run_sweep: ringkv under always with each aof-batches-in-flight value, and
# ringkv off, at the sweep's load point; rounds alternate the direction.
run_sweep() {
  local i="$sweep_point" b r order name
  declare -A ports=()
  start ringkv-sweep-off "$ringkv" --appendonly no "${ringkv_args[@]}" || exit 1
  ports[off]=$port
  for b in $sweep; do
    if ! start "ringkv-sweep-$b" "$ringkv" --appendonly yes --appendfsync always "${ringkv_args[@]}" \
        --aof-batches-in-flight "$b"; then
      echo "ringkv does not take aof-batches-in-flight $b; sweep skipped" | tee -a "$work/sweep-note" >&2
      stop_servers
      return 0
    fi
    ports[$b]=$port
  done
  for r in $(seq "$rounds"); do
    order="off $sweep"
    [ $((r % 2)) = 0 ] && order=$(echo "$order" | tr ' ' '\n' | tac | tr '\n' ' ')
    for name in $order; do
      if [ "$name" = off ]; then
        measure sweep off "$i" - ringkv "${ports[off]}" "$r" "${point_requests[$i]}"
      else
        measure sweep always "$i" "bif=$name" ringkv "${ports[$name]}" "$r" "${point_requests[$i]}"
      fi
    done
  done
  stop_servers
  rm -rf "${work:?}"/ringkv-sweep-*
}

# ---- main ----

: >"$report"
: >"$runs"
say "# AOF benchmark: ringkv beside $("$redis" --version | awk '{print $1, $3}')"
say ""
say "machine: $(nproc) cores, $(uname -r); $rounds round(s); SET -r 100000;" \
  "requests per run: c1 ${point_requests[0]}, c50 ${point_requests[1]}," \
  "c200 ${point_requests[2]}, c50 P16 ${point_requests[3]}" \
  "(always c1: ~${c1_always_s} s of the disk's sync rate unless REQUESTS is set)" \
  "${RINGKV_ARGS:+; ringkv also gets: $RINGKV_ARGS}"
echo "fio ..." >&2
measure_disk

for i in "${!point_clients[@]}"; do
  echo "SET at ${point_clients[$i]} client(s), pipeline ${point_pipeline[$i]}: $policy_list ..." >&2
  run_point "$i"
done
if [ -n "$sweep" ]; then
  echo "aof-batches-in-flight sweep under always, ${point_clients[$sweep_point]} clients: $sweep ..." >&2
  run_sweep
fi

csv_stem=""
[ -n "${CSV:-}" ] && csv_stem="${CSV%.csv}"
python3 - "$runs" "$disk" "$rounds" "${CSV:-}" "$csv_stem" "$work/sweep-note" <<'PY' | tee -a "$report"
import csv
import statistics
import sys

runs_path, disk_path, rounds, csv_path, csv_stem, sweep_note = sys.argv[1:7]
POLICY_ORDER = ["always", "everysec", "no", "off"]
POINTS = [(1, 1), (50, 1), (200, 1), (50, 16)]

disk = dict(line.rstrip("\n").split("=", 1) for line in open(disk_path) if "=" in line)


def num(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def fields(text):
    if text == "-":
        return {}
    return dict(kv.split("=", 1) for kv in text.split(";") if "=" in kv)


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(v, places=None):
    if v is None:
        return "-"
    if isinstance(v, str):
        return v
    if places is None:
        places = 0 if abs(v) >= 100 else (2 if abs(v) >= 1 else 3)
    return f"{v:,.{places}f}"


def div(a, b):
    return a / b if a is not None and b else None


def delta(before, after, key):
    a, b = num(after.get(key)), num(before.get(key, "0"))
    return a - b if a is not None and b is not None else None


# runs[(kind, policy, clients, pipeline, variant, server)] = {round: run}
runs = {}
for line in open(runs_path):
    kind, policy, c, p, variant, server, r, n, rps, before, after = line.rstrip("\n").split("\t")
    run = {"n": int(n), "rps": float(rps), "before": fields(before), "after": fields(after)}
    b, a = run["before"], run["after"]
    seconds = run["n"] / run["rps"]
    fs, bt, cm = delta(b, a, "fsyncs"), delta(b, a, "batches"), delta(b, a, "commands_logged")
    run["fsyncs_per_s"] = div(fs, seconds)
    run["commands_per_fsync"] = div(cm, fs)
    run["batches_per_s"] = div(bt, seconds)
    run["commands_per_batch"] = div(cm, bt)
    filler, logged = delta(b, a, "filler_bytes"), delta(b, a, "log_bytes")
    run["filler_per_mb"] = div(filler * 1e6, logged) if filler is not None else None
    runs.setdefault((kind, policy, int(c), int(p), variant, server), {})[int(r)] = run


def series(kind, policy, c, p, server, variant="-"):
    return runs.get((kind, policy, c, p, variant, server), {})


def med(kind, policy, c, p, server, key, variant="-"):
    return median([run[key] for run in series(kind, policy, c, p, server, variant).values()])


def round_ratios(num_runs, den_runs):
    """num rps / den rps in each round both have, in round order."""
    return [num_runs[r]["rps"] / den_runs[r]["rps"] for r in sorted(num_runs) if r in den_runs]


def round_ratio(num_runs, den_runs):
    """Median over the rounds both have of num rps / den rps."""
    return median(round_ratios(num_runs, den_runs))


def last_field(kind, policy, c, p, server, key, variant="-"):
    """A field's value after the last round (in-flight avg and peak cover the
    server's whole life, which is this load point's rounds)."""
    s = series(kind, policy, c, p, server, variant)
    if not s:
        return None
    value = s[max(s)]["after"].get(key)
    return value if value not in (None, "") else None


def vs_off(policy, c, p, server):
    return round_ratio(series("main", policy, c, p, server), series("main", "off", c, p, server))


def vs_redis(policy, c, p):
    return round_ratio(series("main", policy, c, p, "ringkv"), series("main", policy, c, p, "redis"))


policies = sorted({k[1] for k in runs if k[0] == "main"},
                  key=lambda x: POLICY_ORDER.index(x) if x in POLICY_ORDER else 9)
out = []
say = out.append

qd1, qd4 = num(disk.get("dsync_qd1_iops")), num(disk.get("dsync_qd4_iops"))
say(f"disk {disk.get('device', '?')}, fio (4 KiB writes): write+fdatasync "
    f"{fmt(num(disk.get('fdatasync_per_s')))}/s; O_DIRECT+O_DSYNC overwrite of a written file: "
    f"QD1 {fmt(qd1)} IOPS ({disk.get('dsync_qd1_engine', '-')}), QD4 {fmt(qd4)} IOPS "
    f"({disk.get('dsync_qd4_engine', '-')}); 1 MiB sequential writes: "
    f"{fmt(num(disk.get('seq_buffered_mbs')))} MB/s buffered+fsync, "
    f"{fmt(num(disk.get('seq_direct_mbs')))} MB/s O_DIRECT")
say("")

# ---- targets ----
TARGETS = [
    ("always / off, 50 clients P1", "always", 50, 1, "off", 0.90, "redis ~0.68"),
    ("always / off, 200 clients P1", "always", 200, 1, "off", 0.95, ""),
    ("always / off, 50 clients P16", "always", 50, 16, "off", 0.85, "redis ~0.56"),
    ("always, 1 client: ringkv / redis", "always", 1, 1, "redis", 1.5, ""),
    ("always, 1 client: ringkv / fio O_DSYNC QD1", "always", 1, 1, "fio", 0.7, ""),
    ("everysec / off, 50 clients P1", "everysec", 50, 1, "off", 0.95, ""),
    ("everysec / off, 1 client", "everysec", 1, 1, "off", 0.95, ""),
]
target_rows = []
for label, policy, c, p, base, goal, note in TARGETS:
    rk_rps = med("main", policy, c, p, "ringkv", "rps")
    rd_rps = med("main", policy, c, p, "redis", "rps")
    redis_ratio = None
    rk_runs = series("main", policy, c, p, "ringkv")
    if base == "off":
        per_round = round_ratios(rk_runs, series("main", "off", c, p, "ringkv"))
        measured = vs_off(policy, c, p, "ringkv")
        redis_ratio = vs_off(policy, c, p, "redis")
        off_rps = med("main", "off", c, p, "ringkv", "rps")
        figures = f"ringkv {fmt(rk_rps)} / {fmt(off_rps)} req/s"
    elif base == "redis":
        per_round = round_ratios(rk_runs, series("main", policy, c, p, "redis"))
        measured = vs_redis(policy, c, p)
        figures = f"ringkv {fmt(rk_rps)}, redis {fmt(rd_rps)} req/s"
    else:
        per_round = [run["rps"] / qd1 for _, run in sorted(rk_runs.items())] if qd1 else []
        measured = div(rk_rps, qd1)
        figures = f"ringkv {fmt(rk_rps)} req/s, fio QD1 {fmt(qd1)} IOPS (QD4 {fmt(qd4)})"
    result = "-" if measured is None else ("PASS" if measured >= goal else "FAIL")
    redis_shown = fmt(redis_ratio, 2) + (f" ({note})" if note else "") if redis_ratio is not None else "-"
    rounds_shown = ", ".join(f"{v:.2f}" for v in per_round) or "-"
    target_rows.append((label, fmt(measured, 2), f">= {goal:.2f}", result, rounds_shown, redis_shown,
                        figures))
say(f"Targets (issue 13): ratios are medians of per-round ratios ({rounds} round(s)); "
    "each policy against the same server's `off` run of the same round.")
say("")
say("| target | ringkv | goal | result | ringkv per round | redis | figures |")
say("|---|---:|---:|---|---:|---:|---|")
for row in target_rows:
    say("| " + " | ".join(row) + " |")
say("")

# ---- throughput ----
rows = []
say("| policy | clients | pipeline | ringkv rps | redis rps | ringkv/redis | ringkv/off | redis/off |")
say("|---|---:|---:|---:|---:|---:|---:|---:|")
for policy in policies:
    for c, p in POINTS:
        if not series("main", policy, c, p, "ringkv") and not series("main", policy, c, p, "redis"):
            continue
        rk, rd = med("main", policy, c, p, "ringkv", "rps"), med("main", policy, c, p, "redis", "rps")
        rk_off = vs_off(policy, c, p, "ringkv") if policy != "off" else None
        rd_off = vs_off(policy, c, p, "redis") if policy != "off" else None
        stats = {k: med("main", policy, c, p, "ringkv", k) for k in
                 ("fsyncs_per_s", "commands_per_fsync", "batches_per_s", "commands_per_batch",
                  "filler_per_mb")}
        io = last_field("main", policy, c, p, "ringkv", "log_io") or "-"
        avg = num(last_field("main", policy, c, p, "ringkv", "batches_in_flight_avg"))
        peak = num(last_field("main", policy, c, p, "ringkv", "batches_in_flight_peak"))
        bound = num(last_field("main", policy, c, p, "ringkv", "batches_in_flight_max"))
        rows.append(dict(policy=policy, clients=c, pipeline=p, ringkv_rps=rk, redis_rps=rd,
                         ringkv_vs_redis=vs_redis(policy, c, p), ringkv_vs_off=rk_off,
                         redis_vs_off=rd_off, log_io=io, inflight_avg=avg, inflight_peak=peak,
                         inflight_max=bound, **stats))
        say(f"| {'(no AOF)' if policy == 'off' else policy} | {c} | {p} | {fmt(rk)} | {fmt(rd)} | "
            f"{fmt(rows[-1]['ringkv_vs_redis'], 2)} | {fmt(rk_off, 2)} | {fmt(rd_off, 2)} |")
say("")

# ---- ringkv's log ----
say("ringkv's log, from INFO persistence (per run, median; in flight: over the load point's "
    "rounds, as avg / peak / bound):")
say("")
say("| policy | clients | pipeline | log io | fsyncs/s | commands/fsync | batches/s | commands/batch "
    "| in flight avg / peak / bound | filler bytes per MB |")
say("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|")
for r in rows:
    if r["policy"] == "off":
        continue
    inflight = f"{fmt(r['inflight_avg'], 2)} / {fmt(r['inflight_peak'], 0)} / {fmt(r['inflight_max'], 0)}"
    say(f"| {r['policy']} | {r['clients']} | {r['pipeline']} | {r['log_io']} | "
        f"{fmt(r['fsyncs_per_s'], 0)} | {fmt(r['commands_per_fsync'], 1)} | {fmt(r['batches_per_s'], 0)} | "
        f"{fmt(r['commands_per_batch'], 1)} | {inflight} | {fmt(r['filler_per_mb'], 0)} |")
say("")

# ---- sweep ----
sweep_rows = []
variants = sorted({k[4] for k in runs if k[0] == "sweep" and k[4] != "-"},
                  key=lambda v: int(v.split("=")[1]))
try:
    note = open(sweep_note).read().strip()
except OSError:
    note = ""
if variants or note:
    c, p = next(((k[2], k[3]) for k in runs if k[0] == "sweep"), (50, 1))
    say(f"aof-batches-in-flight sweep, ringkv only, always, {c} clients P{p} "
        "(ratio: against ringkv off in the same round):")
    say("")
    if note:
        say(note)
        say("")
    off = series("sweep", "off", c, p, "ringkv")
if variants:
    say("| batches in flight | rps | always/off | batches/s | commands/batch | in flight avg / peak "
        "| filler bytes per MB |")
    say("|---:|---:|---:|---:|---:|---:|---:|")
    if off:
        say(f"| (no AOF) | {fmt(median([r['rps'] for r in off.values()]))} | - | - | - | - | - |")
    for v in variants:
        s = series("sweep", "always", c, p, "ringkv", v)
        row = dict(batches_in_flight=v.split("=")[1], rps=median([r["rps"] for r in s.values()]),
                   vs_off=round_ratio(s, off),
                   batches_per_s=median([r["batches_per_s"] for r in s.values()]),
                   commands_per_batch=median([r["commands_per_batch"] for r in s.values()]),
                   inflight_avg=num(last_field("sweep", "always", c, p, "ringkv", "batches_in_flight_avg", v)),
                   inflight_peak=num(last_field("sweep", "always", c, p, "ringkv", "batches_in_flight_peak", v)),
                   filler_per_mb=median([r["filler_per_mb"] for r in s.values()]))
        sweep_rows.append(row)
        say(f"| {row['batches_in_flight']} | {fmt(row['rps'])} | {fmt(row['vs_off'], 2)} | "
            f"{fmt(row['batches_per_s'], 0)} | {fmt(row['commands_per_batch'], 1)} | "
            f"{fmt(row['inflight_avg'], 2)} / {fmt(row['inflight_peak'], 0)} | {fmt(row['filler_per_mb'], 0)} |")
    say("")

print("\n".join(out))

# ---- CSV files ----
if csv_path:
    def cell(v):
        if v is None:
            return "-"
        if isinstance(v, float):
            return f"{v:.3f}".rstrip("0").rstrip(".")
        return str(v)

    cols = ["policy", "clients", "pipeline", "ringkv_rps", "redis_rps", "ringkv_vs_redis",
            "ringkv_vs_off", "redis_vs_off", "log_io", "fsyncs_per_s", "commands_per_fsync",
            "batches_per_s", "commands_per_batch", "inflight_avg", "inflight_peak", "inflight_max",
            "filler_per_mb"]
    with open(csv_path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(cols)
        for r in rows:
            w.writerow([cell(r.get(k)) for k in cols])
    with open(csv_stem + "-disk.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["figure", "value"])
        for k in ("device", "fdatasync_per_s", "dsync_qd1_iops", "dsync_qd1_engine", "dsync_qd4_iops",
                  "dsync_qd4_engine", "seq_buffered_mbs", "seq_direct_mbs"):
            w.writerow([k, disk.get(k, "-")])
    with open(csv_stem + "-targets.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["target", "ringkv", "goal", "result", "per_round", "redis", "figures"])
        w.writerows(target_rows)
    if sweep_rows or note:
        scols = ["batches_in_flight", "rps", "vs_off", "batches_per_s", "commands_per_batch",
                 "inflight_avg", "inflight_peak", "filler_per_mb"]
        with open(csv_stem + "-sweep.csv", "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(scols)
            for r in sweep_rows:
                w.writerow([cell(r.get(k)) for k in scols])
PY

if [ -n "${OUT:-}" ]; then
  cp "$report" "$OUT"
  echo "report written to $OUT" >&2
fi
[ -n "${CSV:-}" ] && echo "CSV written to $CSV (and ${CSV%.csv}-disk.csv, -targets.csv)" >&2
exit 0
