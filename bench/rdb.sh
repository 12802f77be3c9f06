#!/usr/bin/env bash
# bench/rdb.sh: ringkv's RDB snapshots beside redis-server's in the same run.
#
# For two datasets, a string one (KEYS keys, 16-byte names "key:%012d" as
# redis-benchmark -r makes them, 32-byte values of random hex that LZF can't
# shrink) and a mix of collections (MIX_KEYS lists, hashes, sets and sorted
# sets of 10 to 100 elements, some sets of integers), it fills both servers
# through redis-cli --pipe from the same generated file, then measures:
#   - BGSAVE wall time, from the BGSAVE reply until INFO persistence says
#     rdb_bgsave_in_progress:0 (polled every 10 ms on one connection), beside
#     rdb_last_bgsave_time_sec (whole seconds only) and latest_fork_usec;
#   - dump.rdb size, and the child's MB/s (file size / BGSAVE wall time);
#   - start-up load time: from exec until PING answers +PONG (PING gets
#     -LOADING while the file loads), and the "DB loaded from disk" log line's
#     seconds.
# On the string dataset it also measures GET latency (redis-benchmark -t get
# -c 50 -r KEYS, so every GET hits) without a save, and while BGSAVEs run back
# to back for the whole benchmark (a helper starts the next one 10 ms after
# the last ends), reporting p50, p99 and max.
# fio measures 1 MiB sequential writes in the same directory (buffered with a
# final fsync, as the child writes, and O_DIRECT), for the child's MB/s to sit
# beside. Every figure is the median over ROUNDS, rounds alternating between
# the servers; each server runs with --save '' --appendonly no in a fresh dir.
# Prints a Markdown table: ringkv, redis, ratio ringkv / redis (for times,
# below 1 means ringkv is faster; the issue's targets are <= 0.5 for BGSAVE
# and load time and for max GET latency during BGSAVE).
#
# Usage: bench/rdb.sh [--quick]
#   --quick: KEYS 200000, MIX_KEYS 20000, 1 round, 100000 GETs, small fio.
# Env: RINGKV (default build/ringkv-server), REDIS (default redis-server),
#      KEYS (default 5000000), MIX_KEYS (default 500000), ROUNDS (default 3),
#      GETS (GET requests per latency run, default 2000000),
#      SAVE_THREADS (ringkv's rdb-save-threads values to time BGSAVE with beside
#        the default "auto", default "1 2 4"; "" skips the sweep),
#      WORKDIR (parent of the temporary work dir, default $TMPDIR or /tmp;
#        the servers' files and fio's share it, so put it on the disk under
#        test), OUT (also write the report here), CSV (also write every median
#        there as "dataset,figure,ringkv,redis" rows, figures named as in the
#        script: bgsave_ms, load_ms, bgsave_get_p99 and so on; "-" when
#        missing; then a row "disk,fio_mbs,<buffered MB/s>,<O_DIRECT MB/s>").
# The machine's cores are shared by the server, its child, redis-benchmark
# and the poller: on 2 cores the latency figures include that contention.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
bench_quick_arg "$@"

ringkv="${RINGKV:-$root/build/ringkv-server}"
redis="${REDIS:-redis-server}"
if [ "$quick" = 1 ]; then
  keys="${KEYS:-200000}"; mix_keys="${MIX_KEYS:-20000}"; rounds="${ROUNDS:-1}"
  gets="${GETS:-100000}"; fio_bytes=256m
else
  keys="${KEYS:-5000000}"; mix_keys="${MIX_KEYS:-500000}"; rounds="${ROUNDS:-3}"
  gets="${GETS:-2000000}"; fio_bytes=2g
fi
thread_sweep="${SAVE_THREADS-1 2 4}"

for tool in redis-benchmark redis-cli python3 bc; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }
done
[ -x "$ringkv" ] || { echo "no ringkv binary at $ringkv (set RINGKV)" >&2; exit 1; }
command -v "$redis" >/dev/null || { echo "no redis-server at $redis (set REDIS)" >&2; exit 1; }

work="$(mktemp -d "${WORKDIR:-${TMPDIR:-/tmp}}/ringkv-rdb-bench-XXXXXX")"
report="$work/report.md"
helper="$work/helper.py"
# Server pids by name (ringkv, redis); the helpers running in the background
# (the back-to-back BGSAVE loop, the start-up PING poller).
declare -A pid_of=()
loop_pid=""
poller_pid=""

