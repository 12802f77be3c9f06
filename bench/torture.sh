#!/usr/bin/env bash
# bench/torture.sh: kill -9 a server under write load, again and again, and
# check after each restart that every write it acknowledged is still there.
#
# One data directory is kept across all cycles, so each restart replays
# everything the earlier cycles wrote (and, with --rewrite, whatever mix of
# base and incremental files a killed rewrite left behind). Each cycle:
#   1. ringkv-load --ack-log writes SET c<cycle>:<conn>:<seq> <seq> on a few
#      connections and logs every acknowledged seq;
#   2. after a random 0.2-1.5 s the server's whole process group (a rewrite
#      or BGSAVE child included) gets SIGKILL; with --rewrite, BGREWRITEAOF
#      (and in some cycles BGSAVE) was sent at a random moment before, half
#      the time just before the kill so that it lands mid-rewrite;
#   3. the server restarts on the same directory and ringkv-load --verify
#      checks every acknowledged write of that cycle.
# At the end every cycle's writes are checked once more against the last
# restart. Under --policy always nothing acknowledged may be lost. Under
# everysec, writes acknowledged within the last ALLOW_LOSS_MS (2000) before
# the kill may be lost; they are counted as lost_in_window, and only older
# losses (or a hole: a lost write followed by a surviving one) are violations.
#
# With --power-cut the kill is also a power cut. Each server runs with the
# filesystem fault shim preloaded (LD_PRELOAD=libfsfault.so, see
# tests/fault/fsfault.c), logging its and its children's directory changes
# and libc fsyncs into a fresh log per cycle (fsfault/log.<cycle> in the
# work dir; the previous cut already decided what survived). After the kill,
# once no process of the server's session is left, fsfault-powercut undoes
# every logged directory change (mkdir, create, rename, unlink) that no
# later fsync of its directory made durable, before the restart. The shim
# cannot see io_uring and leaves file contents alone: this checks the
# durability of directory entries, not of data. Each cycle's line gives
# undone=<n>, and the summary dir_changes_undone=<total>. The logs stay in
# the work dir (kept on violations, or with --keep).
#
# Usage: bench/torture.sh --policy always|everysec --cycles N [--server PATH]
#          [--rewrite] [--power-cut] [--load PATH] [--clients N] [--pipeline N]
#          [--keep]
# Env: ALLOW_LOSS_MS (default 2000), TMPDIR (where the work dir goes),
#   FSFAULT_SHIM and FSFAULT_POWERCUT (--power-cut's libfsfault.so and
#   fsfault-powercut; default: this checkout's build/), SERVER_ARGS (extra
#   server arguments, e.g. "--aof-write-inline no"). --power-cut wants a
#   server of a normal build: the shim is preloaded ahead of any sanitizer.
# Exit status: 0 if no violations, 1 if any, 2 if the harness itself failed
# (a server that would not start, say, or a power cut that failed). Ctrl-C
# stops after killing the servers it started and prints the totals so far.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

policy=always
cycles=10
server="$root/build/ringkv-server"
load="${LOAD:-$root/build/ringkv-load}"
rewrite=0
power_cut=0
shim="${FSFAULT_SHIM:-$root/build/libfsfault.so}"
powercut="${FSFAULT_POWERCUT:-$root/build/fsfault-powercut}"
clients=4
pipeline=8
keep=0
allow_loss_ms="${ALLOW_LOSS_MS:-2000}"
# shellcheck disable=SC2206 # split the extra arguments on spaces
server_args=(${SERVER_ARGS:-})

usage() { sed -n '/^# Usage:/,/^# Env:/p' "$0" | sed 's/^# //;/^Env:/d' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --policy) policy="$2"; shift 2 ;;
    --cycles) cycles="$2"; shift 2 ;;
    --server) server="$2"; shift 2 ;;
    --load) load="$2"; shift 2 ;;
    --clients) clients="$2"; shift 2 ;;
    --pipeline) pipeline="$2"; shift 2 ;;
    --rewrite) rewrite=1; shift ;;
    --power-cut) power_cut=1; shift ;;
    --keep) keep=1; shift ;;
    *) usage ;;
  esac
