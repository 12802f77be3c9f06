#!/usr/bin/env bash
# bench/replication.sh: what replication costs, ringkv beside redis-server
# in the same run (issue 17). Every figure pairs a master with one replica of
# the same kind (ringkv replica of ringkv, redis replica of redis), each in
# its own temp dir on free loopback ports:
#   sync   full sync of KEYS keys: the master is filled with DEBUG POPULATE
#          KEYS ("key:<n>" = "value:<n>"), then a replica is started with
#          --replicaof; the figure is the seconds from just before the
#          replica's exec until its INFO replication shows
#          master_link_status:up and master_sync_in_progress:0 and its DBSIZE
#          equals the master's. Diskless (repl-diskless-sync yes) and through
#          the master's disk (repl-diskless-sync no), with
#          repl-diskless-sync-delay 0 in both.
#   set    SET throughput with no replica, then (same master, same round)
#          with one replica attached: ringkv-load, 50 connections, pipeline
#          16, closed-loop, 32-byte values over 100k keys (set before the
#          first run, untimed), DURATION seconds.
#          Shown as ringkv / redis and as each server's own replica /
#          no-replica ratio.
#   lag    during that with-replica SET run, the master's INFO replication is
#          read every 100 ms: master_repl_offset minus slave0's offset= (what
#          the replica last acknowledged; both servers acknowledge once a
#          second, so this lag is mostly the bytes written since the last ACK)
#          and master_repl_offset minus the replica's own slave_repl_offset
#          read just before (what it has applied; an upper bound by one INFO
#          round trip). Median and max in bytes, and in ms at the stream's
#          mean rate (bytes behind / replication bytes per second), which
#          does not charge the faster master for its larger stream. One
#          round of 50 x 16 pipelined SETs is 60,000 bytes of stream, so an
#          applied lag of 60,000 means the replica is one batch behind.
#          After the run the replica must catch up and hold the same DBSIZE.
#   wait   durable-write latency with master and replica both under
#          --appendonly yes --appendfsync always: one client sends SET then
#          WAIT 1 0 as a pipelined pair and waits for both replies, ITERATIONS
#          times; p50 and p99 in ms. ringkv also runs SET then WAITAOF 1 1 0
#          (the Redis 7.2 verb: fsynced locally and on one replica), which
#          redis-server 7.0 does not have: that row is ringkv's alone, its
#          ratio is taken against redis's SET + WAIT 1 0.
# The sync, lag and wait clients are a small python3 helper written to the
# work dir (one socket each, raw RESP): its own overhead is microseconds
# against the milliseconds being measured. Rounds alternate which server goes
# first; each figure is the median over the rounds, each ratio the median of
# the per-round ratios (ringkv / redis: for throughput above 1 is better for
# ringkv, for seconds, bytes and latencies below 1 is).
#
# Usage: bench/replication.sh [--quick]
#   --quick: KEYS 200000, 1 round, 3 s SET runs, 300 WAIT iterations.
# Env: RINGKV (default build/ringkv-server), REDIS (default redis-server),
#      LOAD (default build/ringkv-load), KEYS (full-sync keys, default
#      2000000), ROUNDS (default 3), DURATION (seconds per SET run, default
#      10), CLIENTS (50), PIPELINE (16), ITERATIONS (SET + WAIT pairs per
#      run, default 2000), PARTS (default "sync set wait"; "set" includes the
#      lag), SYNC_TIMEOUT (seconds a full sync may take, default 600),
#      RINGKV_ARGS (extra ringkv arguments, for master and replica),
#      WORKDIR (parent of the temp dir; the wait part's fsyncs land there,
#      so put it on the disk under test; default $TMPDIR or /tmp), CSV (also
#      write the table there as "group,point,figure,ringkv,redis,ratio,
#      ringkv_vs_base,redis_vs_base,ringkv_note,redis_note" rows), OUT (also
#      write the report there), KEEP=1 (keep the temp dir with the logs).
# bench/run runs it as its group "replication".
# Example (after a Release build in build/):
#   RINGKV=build/ringkv-server LOAD=build/ringkv-load bench/replication.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
bench_quick_arg "$@"