stop_server() { # name
  local p="${pid_of[$1]:-}"
  [ -n "$p" ] || return 0
  kill "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
  unset "pid_of[$1]"
}
cleanup() {
  for p in $loop_pid $poller_pid; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  for name in "${!pid_of[@]}"; do kill "${pid_of[$name]}" 2>/dev/null || true; done
  for name in "${!pid_of[@]}"; do wait "${pid_of[$name]}" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "$*" | tee -a "$report"; }
note() { echo "$*" >&2; }

median() { sort -n | awk '{a[NR]=$1} END {if (NR == 0) print "-"; else print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# ratio <a> <b>: a / b to two places, or "-" when either is missing or b is 0.
ratio() {
  case "$1$2" in *-*|"") echo "-"; return ;; esac
  [ "$(echo "$2 == 0" | bc)" = 1 ] && { echo "-"; return; }
  printf "%.2f" "$(echo "$1 / $2" | bc -l)"
}

# ---- helper: dataset generation and timing on one connection ----

cat >"$helper" <<'PY'
import os, random, socket, sys, time

def resp(*args):
    out = ["*%d\r\n" % len(args)]
    for a in args:
        out.append("$%d\r\n%s\r\n" % (len(a), a))
    return "".join(out)

def gen_strings(n, path):
    rng = random.Random(1)
    with open(path, "w") as f:
        for i in range(n):
            f.write("*3\r\n$3\r\nSET\r\n$16\r\nkey:%012d\r\n$32\r\n%032x\r\n"
                    % (i, rng.getrandbits(128)))

def gen_mix(n, path):
    rng = random.Random(2)
    with open(path, "w") as f:
        for i in range(n):
            key = "mix:%012d" % i
            count = rng.randint(10, 100)
            kind = i % 4
            if kind == 0:
                args = ["RPUSH", key] + ["item-%x" % rng.getrandbits(40) for _ in range(count)]
            elif kind == 1:
                args = ["HSET", key]
                for j in range(count):
                    args += ["field%d" % j, "%x" % rng.getrandbits(rng.randint(20, 60))]
            elif kind == 2:
                if i % 8 == 2:
                    members = {str(rng.randint(0, 10**9)) for _ in range(count)}
                else:
                    members = {"m-%x" % rng.getrandbits(48) for _ in range(count)}
                args = ["SADD", key] + sorted(members)
            else:
                args = ["ZADD", key]
                for j in range(count):
                    args += ["%.2f" % (rng.random() * 1000), "z%d-%x" % (j, rng.getrandbits(24))]
            f.write(resp(*args))

class Conn:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.file = self.sock.makefile("rb")

    def cmd(self, *args):
        self.sock.sendall(resp(*args).encode())
        line = self.file.readline()
        kind, rest = line[:1], line[1:-2].decode()
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self.file.read(n + 2)[:-2].decode()
        if kind == b"-":
            raise RuntimeError(rest)
        return rest

    def info(self, section):
        text = self.cmd("INFO", section)
        return dict(l.split(":", 1) for l in text.split("\r\n") if ":" in l)

def wait_saved(c):
    while c.info("persistence")["rdb_bgsave_in_progress"] != "0":
        time.sleep(0.01)

def bgsave(port):
    """Prints wall_ms last_bgsave_time_sec fork_usec; exits 1 on err."""
    c = Conn(port)
    wait_saved(c)
    c.cmd("BGSAVE")
    start = time.monotonic()
    wait_saved(c)
    wall_ms = (time.monotonic() - start) * 1000
    p = c.info("persistence")
    if p["rdb_last_bgsave_status"] != "ok":
        sys.exit("BGSAVE on port %d failed" % port)
    fork_usec = c.info("stats").get("latest_fork_usec", "-")
    print("%.1f %s %s" % (wall_ms, p["rdb_last_bgsave_time_sec"], fork_usec))

def bgsave_loop(port, stop_path):
    """BGSAVEs back to back until stop_path exists; prints how many."""
    c = Conn(port)
    count = 0
    while not os.path.exists(stop_path):
        if c.info("persistence")["rdb_bgsave_in_progress"] == "0":
            c.cmd("BGSAVE")
            count += 1
        time.sleep(0.01)
    wait_saved(c)
    print(count)

def wait_pong(port, timeout_s, ready_path):
    """Creates ready_path, then prints the wall clock (ns) when PING first
    answers +PONG. The caller starts the server once ready_path exists, so
    the interpreter's own start-up is not counted in the server's."""
    open(ready_path, "w").close()
    deadline = time.monotonic() + timeout_s
    c = None
    while time.monotonic() < deadline:
        try:
            if c is None:
                c = Conn(port)
            if c.cmd("PING") == "PONG":
                print(time.time_ns())
                return
        except (OSError, RuntimeError):
            pass  # not listening yet, or -LOADING
        time.sleep(0.01)
    sys.exit("no PONG from port %d within %d s" % (port, timeout_s))