done
case "$policy" in always|everysec) ;; *) usage ;; esac
[[ "$cycles" =~ ^[0-9]+$ ]] || usage
for bin in "$server" "$load"; do
  [ -x "$bin" ] || { echo "torture: $bin is not executable" >&2; exit 2; }
done
if [ "$power_cut" = 1 ]; then
  [ -r "$shim" ] || { echo "torture: the shim $shim is not readable" >&2; exit 2; }
  [ -x "$powercut" ] || { echo "torture: $powercut is not executable" >&2; exit 2; }
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/ringkv-torture-XXXXXX")"
work="$(cd "$work" && pwd)" # absolute: the shim's backup paths must match powercut's
data="$work/data"
mkdir -p "$data"
server_pid=""
load_pid=""
port=""
done_cycles=0
checked=0 lost=0 in_window=0 violations=0
kill_times=()
# --power-cut: the running server's log and backup dir, and the total cut.
cut_log="" cut_backup="" undone_total=0

# Servers run in their own session (setsid execs in place, so $! is both the
# pid and the process group), so one kill of the group also takes down any
# rewrite or BGSAVE child, and Ctrl-C at the terminal reaches only this
# script, whose trap then kills them.
stop_server() {
  if [ -n "$server_pid" ]; then
    kill -KILL -- "-$server_pid" 2>/dev/null || true
    await_death "$server_pid"
    echo "--- $(date +%T.%3N) killed pid $server_pid" >>"$work/server.log"
    server_pid=""
  fi
}

# await_death PID: waits until a killed server is a zombie. A process dies
# only once its threads leave the kernel, so one stuck in fdatasync or in
# io_uring teardown outlives SIGKILL; when that takes over 2 s, its kernel
# stacks go to the server log, as that is worth knowing.
await_death() {
  local i state
  for i in $(seq 600); do
    state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null || true)
    if [ -z "$state" ] || [ "$state" = Z ]; then
      [ "$i" -gt 20 ] && echo "torture: pid $1 took $((i / 10)) s to die after SIGKILL" >&2
      return 0
    fi
    if [ "$i" = 20 ]; then
      { echo "--- pid $1 still alive 2 s after SIGKILL:"
        for t in /proc/"$1"/task/*; do
          echo "task $t $(cat "$t/comm" 2>/dev/null) state $(awk '{print $3}' "$t/stat" 2>/dev/null)"
          cat "$t/stack" 2>/dev/null || true
        done; } >>"$work/server.log"
    fi
    sleep_ms 100
  done
}

# session_alive SID: whether a process of session SID (a server started by
# setsid, or a child it forked) is still running, zombies aside.
session_alive() {
  local f line fields
  for f in /proc/[0-9]*/stat; do
    read -r line 2>/dev/null <"$f" || continue
    fields=(${line##*) }) # state ppid pgrp session ...
    [ "${fields[3]:-}" = "$1" ] && [ "${fields[0]}" != Z ] && return 0
  done
  return 1
}

# cut_power SID: after the kill of session SID, undoes what its log holds
# that no directory fsync made durable, once no process is left to add to
# the log or to change the directory behind the cut. Sets cut_undone.
cut_undone=0
prev_cut_log=""
cut_power() {
  local i out
  for i in $(seq 600); do
    session_alive "$1" || break
    if [ "$i" = 600 ]; then
      echo "torture: session $1 still has live processes 60 s after SIGKILL; no power cut" >&2
      exit 2
    fi
    sleep_ms 100
  done
  if ! out=$("$powercut" "$cut_log" "$cut_backup" 2>&1); then
    echo "torture: power cut failed: $out" >&2
    exit 2
  fi
  cut_undone=$out
  undone_total=$((undone_total + cut_undone))
  echo "--- $(date +%T.%3N) power cut: $cut_undone directory changes of $cut_log undone" \
    >>"$work/server.log"
  prev_cut_log=$cut_log
  # What is left in the backup dir was replaced or removed for good.
  [ "$keep" = 1 ] || rm -rf "$cut_backup"
}

stop_load() {
  if [ -n "$load_pid" ]; then
    kill -TERM "$load_pid" 2>/dev/null || true
    wait "$load_pid" 2>/dev/null || true
    load_pid=""
  fi
}

summary() {
  local cut=""
  [ "$power_cut" = 1 ] && cut=" dir_changes_undone=$undone_total"
  echo "cycles=$done_cycles acknowledged_checked=$checked lost=$lost" \
       "lost_in_window=$in_window violations=$violations$cut"
}

finish() {
  local status=$?
  trap - EXIT INT TERM
  stop_commands
  stop_load
  stop_server
  if [ "$keep" = 1 ] || [ "$violations" -gt 0 ] || [ "$status" = 2 ]; then
    echo "torture: work dir kept: $work" >&2
  else
    rm -rf "$work"
  fi
  exit "$status"
}
trap finish EXIT
trap 'echo "torture: interrupted" >&2; summary; exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# sleep_ms MS: sleeps in the background so a Ctrl-C trap runs at once.
sleep_ms() {
  sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))" &
  wait $! || true
}