ringkv="${RINGKV:-$root/build/ringkv-server}"
redis="${REDIS:-redis-server}"
load="${LOAD:-$root/build/ringkv-load}"
# shellcheck disable=SC2206 # split the extra arguments on spaces
ringkv_args=(${RINGKV_ARGS:-})
if [ "$quick" = 1 ]; then
  keys="${KEYS:-200000}" rounds="${ROUNDS:-1}" duration="${DURATION:-3}"
  iterations="${ITERATIONS:-300}"
else
  keys="${KEYS:-2000000}" rounds="${ROUNDS:-3}" duration="${DURATION:-10}"
  iterations="${ITERATIONS:-2000}"
fi
clients="${CLIENTS:-50}"
pipeline="${PIPELINE:-16}"
parts="${PARTS:-sync set wait}"
sync_timeout="${SYNC_TIMEOUT:-600}"
value_bytes=32
set_keys=100000
lag_interval_ms=100
# How long a replica of an empty or small master may take to come up.
small_sync_timeout_s=60

command -v "$redis" >/dev/null || { echo "no redis-server ($redis); set REDIS" >&2; exit 1; }
[ -x "$ringkv" ] || { echo "no ringkv binary at $ringkv (build first, or set RINGKV)" >&2; exit 1; }
[ -x "$load" ] || { echo "no ringkv-load at $load (build first, or set LOAD)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 is needed" >&2; exit 1; }
for n in "$keys" "$rounds" "$duration" "$clients" "$pipeline" "$iterations" "$sync_timeout"; do
  [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -gt 0 ] || { echo "$n is not a count" >&2; exit 2; }
done
for p in $parts; do
  case "$p" in sync|set|wait) ;; *) echo "unknown part $p (sync, set, wait)" >&2; exit 2 ;; esac
done

work=$(mktemp -d "${WORKDIR:-${TMPDIR:-/tmp}}/replication.XXXXXX")
results="$work/results.tsv"
notes="$work/notes.tsv"
helper="$work/helper.py"
: >"$results"; : >"$notes"
# Every server this script started and has not stopped yet.
server_pids=()
load_pid=""

stop_servers() {
  local p
  [ -n "$load_pid" ] && { kill "$load_pid" 2>/dev/null || true; wait "$load_pid" 2>/dev/null || true; }
  load_pid=""
  for p in "${server_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${server_pids[@]}"; do wait "$p" 2>/dev/null || true; done
  server_pids=()
}
cleanup() {
  stop_servers
  if [ "${KEEP:-0}" = 1 ]; then echo "raw logs kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_server <name> <tag> <round> <args...>: a fresh server of kind name
# (ringkv, redis) in its own dir $work/<name>-<tag>-r<round>, no RDB saves,
# DEBUG enabled; sets port and pid. Does not wait for it (a replica answers
# -LOADING while it loads; see wait_ready).
start_server() {
  local name="$1" tag="$2" r="$3" bin dir
  shift 3
  local -a extra=()
  port=$(free_port)
  dir="$work/$name-$tag-r$r"
  mkdir -p "$dir"
  if [ "$name" = ringkv ]; then bin="$ringkv"; extra=("${ringkv_args[@]}"); else bin="$redis"; fi
  "$bin" --port "$port" --bind 127.0.0.1 --dir "$dir" --save "" --enable-debug-command yes \
    "$@" "${extra[@]}" >"$dir/server.log" 2>&1 </dev/null &
  pid=$!
  server_pids+=("$pid")
}

# wait_ready <name> <tag> <round>: PING $port until PONG, or fail the script.
wait_ready() {
  if ! "$load" --port "$port" --wait-ready 20000 >/dev/null; then
    echo "$1 ($2) did not start; its log:" >&2
    tail -20 "$work/$1-$2-r$3/server.log" >&2
    exit 1
  fi
}

# stop_pair: stops every server started so far and removes their dirs.
stop_pair() {
  stop_servers
  find "$work" -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} + 2>/dev/null || true
}
[ "${KEEP:-0}" = 1 ] && stop_pair() { stop_servers; }