cmd, args = sys.argv[1], sys.argv[2:]
if cmd == "gen-strings":
    gen_strings(int(args[0]), args[1])
elif cmd == "gen-mix":
    gen_mix(int(args[0]), args[1])
elif cmd == "bgsave":
    bgsave(int(args[0]))
elif cmd == "bgsave-loop":
    bgsave_loop(int(args[0]), args[1])
elif cmd == "wait-pong":
    wait_pong(int(args[0]), int(args[1]), args[2])
else:
    sys.exit("unknown helper command " + cmd)
PY

# ---- disk ----

# fio_seq <name> <extra fio args...>: MB/s of 1 MiB sequential writes.
fio_seq() {
  local name="$1"; shift
  mkdir -p "$work/fio"
  fio --name="$name" --directory="$work/fio" --ioengine=sync --rw=write --bs=1m \
      --size="$fio_bytes" --output-format=json "$@" 2>"$work/fio.err" |
    python3 -c 'import json,sys; print("%.0f" % (json.load(sys.stdin)["jobs"][0]["write"]["bw_bytes"] / 1e6))' ||
    { echo "fio $name failed:" >&2; cat "$work/fio.err" >&2; exit 1; }
  rm -f "$work/fio/$name".*
}

# ---- servers ----

declare -A port_of=()

# start <name> <binary>: starts the server in $work/<name> (its files kept
# across restarts) on a fresh port and sets started_ms to the ms from exec
# until PING answers +PONG. The log of each start is $work/<name>.log
# (overwritten). Not for $(...): the pid and port must land in this shell.
start() {
  local name="$1" binary="$2" port t0
  port=$(free_port)
  port_of[$name]=$port
  mkdir -p "$work/$name"
  rm -f "$work/ready"
  python3 "$helper" wait-pong "$port" 600 "$work/ready" >"$work/pong" &
  poller_pid=$!
  while [ ! -e "$work/ready" ]; do
    kill -0 "$poller_pid" 2>/dev/null || { echo "the PING poller failed" >&2; exit 1; }
    sleep 0.01
  done
  t0=$(date +%s%N)
  "$binary" --port "$port" --bind 127.0.0.1 --dir "$work/$name" --save '' --appendonly no \
    >"$work/$name.log" 2>&1 &
  pid_of[$name]=$!
  if ! wait "$poller_pid"; then
    poller_pid=""
    echo "$name did not start; its log:" >&2
    cat "$work/$name.log" >&2
    exit 1
  fi
  poller_pid=""
  started_ms=$(( ($(cat "$work/pong") - t0) / 1000000 ))
}

# fill <name> <resp file>: pipes the file into the server, checks no errors.
fill() {
  local out
  out=$(redis-cli -p "${port_of[$1]}" --pipe <"$2" 2>&1 | tr '\r' '\n')
  echo "$out" | grep -q 'errors: 0,' || { echo "loading $2 into $1 failed: $out" >&2; exit 1; }
}

# loaded_seconds <name>: the seconds in the log's "DB loaded from disk" line.
loaded_seconds() {
  sed -n 's/.*DB loaded from disk: \([0-9.]*\) seconds.*/\1/p' "$work/$1.log" | tail -1 |
    grep . || echo "-"
}

# get_latency <name>: "p50 p99 max" in ms from redis-benchmark GET. Called
# inside $(...), so a failure exits only that subshell: callers check.
get_latency() {
  local line
  redis-benchmark -p "${port_of[$1]}" -t get -c 50 -n "$gets" -r "$keys" --csv \
    >"$work/benchmark.out" 2>&1 || echo "redis-benchmark exit status $?" >>"$work/benchmark.out"
  line=$(grep '^"GET"' "$work/benchmark.out") || {
    echo "redis-benchmark GET on $1 gave no result:" >&2
    cat "$work/benchmark.out" >&2
    return 1
  }
  echo "$line" | tr -d '"' | awk -F, '{print $5, $7, $8}'
}