# start_server N: starts the server that cycle N will kill (N = cycles + 1:
# the one for the final check). With --power-cut it runs under the shim,
# logging into a fresh log of its own.
start_server() {
  local env=()
  port=$(free_port)
  if [ "$power_cut" = 1 ]; then
    cut_log="$work/fsfault/log.$1" cut_backup="$work/fsfault/backup.$1"
    mkdir -p "$cut_backup"
    : >"$cut_log"
    env=(LD_PRELOAD="$shim" FSFAULT_LOG="$cut_log" FSFAULT_BACKUP="$cut_backup")
  fi
  echo "--- $(date +%T.%3N) start on port $port${cut_log:+ (shim log $cut_log)}" \
    >>"$work/server.log"
  env "${env[@]}" setsid "$server" --port "$port" --bind 127.0.0.1 --dir "$data" --save '' \
    --appendonly yes --appendfsync "$policy" "${server_args[@]}" >>"$work/server.log" 2>&1 &
  server_pid=$!
  # Disowned, so bash reaps it without printing "Killed" at a random moment;
  # await_death watches /proc instead of using wait.
  disown "$server_pid"
  for _ in $(seq 600); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "torture: server exited during start-up; log: $work/server.log" >&2
      tail -20 "$work/server.log" >&2
      [ -n "$prev_cut_log" ] && echo "torture: the last power cut replayed $prev_cut_log" >&2
      server_pid=""
      exit 2
    fi
    "$load" --port "$port" --wait-ready 100 && return 0
  done
  echo "torture: server did not answer PING within 60 s" >&2
  exit 2
}

# field NAME TEXT: the value of NAME=<n> in TEXT, 0 if absent.
field() { echo "$2" | sed -n "s/.*\b$1=\([0-9]*\).*/\1/p" | tail -1 | grep . || echo 0; }

# background_command CMD...: sends one command without waiting for its
# reply, so the kill still lands on time even if the server stalls. A reply
# that never came shows in commands.log as a line without one.
command_pids=()
background_command() {
  local sent
  sent=$(date +%T.%3N)
  { local reply
    reply=$("$load" --port "$port" --cmd "$*" 2>&1) || true
    echo "$sent $* -> ${reply:-(no reply)} at $(date +%T.%3N)" >>"$work/commands.log"; } &
  command_pids+=($!)
}

# stop_commands: called after the kill, when every command has its reply
# or has seen its connection close.
stop_commands() {
  local p
  for p in "${command_pids[@]}"; do wait "$p" 2>/dev/null || true; done
  command_pids=()
}