# record <round> <server> <point> <metric> <value>
record() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$results"; }
# note <round> <server> <point> <text>: why a point has no figure, or what is
# wrong with it; a text starting "failed" makes the exit status 1.
note() {
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$(tr '\t\n' '  ' <<<"$4" | sed 's/ *$//')" >>"$notes"
}
# json_field <json> <key>: one number from the helper's one-line JSON.
# Empty when the key is missing or the line is not JSON (a helper crash).
json_field() {
  python3 -c '
import json, sys
try:
    v = json.loads(sys.argv[1]).get(sys.argv[2])
except ValueError:
    v = "no JSON from the helper" if sys.argv[2] == "error" else None
print("" if v is None else v)' "$1" "$2"
}

cat >"$helper" <<'EOF'
"""The replication benchmark's socket client: raw RESP over one connection
per server, so polling and timing cost microseconds, not a process each.
  sync PORT T0 EXPECTED TIMEOUT PIDS   seconds from T0 (epoch) until the
      replica on PORT reports the link up, no sync in progress and DBSIZE
      EXPECTED; fails early when one of PIDS (master,replica) exits
  lag MASTER REPLICA SKIP DURATION INTERVAL_MS   samples both offsets
  catchup MASTER REPLICA TIMEOUT   waits for equal offsets, compares DBSIZE
  wait PORT N VERB...   N pipelined SET + VERB pairs, latency percentiles
Each prints one JSON line; exit 1 on a failure, 3 when the server refuses."""
import json, socket, statistics, sys, time


class Conn:
    def __init__(self, port, timeout=10.0):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def send(self, *cmds):
        out = []
        for cmd in cmds:
            parts = [a if isinstance(a, bytes) else str(a).encode() for a in cmd]
            out.append(b"*%d\r\n" % len(parts))
            for p in parts:
                out.append(b"$%d\r\n%s\r\n" % (len(p), p))
        self.s.sendall(b"".join(out))

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed")
            self.buf += chunk
        head, _, self.buf = self.buf.partition(b"\r\n")
        return head

    def exact(self, n):
        while len(self.buf) < n + 2:
            chunk = self.s.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def reply(self):
        """A reply; errors come back as ("err", text)."""
        head = self.line()
        kind, rest = head[:1], head[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return ("err", rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self.exact(n).decode(errors="replace")
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.reply() for _ in range(n)]
        raise ValueError("unexpected reply %r" % head)

    def call(self, *cmd):
        self.send(cmd)
        return self.reply()


def info(conn):
    text = conn.call("INFO", "replication")
    if isinstance(text, tuple):
        return {}
    fields = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key] = value
    return fields


def slave0_offset(fields):
    for item in fields.get("slave0", "").split(","):
        key, _, value = item.partition("=")
        if key == "offset":
            return int(value)
    return None