# get_latency_during_bgsave <name>: like get_latency, with BGSAVEs back to
# back for the whole run, but sets bgsave_latency instead of printing (not
# for $(...): loop_pid must land in this shell for cleanup). The number of
# BGSAVEs goes to $work/<name>.saves.
get_latency_during_bgsave() {
  local stop="$work/stop-loop"
  rm -f "$stop"
  python3 "$helper" bgsave-loop "${port_of[$1]}" "$stop" >>"$work/$1.saves" &
  loop_pid=$!
  sleep 0.05
  bgsave_latency=$(get_latency "$1") || exit 1
  touch "$stop"
  wait "$loop_pid" || { echo "the BGSAVE loop on $1 failed" >&2; exit 1; }
  loop_pid=""
}

# results: "<dataset> <figure> <server> <value>" lines; med picks a median.
results="$work/results"
: >"$results"
record() { echo "$1 $2 $3 $4" >>"$results"; }
med() { awk -v d="$1" -v f="$2" -v s="$3" '$1 == d && $2 == f && $3 == s {print $4}' "$results" | median; }

# measure_dataset <dataset> <resp file> <with latency 0|1>
measure_dataset() {
  local d="$1" file="$2" latency="$3" name r out wall tsec fork bytes ms lat
  for name in ringkv redis; do
    rm -rf "${work:?}/$name"
    local bin="$ringkv"; [ "$name" = redis ] && bin="$redis"
    start "$name" "$bin"
    note "  $d: filling $name ..."
    fill "$name" "$file"
  done
  for r in $(seq "$rounds"); do
    for name in ringkv redis; do
      out=$(python3 "$helper" bgsave "${port_of[$name]}")
      read -r wall tsec fork <<<"$out"
      bytes=$(stat -c %s "$work/$name/dump.rdb")
      record "$d" bgsave_ms "$name" "$wall"
      record "$d" bgsave_s "$name" "$tsec"
      record "$d" fork_ms "$name" "$(echo "scale=2; $fork / 1000" | bc)"
      record "$d" rdb_mb "$name" "$(echo "scale=2; $bytes / 1000000" | bc)"
      record "$d" child_mbs "$name" "$(echo "scale=1; $bytes / 1000 / $wall" | bc)"
      note "  $d round $r: $name BGSAVE $wall ms, $bytes bytes"
    done
  done
  # ringkv's encoding threads: BGSAVE time per rdb-save-threads value.
  for t in $thread_sweep; do
    redis-cli -p "${port_of[ringkv]}" config set rdb-save-threads "$t" >/dev/null
    for r in $(seq "$rounds"); do
      out=$(python3 "$helper" bgsave "${port_of[ringkv]}")
      read -r wall tsec fork <<<"$out"
      record "$d" "bgsave_ms_threads_$t" ringkv "$wall"
      note "  $d round $r: ringkv BGSAVE with rdb-save-threads $t: $wall ms"
    done
  done
  redis-cli -p "${port_of[ringkv]}" config set rdb-save-threads 0 >/dev/null
  if [ "$latency" = 1 ]; then
    for r in $(seq "$rounds"); do
      for name in ringkv redis; do
        lat=$(get_latency "$name") || exit 1
        read -r -a lat <<<"$lat"
        record "$d" get_p50 "$name" "${lat[0]}"; record "$d" get_p99 "$name" "${lat[1]}"
        record "$d" get_max "$name" "${lat[2]}"
        get_latency_during_bgsave "$name"
        read -r -a lat <<<"$bgsave_latency"
        record "$d" bgsave_get_p50 "$name" "${lat[0]}"; record "$d" bgsave_get_p99 "$name" "${lat[1]}"
        record "$d" bgsave_get_max "$name" "${lat[2]}"
        note "  $d round $r: $name GET during BGSAVE p50/p99/max ${lat[*]} ms"
      done
    done
  fi
  for r in $(seq "$rounds"); do
    for name in ringkv redis; do
      stop_server "$name"
      local bin="$ringkv"; [ "$name" = redis ] && bin="$redis"
      start "$name" "$bin"
      ms=$started_ms
      record "$d" load_ms "$name" "$ms"
      record "$d" load_log_s "$name" "$(loaded_seconds "$name")"
      note "  $d round $r: $name up after $ms ms"
    done
  done
  record "$d" keys ringkv "$(redis-cli -p "${port_of[ringkv]}" dbsize)"
  record "$d" keys redis "$(redis-cli -p "${port_of[redis]}" dbsize)"
  stop_server ringkv; stop_server redis
  rm -rf "${work:?}/ringkv" "${work:?}/redis"
}

# ---- main ----

: >"$report"
say "# RDB benchmark: ringkv beside $("$redis" --version | awk '{print $1, $3}')"
say ""
say "machine: $(nproc) cores, $(uname -r); $rounds round(s); $keys string keys," \
  "$mix_keys collection keys; $gets GETs per latency run, 50 clients"