# run_cycle N: load, kill, restart, verify.
run_cycle() {
  local n=$1 ack="$work/ack.$1"
  local kill_after=$((200 + RANDOM % 1301)) slept=0 note=""
  "$load" --port "$port" --ack-log "$ack" --prefix "c$n" --clients "$clients" \
    --pipeline "$pipeline" --duration 60 >"$work/load.$n.log" 2>&1 &
  load_pid=$!
  if [ "$rewrite" = 1 ]; then
    local rewrite_at=$((RANDOM % (kill_after - 100) + 50))
    if [ $((RANDOM % 2)) = 0 ]; then rewrite_at=$((kill_after - RANDOM % 40)); fi
    if [ $((RANDOM % 3)) = 0 ]; then
      local save_at=$((RANDOM % kill_after))
      if [ "$save_at" -lt "$rewrite_at" ]; then
        sleep_ms "$save_at"; slept=$save_at
        background_command BGSAVE; note=" bgsave@${save_at}ms"
      fi
    fi
    sleep_ms $((rewrite_at - slept)); slept=$rewrite_at
    background_command BGREWRITEAOF; note="$note rewrite@${rewrite_at}ms"
  fi
  sleep_ms $((kill_after - slept))
  local kill_ms killed_sid=$server_pid
  kill_ms=$(date +%s%3N)
  stop_server
  kill_times[$n]=$kill_ms
  [ "$power_cut" = 1 ] && cut_power "$killed_sid"
  # The generator sees its connections close, logs its last acks and exits.
  for _ in $(seq 60); do kill -0 "$load_pid" 2>/dev/null || break; sleep_ms 50; done
  stop_load
  stop_commands
  start_server $((n + 1))
  local args=(--port "$port" --verify "$ack")
  [ "$policy" = everysec ] && args+=(--allow-loss-ms "$allow_loss_ms" --kill-time-ms "$kill_ms")
  local out rc=0
  out=$("$load" "${args[@]}" 2>&1) || rc=$?
  if [ "$rc" -ge 2 ]; then echo "torture: verify failed: $out" >&2; exit 2; fi
  echo "$out" | grep '^lost ' | sed "s/^/  cycle $n: /" || true
  checked=$((checked + $(field checked "$out")))
  lost=$((lost + $(field lost "$out")))
  in_window=$((in_window + $(field lost_in_window "$out")))
  violations=$((violations + $(field violations "$out")))
  done_cycles=$n
  local load_out
  load_out=$(cat "$work/load.$n.log")
  local cut=""
  [ "$power_cut" = 1 ] && cut=" undone=$cut_undone"
  printf 'cycle %d/%d: killed after %dms%s%s acked=%s max_stall_ms=%s %s\n' "$n" "$cycles" \
    "$kill_after" "$note" "$cut" "$(field acked "$load_out")" "$(field max_stall_ms "$load_out")" \
    "$(echo "$out" | tail -1)"
}

# final_check: every cycle's writes against the last restart.
final_check() {
  local n out rc final_checked=0 final_violations=0
  for n in $(seq "$done_cycles"); do
    local args=(--port "$port" --verify "$work/ack.$n")
    [ "$policy" = everysec ] && args+=(--allow-loss-ms "$allow_loss_ms" --kill-time-ms "${kill_times[$n]}")
    rc=0; out=$("$load" "${args[@]}" 2>&1) || rc=$?
    if [ "$rc" -ge 2 ]; then echo "torture: final verify failed: $out" >&2; exit 2; fi
    final_checked=$((final_checked + $(field checked "$out")))
    final_violations=$((final_violations + $(field violations "$out")))
  done
  echo "final check of all cycles: checked=$final_checked violations=$final_violations"
  violations=$((violations + final_violations))
}

mode="rewrite=$rewrite"
[ "$power_cut" = 1 ] && mode="$mode power_cut=1"
echo "torture: policy=$policy cycles=$cycles $mode server=$server work=$work"
start_server 1
for n in $(seq "$cycles"); do run_cycle "$n"; done
[ "$done_cycles" -gt 0 ] && final_check
summary
[ "$violations" = 0 ]