def alive(pid):
    """False once the process has exited (a zombie counts as exited)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rpartition(")")[2].split()[0] not in ("Z", "X")
    except OSError:
        return False


def cmd_sync(port, t0, expected, timeout, pids):
    timeout = float(timeout)
    deadline = time.time() + timeout
    pids = [int(p) for p in pids.split(",")]
    conn = None
    last = {}
    while time.time() < deadline:
        dead = [p for p in pids if not alive(p)]
        if dead:
            print(json.dumps({"error": "server pid %s exited during the sync" % dead[0]}))
            return 1
        if conn is None:
            try:
                conn = Conn(int(port))
            except OSError:
                time.sleep(0.005)
                continue
        last = info(conn)
        if last.get("master_link_status") == "up" and last.get("master_sync_in_progress") == "0":
            n = conn.call("DBSIZE")
            if n == int(expected):
                print(json.dumps({"seconds": time.time() - float(t0), "keys": n}))
                return 0
        time.sleep(0.01)
    print(json.dumps({"error": "no complete sync after %ss: link %s, sync_in_progress %s" % (
        timeout, last.get("master_link_status"), last.get("master_sync_in_progress"))}))
    return 1


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100.0 * (len(values) - 1))))]


def cmd_lag(mport, rport, skip, duration, interval_ms):
    master, replica = Conn(int(mport)), Conn(int(rport))
    time.sleep(float(skip))
    acked, applied = [], []
    first = last = None
    end = time.time() + float(duration)
    while time.time() < end:
        t = time.time()
        # The replica first: offsets only grow, so the applied lag is never
        # under the true one, and over it by at most what the master takes
        # in during one INFO round trip.
        r = info(replica)
        m = info(master)
        offset = int(m.get("master_repl_offset", 0))
        s0 = slave0_offset(m)
        if s0 is not None:
            acked.append(offset - s0)
        if "slave_repl_offset" in r:
            applied.append(offset - int(r["slave_repl_offset"]))
        first = first or (t, offset)
        last = (t, offset)
        time.sleep(max(0.0, interval_ms / 1000.0 - (time.time() - t)))
    if not acked or not applied:
        print(json.dumps({"error": "no replica in INFO replication during the run"}))
        return 1
    rate = (last[1] - first[1]) / (last[0] - first[0]) if last[0] > first[0] else 0
    # In time: the bytes behind over the stream's mean rate, so a master
    # that takes more writes is not charged for its larger stream.
    ms = (lambda b: 1000.0 * b / rate) if rate else (lambda b: None)
    am, pm = statistics.median(acked), statistics.median(applied)
    print(json.dumps({"samples": len(acked), "acked_median": am, "acked_max": max(acked),
                      "acked_median_ms": ms(am), "applied_median": pm,
                      "applied_max": max(applied), "applied_median_ms": ms(pm),
                      "applied_max_ms": ms(max(applied)), "stream_bytes_per_s": rate}))
    return 0


def cmd_catchup(mport, rport, timeout):
    master, replica = Conn(int(mport)), Conn(int(rport))
    deadline = time.time() + float(timeout)
    while time.time() < deadline:
        m, r = info(master), info(replica)
        if m.get("master_repl_offset") == r.get("slave_repl_offset"):
            a, b = master.call("DBSIZE"), replica.call("DBSIZE")
            if a != b:
                print(json.dumps({"error": "offsets equal but DBSIZE master %s replica %s" % (a, b)}))
                return 1
            print(json.dumps({"keys": a}))
            return 0
        time.sleep(0.01)
    print(json.dumps({"error": "replica still behind %ss after the load" % timeout}))
    return 1


def cmd_wait(port, n, verb):
    conn = Conn(int(port))
    value = b"v" * 32
    warmup = 20
    times, short = [], 0
    for i in range(int(n) + warmup):
        t = time.perf_counter()
        conn.send(("SET", "wait:%d" % (i % 1000), value), verb)
        first, second = conn.reply(), conn.reply()
        elapsed = time.perf_counter() - t
        for got in (first, second):
            if isinstance(got, tuple):
                print(json.dumps({"refused": "%s: %s" % (verb[0], got[1])}))
                return 3
        # WAIT answers the replicas reached, WAITAOF [local, replicas].
        counts = second if isinstance(second, list) else [second]
        if any(c < 1 for c in counts):
            short += 1
        if i >= warmup:
            times.append(elapsed * 1000.0)
    print(json.dumps({"n": len(times), "p50_ms": pct(times, 50), "p99_ms": pct(times, 99),
                      "max_ms": max(times), "mean_ms": statistics.mean(times), "short": short}))
    return 0


def main(argv):
    what, args = argv[1], argv[2:]
    if what == "sync":
        return cmd_sync(*args)
    if what == "lag":
        return cmd_lag(args[0], args[1], args[2], args[3], float(args[4]))
    if what == "catchup":
        return cmd_catchup(*args)
    if what == "wait":
        return cmd_wait(args[0], args[1], tuple(args[2:]))
    raise SystemExit("unknown helper command " + what)


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except (OSError, ConnectionError, ValueError) as e:
        print(json.dumps({"error": "%s: %s" % (type(e).__name__, e)}))
        sys.exit(1)
EOF

# replica_up <name> <tag> <round> <master port> <keys> <timeout s> <args...>:
# starts a replica of the master on <master port> (whose pid is in pid); sets json to the helper's
# line (seconds until synced with <keys> keys), and port and pid to the
# replica's. Not for $(...): the replica's pid must reach server_pids.
replica_up() {
  local name="$1" tag="$2" r="$3" mport="$4" n="$5" timeout="$6" t0 mpid="$pid"
  shift 6
  t0=$(date +%s.%N)
  start_server "$name" "$tag" "$r" --replicaof 127.0.0.1 "$mport" "$@"
  json=$(python3 "$helper" sync "$port" "$t0" "$n" "$timeout" "$mpid,$pid" || true)
}

# ---- sync ----

point_sync() {
  local r="$1" s="$2" mode="$3" point="sync-$3" diskless=yes mport json secs
  [ "$mode" = disk ] && diskless=no
  local -a args=(--appendonly no --repl-diskless-sync "$diskless" --repl-diskless-sync-delay 0)
  start_server "$s" "master-$point" "$r" "${args[@]}"
  wait_ready "$s" "master-$point" "$r"
  mport=$port
  redis-cli -p "$mport" DEBUG POPULATE "$keys" >/dev/null
  replica_up "$s" "replica-$point" "$r" "$mport" "$keys" "$sync_timeout" "${args[@]}"
  secs=$(json_field "$json" seconds)
  if [ -n "$secs" ]; then
    record "$r" "$s" "$point" seconds "$secs"
    printf '  round %s %-6s %-14s %.2f s for %s keys\n' "$r" "$s" "$point" "$secs" "$keys" >&2
  else
    note "$r" "$s" "$point" "failed: $(json_field "$json" error)"
    echo "  round $r $s $point: failed: $json" >&2
  fi
  stop_pair
}

# ---- set and lag ----

# set_load <round> <server> <point> <port> [ringkv-load args...]: one SET run
# of $duration seconds in the background (sets load_pid; its log is
# $work/<point>-<server>-r<round>.log).
set_load() {
  local r="$1" s="$2" point="$3" p="$4"
  shift 4
  "$load" --port "$p" --clients "$clients" --pipeline "$pipeline" --workload set \
    --keys "$set_keys" --value-size "$value_bytes" --duration "$duration" "$@" \
    >"$work/$point-$s-r$r.log" 2>&1 &
  load_pid=$!
}

# set_finish <round> <server> <point>: waits for the SET run and records its
# rate; sets rate (empty on a failure). Not for $(...): it waits for load_pid.
set_finish() {
  local r="$1" s="$2" point="$3" rc=0 line errors log="$work/$3-$2-r$1.log"
  rate=""
  wait "$load_pid" || rc=$?
  load_pid=""
  line=$(grep -E '^(workload|mode)=' "$log" | tail -1 || true)
  rate=$(sed -n 's/.* achieved_rate=\([0-9.]*\).*/\1/p' <<<" $line")
  if [ "$rc" != 0 ] || [ -z "$rate" ]; then
    note "$r" "$s" "$point" "failed (exit $rc): $(tail -1 "$log")"
    echo "  round $r $s $point: failed (exit $rc)" >&2
    return 0
  fi
  errors=$(sed -n 's/.* errors=\([0-9]*\).*/\1/p' <<<" $line")
  [ "${errors:-0}" = 0 ] || note "$r" "$s" "$point" "$errors error replies"
  record "$r" "$s" "$point" requests_rate "$rate"
}

group_set() {
  local r="$1" s="$2" mport rport json rate lag
  local -a args=(--appendonly no --repl-diskless-sync yes --repl-diskless-sync-delay 0)
  start_server "$s" master-set "$r" "${args[@]}"
  wait_ready "$s" master-set "$r"
  mport=$port
  # Every key exists before either timed run (the preload is not timed), so
  # both overwrite, and the replica's full sync carries the same key space.
  set_load "$r" "$s" set-alone "$mport" --preload
  set_finish "$r" "$s" set-alone
  printf '  round %s %-6s %-14s %s SET/s\n' "$r" "$s" set-alone "$rate" >&2
  replica_up "$s" replica-set "$r" "$mport" "$(redis-cli -p "$mport" DBSIZE)" \
    "$small_sync_timeout_s" "${args[@]}"
  rport=$port
  if [ -z "$(json_field "$json" seconds)" ]; then
    note "$r" "$s" set-replica "failed: replica did not sync: $(json_field "$json" error)"
    echo "  round $r $s set-replica: the replica did not sync: $json" >&2
    stop_pair
    return 0
  fi
  set_load "$r" "$s" set-replica "$mport"
  # The samples skip the load's first 0.25 s and stop 0.25 s before its end.
  lag=$(python3 "$helper" lag "$mport" "$rport" 0.25 "$(awk -v d="$duration" 'BEGIN{print d - 0.5}')" \
    "$lag_interval_ms" || true)
  set_finish "$r" "$s" set-replica
  if [ -n "$(json_field "$lag" acked_median)" ]; then
    for m in acked_median acked_max acked_median_ms applied_median applied_max applied_median_ms \
      applied_max_ms stream_bytes_per_s; do
      record "$r" "$s" set-replica "$m" "$(json_field "$lag" "$m")"
    done
  else
    note "$r" "$s" set-replica "failed: lag sampling: $(json_field "$lag" error)"
  fi
  printf '  round %s %-6s %-14s %s SET/s; lag acked median %s max %s, applied median %s max %s bytes\n' \
    "$r" "$s" set-replica "$rate" "$(json_field "$lag" acked_median)" "$(json_field "$lag" acked_max)" \
    "$(json_field "$lag" applied_median)" "$(json_field "$lag" applied_max)" >&2
  json=$(python3 "$helper" catchup "$mport" "$rport" "$small_sync_timeout_s" || true)
  [ -n "$(json_field "$json" keys)" ] || note "$r" "$s" set-replica "failed: $(json_field "$json" error)"
  stop_pair
}

# ---- wait ----

# point_wait <round> <server> <point> <master port> <verb...>
point_wait() {
  local r="$1" s="$2" point="$3" mport="$4" json rc=0 m
  shift 4
  json=$(python3 "$helper" wait "$mport" "$iterations" "$@") || rc=$?
  if [ "$rc" = 3 ]; then
    note "$r" "$s" "$point" "refused: $(json_field "$json" refused)"
    echo "  round $r $s $point: refused ($(json_field "$json" refused))" >&2
    return 0
  fi
  if [ "$rc" != 0 ]; then
    note "$r" "$s" "$point" "failed: $(json_field "$json" error)"
    echo "  round $r $s $point: failed: $json" >&2
    return 0
  fi
  for m in p50_ms p99_ms mean_ms max_ms; do record "$r" "$s" "$point" "$m" "$(json_field "$json" "$m")"; done
  [ "$(json_field "$json" short)" = 0 ] ||
    note "$r" "$s" "$point" "$(json_field "$json" short) replies counted fewer than 1 replica"
  printf '  round %s %-6s %-14s p50 %.3f ms, p99 %.3f ms over %s pairs\n' "$r" "$s" "$point" \
    "$(json_field "$json" p50_ms)" "$(json_field "$json" p99_ms)" "$iterations" >&2
}

group_wait() {
  local r="$1" s="$2" mport json
  local -a args=(--appendonly yes --appendfsync always --repl-diskless-sync yes --repl-diskless-sync-delay 0)
  start_server "$s" master-wait "$r" "${args[@]}"
  wait_ready "$s" master-wait "$r"
  mport=$port
  replica_up "$s" replica-wait "$r" "$mport" 0 "$small_sync_timeout_s" "${args[@]}"
  if [ -z "$(json_field "$json" seconds)" ]; then
    note "$r" "$s" wait "failed: replica did not sync: $(json_field "$json" error)"
    echo "  round $r $s wait: the replica did not sync: $json" >&2
    stop_pair
    return 0
  fi
  point_wait "$r" "$s" wait "$mport" WAIT 1 0
  point_wait "$r" "$s" waitaof "$mport" WAITAOF 1 1 0
  stop_pair
}

echo "replication: $rounds round(s); parts: $parts; $keys keys for the full sync, ${duration}s SET runs ($clients connections, pipeline $pipeline), $iterations SET+WAIT pairs; work dir $work" >&2
for r in $(seq 1 "$rounds"); do
  if [ $((r % 2)) = 1 ]; then order="ringkv redis"; else order="redis ringkv"; fi
  for s in $order; do
    for p in $parts; do
      case "$p" in
        sync) point_sync "$r" "$s" diskless; point_sync "$r" "$s" disk ;;
        set) group_set "$r" "$s" ;;
        wait) group_wait "$r" "$s" ;;
      esac
    done
  done
done

report=$(python3 - "$results" "$notes" "${CSV:-}" <<EOF
import csv, sys

sys.path.insert(0, "$root/bench")
from results import Results
res = Results(sys.argv[1], sys.argv[2])
values, notes, rounds, med, ratio = res.values, res.notes, res.rounds, res.med, res.ratio

def num(v, places):
    return "-" if v is None else f"{v:,.{places}f}"

def rat(v):
    return "-" if v is None else f"{v:.2f}"

# group, point, metric, label, decimals, baseline point, redis point to
# compare with (None: the same point), main figure of its point (notes shown)
rows = [
    ("sync", "sync-diskless", "seconds", "full sync of $keys keys, diskless (s)", 2, None, None, True),
    ("sync", "sync-disk", "seconds", "full sync of $keys keys, through disk (s)", 2, None, None, True),
    ("set", "set-alone", "requests_rate", "SET/s, no replica", 0, None, None, True),
    ("set", "set-replica", "requests_rate", "SET/s, one replica attached", 0, "set-alone", None, True),
    ("set", "set-replica", "acked_median", "  lag, master offset - slave0 offset=, median (bytes)", 0, None, None, False),
    ("set", "set-replica", "acked_max", "  lag, master offset - slave0 offset=, max (bytes)", 0, None, None, False),
    ("set", "set-replica", "applied_median", "  lag, master offset - replica's slave_repl_offset, median (bytes)", 0, None, None, False),
    ("set", "set-replica", "applied_max", "  lag, master offset - replica's slave_repl_offset, max (bytes)", 0, None, None, False),
    ("set", "set-replica", "acked_median_ms", "  lag to slave0 offset=, median, over the stream's rate (ms)", 2, None, None, False),
    ("set", "set-replica", "applied_median_ms", "  lag to slave_repl_offset, median, over the stream's rate (ms)", 3, None, None, False),
    ("set", "set-replica", "applied_max_ms", "  lag to slave_repl_offset, max, over the stream's rate (ms)", 3, None, None, False),
    ("set", "set-replica", "stream_bytes_per_s", "  replication stream (bytes/s)", 0, None, None, False),
    ("wait", "wait", "p50_ms", "SET + WAIT 1 0 under always, p50 (ms)", 3, None, None, True),
    ("wait", "wait", "p99_ms", "SET + WAIT 1 0 under always, p99 (ms)", 3, None, None, False),
    ("wait", "waitaof", "p50_ms", "SET + WAITAOF 1 1 0 under always, p50 (ms; ratio to redis's WAIT)", 3, None, "wait", True),
    ("wait", "waitaof", "p99_ms", "SET + WAITAOF 1 1 0 under always, p99 (ms; ratio to redis's WAIT)", 3, None, "wait", False),
]
# A reference server that has WAITAOF (7.2 and later) is compared with its own.
if ("redis", "waitaof", "p50_ms") in values:
    rows = [(g, p, m, l.replace("; ratio to redis's WAIT", ""), d, b, None, mn)
            if p == "waitaof" else (g, p, m, l, d, b, rp, mn)
            for g, p, m, l, d, b, rp, mn in rows]
parts = "$parts".split()
rows = [row for row in rows if row[0] in parts]

out = ["## Replication: full sync, SET with a replica, lag, WAIT/WAITAOF (replication.sh)", "",
       "ringkv: \`${ringkv#"$root/"}\`; redis: \`$("$redis" --version | head -1 | sed 's/ sha=.*//')\`; "
       f"{len(rounds)} round(s), medians shown; each master with one replica of its own kind. Full sync: "
       "DEBUG POPULATE $keys, seconds from the replica's exec to link up, no sync in progress and "
       "the same DBSIZE. SET: ringkv-load, $clients connections, pipeline $pipeline, closed-loop, "
       "${duration} s, ${value_bytes}-byte values over $set_keys keys; lag sampled every $lag_interval_ms ms "
       "during the with-replica run (slave0's offset= is the replica's last ACK, sent once a second by "
       "both servers). WAIT: one client, SET then WAIT/WAITAOF pipelined, $iterations pairs, master "
       "and replica both appendonly yes, appendfsync always (redis-server 7.0 has no WAITAOF). "
       "$(nproc) CPUs. Ratios are medians of per-round ratios, ringkv / redis (SET/s: above 1 "
       "ringkv faster; seconds, bytes, ms: below 1 ringkv better); / no replica is each server "
       "against its own run without a replica in the same round.", "",
       "| figure | ringkv | redis | ringkv / redis | ringkv / no replica | redis / no replica | notes |",
       "|---|--:|--:|--:|--:|--:|---|"]
table = []
for group, point, metric, label, places, base, rpoint, main in rows:
    rpoint = rpoint or point
    a, b = med("ringkv", point, metric), med("redis", rpoint, metric)
    vs = ratio(("ringkv", point, metric), ("redis", rpoint, metric))
    ra = rb = None
    if base:
        ra = ratio(("ringkv", point, metric), ("ringkv", base, metric))
        rb = ratio(("redis", point, metric), ("redis", base, metric))
    ka = "; ".join(notes.get(("ringkv", point), [])) if main else ""
    kb = "; ".join(notes.get(("redis", point), [])) if main else ""
    text = [f"{s}: {t}" for s, t in (("ringkv", ka), ("redis", kb)) if t]
    out.append(f"| {label} | {num(a, places)} | {num(b, places)} | {rat(vs)} | {rat(ra) if base else ''} | "
               f"{rat(rb) if base else ''} | {'; '.join(text)} |")
    table.append([group, point, metric, "" if a is None else f"{a:.4f}", "" if b is None else f"{b:.4f}",
                  "" if vs is None else f"{vs:.3f}", "" if ra is None else f"{ra:.3f}",
                  "" if rb is None else f"{rb:.3f}", ka, kb])
out.append("")
print("\n".join(out))
if sys.argv[3]:
    with open(sys.argv[3], "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["group", "point", "figure", "ringkv", "redis", "ratio", "ringkv_vs_base",
                    "redis_vs_base", "ringkv_note", "redis_note"])
        w.writerows(table)
EOF
)
echo "$report"
if [ -n "${OUT:-}" ]; then echo "$report" >"$OUT"; fi
# Exit status 1 when a run failed (redis refusing WAITAOF is not a failure).
! cut -f4 "$notes" | grep -q '^failed'