if command -v fio >/dev/null; then
  note "fio ..."
  fio_buffered=$(fio_seq seq --end_fsync=1)
  fio_direct=$(fio_seq seqdirect --direct=1)
  say "disk ($(df -P "$work" | awk 'NR==2{print $1}'), $(findmnt -no FSTYPE -T "$work" 2>/dev/null || echo '?')):" \
    "fio 1 MiB sequential writes of $fio_bytes: $fio_buffered MB/s buffered + final fsync," \
    "$fio_direct MB/s O_DIRECT"
else
  fio_buffered="-"; fio_direct="-"
  say "fio not installed (sudo apt-get install -y fio); disk figures skipped"
fi
say ""

note "generating datasets ..."
python3 "$helper" gen-strings "$keys" "$work/strings.resp"
python3 "$helper" gen-mix "$mix_keys" "$work/mix.resp"
note "strings dataset ..."
measure_dataset strings "$work/strings.resp" 1
rm -f "$work/strings.resp"
note "collections dataset ..."
measure_dataset mix "$work/mix.resp" 0
rm -f "$work/mix.resp"

row() { # dataset figure label
  local a b
  a=$(med "$1" "$2" ringkv); b=$(med "$1" "$2" redis)
  say "| $3 | $a | $b | $(ratio "$a" "$b") |"
}
for d in strings mix; do
  if [ "$d" = strings ]; then
    say "## $keys string keys (16-byte names, 32-byte values)"
  else
    say "## $mix_keys collection keys (lists, hashes, sets, sorted sets of 10-100 elements)"
  fi
  say ""
  say "| figure | ringkv | redis | ratio |"
  say "|---|---:|---:|---:|"
  row "$d" keys "keys after reload"
  row "$d" bgsave_ms "BGSAVE wall time (ms), rdb-save-threads 0 (auto)"
  for t in $thread_sweep; do
    a=$(med "$d" "bgsave_ms_threads_$t" ringkv); b=$(med "$d" bgsave_ms redis)
    say "| BGSAVE wall time (ms), rdb-save-threads $t | $a | $b | $(ratio "$a" "$b") |"
  done
  row "$d" bgsave_s "rdb_last_bgsave_time_sec"
  row "$d" fork_ms "fork (latest_fork_usec, ms)"
  row "$d" rdb_mb "dump.rdb size (MB)"
  row "$d" child_mbs "child MB/s (size / wall time)"
  row "$d" load_ms "start-up: exec to PONG (ms)"
  row "$d" load_log_s "start-up: \"DB loaded from disk\" (s)"
  if [ "$d" = strings ]; then
    row "$d" get_p50 "GET p50, no save (ms)"
    row "$d" get_p99 "GET p99, no save (ms)"
    row "$d" get_max "GET max, no save (ms)"
    row "$d" bgsave_get_p50 "GET p50 during BGSAVE (ms)"
    row "$d" bgsave_get_p99 "GET p99 during BGSAVE (ms)"
    row "$d" bgsave_get_max "GET max during BGSAVE (ms)"
  fi
  say ""
done
for name in ringkv redis; do
  [ -f "$work/$name.saves" ] && say "BGSAVEs run during $name's GET runs: $(paste -sd+ "$work/$name.saves" | bc)."
done
if [ "$fio_buffered" != "-" ]; then
  say "Child MB/s against fio's $fio_buffered MB/s (buffered + fsync):" \
    "ringkv $(ratio "$(med strings child_mbs ringkv)" "$fio_buffered")," \
    "redis $(ratio "$(med strings child_mbs redis)" "$fio_buffered") (strings);" \
    "ringkv $(ratio "$(med mix child_mbs ringkv)" "$fio_buffered")," \
    "redis $(ratio "$(med mix child_mbs redis)" "$fio_buffered") (collections)."
fi
say "Ratios are ringkv / redis: for times and latencies below 1 is better (targets: BGSAVE and" \
  "load time <= 0.5, max GET latency during BGSAVE <= 0.5)."

if [ -n "${OUT:-}" ]; then
  cp "$report" "$OUT"
  echo "report written to $OUT" >&2
fi
if [ -n "${CSV:-}" ]; then
  { echo "dataset,figure,ringkv,redis"
    awk '{print $1, $2}' "$results" | sort -u | while read -r d f; do
      echo "$d,$f,$(med "$d" "$f" ringkv),$(med "$d" "$f" redis)"
    done
    echo "disk,fio_mbs,$fio_buffered,$fio_direct"; } >"$CSV"
  echo "CSV written to $CSV" >&2
fi
