#!/usr/bin/env bash
# bench/read_latency.sh: GET latency of keys nobody writes, beside a write
# load on other keys, under appendfsync always and without persistence,
# ringkv beside redis-server in the same run.
#
# The question (issue: "Under appendfsync always, a reply waits only for the
# writes it could have seen"): does a GET of a key no one is writing pay the
# fsync of writes it could not have seen? Two scenarios, each on a server
# started fresh (own temp dir, --save "") with --appendonly yes
# --appendfsync always ("always") or --appendonly no ("off"):
#   read  N keys (key:<12 digits>, 32-byte values) are preloaded; then 50
#         connections SET keys of another prefix (w:<12 digits>) closed-loop,
#         as fast as they can (ringkv-load --workload set --key-prefix w),
#         and, 1 s after they start, 10 connections GET the preloaded keys
#         open-loop at READ_RATE requests/s in total; the GET percentiles
#         are corrected for coordinated omission (from each request's
#         intended send time). The writers' SET p99 is closed-loop (from the
#         actual send), as redis-benchmark would report it.
#   mix   N keys preloaded; 50 connections, open-loop, 80% GET / 20% SET on
#         those keys at MIX_RATE requests/s in total; GET and SET percentiles
#         apart (ringkv-load --per-op). MIX_RATE defaults to half the lower
#         of the two servers' SET rates under always in round 1's read
#         scenario, so neither server runs near its limit (with WRITE_RATE
#         set that is half of WRITE_RATE, or less); the same rate is used for
#         every server, mode and round.
# One server runs at a time. Rounds alternate which server goes first; each
# figure is the median of the rounds, each ratio the median of the per-round
# ratios.
#
# Targets (read scenario, GET p99):
#   ringkv always / ringkv off     <= 1.2
#   ringkv always / redis always   <= 0.5
# (also shown, unjudged, for the mix scenario).
#
# Usage: bench/read_latency.sh [--quick]
#   --quick: 1 round, 3 s runs, 20k keys (about a minute).
# Env: RINGKV (default build/ringkv-server), REDIS (default redis-server),
#      LOAD (default build/ringkv-load; needs --key-prefix and --per-op),
#      ROUNDS (default 3; 1 with --quick), DURATION (seconds per run; 10,
#      3 with --quick), KEYS (preloaded keys; 100000, 20000 with --quick),
#      READ_RATE (GETs/s of the 10 readers; default 2000), MIX_RATE (see
#      above), WRITERS (default 50), READERS (default 10),
#      WRITE_RATE (cap the writers open-loop at this many SETs/s in total
#        instead of closed-loop; on a machine with few cores a closed-loop
#        write load saturates the CPUs and GET latency then measures
#        scheduling, even without persistence),
#      WORKDIR (parent of the temp dir holding the servers' data; default
#      $TMPDIR or /tmp: put it on the disk under test),
#      RINGKV_ARGS (extra ringkv arguments), OUT (also write the report
#      there), KEEP=1 (keep the temp dir with the raw logs).
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
  rounds="${ROUNDS:-1}" duration="${DURATION:-3}" keys="${KEYS:-20000}"
else
  rounds="${ROUNDS:-3}" duration="${DURATION:-10}" keys="${KEYS:-100000}"
fi
read_rate="${READ_RATE:-2000}"
write_rate="${WRITE_RATE:-}"
mix_rate="${MIX_RATE:-}"
writers="${WRITERS:-50}"
readers="${READERS:-10}"
value_bytes=32
# Keys the writers spread their SETs over (prefix w, never read).
write_keys=1000000
# Writers start this long before the readers and stop this long after them.
warmup_s=1

command -v "$redis" >/dev/null || { echo "no redis-server ($redis); set REDIS" >&2; exit 1; }
[ -x "$ringkv" ] || { echo "no ringkv binary at $ringkv (build first, or set RINGKV)" >&2; exit 1; }
[ -x "$load" ] || { echo "no ringkv-load at $load (build first, or set LOAD)" >&2; exit 1; }
"$load" --help | grep -q -- --per-op ||
  { echo "$load has no --per-op/--key-prefix: rebuild the ringkv-load target" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 is needed for the report" >&2; exit 1; }

work=$(mktemp -d "${WORKDIR:-${TMPDIR:-/tmp}}/read_latency.XXXXXX")
results="$work/results.tsv"
: >"$results"
server_pid=""
bg_pids=()

stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
cleanup() {
  local p
  for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  stop_server
  if [ "${KEEP:-0}" = 1 ]; then echo "raw logs kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_server <name> <mode>: a fresh server in its own dir; sets port.
start_server() {
  local name="$1" mode="$2" bin dir
  local -a args extra=()
  port=$(free_port)
  dir="$work/data-$name-$mode"
  rm -rf "$dir"; mkdir -p "$dir"
  if [ "$name" = ringkv ]; then bin="$ringkv"; extra=("${ringkv_args[@]}"); else bin="$redis"; fi
  if [ "$mode" = always ]; then
    args=(--appendonly yes --appendfsync always)
  else
    args=(--appendonly no)
  fi
  "$bin" --port "$port" --bind 127.0.0.1 --dir "$dir" --save "" "${args[@]}" "${extra[@]}" \
    >"$work/server-$name-$mode.log" 2>&1 </dev/null &
  server_pid=$!
  if ! "$load" --port "$port" --wait-ready 20000 >/dev/null; then
    echo "$name ($mode) did not start; its log:" >&2
    tail -20 "$work/server-$name-$mode.log" >&2
    exit 1
  fi
}

preload() {
  "$load" --port "$port" --clients 1 --workload get --keys "$keys" --value-size "$value_bytes" \
    --preload --duration 0.05 --rate 20 >/dev/null
}

# field <line> <name>: the value of name=... in a ringkv-load summary line,
# without its unit.
field() { sed -n "s/.* $2=\([0-9.]*\).*/\1/p" <<<" $1"; }

# record <round> <server> <mode> <scenario> <metric> <value>
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$results"; }

# dirty_stats <round> <server> <mode> <scenario>: for ringkv under always,
# records from INFO persistence how big the table of written-not-durable
# keys grew and how many reading replies waited (needs redis-cli).
dirty_stats() {
  local f v
  [ "$2" = ringkv ] && [ "$3" = always ] && command -v redis-cli >/dev/null || return 0
  local info
  info=$(redis-cli -p "$port" info persistence 2>/dev/null | tr -d '\r') || return 0
  for f in ringkv_dirty_keys_peak ringkv_dirty_keys_bytes_peak ringkv_reads_held \
           ringkv_reads_not_held; do
    v=$(sed -n "s/^$f://p" <<<"$info")
    [ -n "$v" ] && record "$1" "$2" "$3" "$4" "$f" "$v"
  done
  return 0
}

# summary <round> <server> <mode> <scenario> <prefix> <line>: records
# p50/p99/p99.9/max (and the rate, errors, unsent when present).
summary() {
  local r="$1" s="$2" m="$3" sc="$4" pre="$5" line="$6" f v
  for f in p50 p99 p99.9 max achieved_rate errors unsent requests; do
    v=$(field "$line" "$f")
    [ -n "$v" ] && record "$r" "$s" "$m" "$sc" "$pre$f" "$v"
  done
  return 0
}

scenario_read() {
  local r="$1" s="$2" m="$3" tag="$2-$3-r$1" wpid wline rline
  start_server "$s" "$m"
  preload
  local -a wrate=()
  [ -n "$write_rate" ] && wrate=(--rate "$write_rate")
  "$load" --port "$port" --clients "$writers" --workload set --key-prefix w --keys "$write_keys" \
    "${wrate[@]}" --value-size "$value_bytes" --duration "$(awk -v d="$duration" -v w="$warmup_s" 'BEGIN{print d + 2 * w}')" \
    >"$work/read-writer-$tag.log" 2>&1 &
  wpid=$!; bg_pids+=("$wpid")
  sleep "$warmup_s"
  "$load" --port "$port" --clients "$readers" --workload get --keys "$keys" \
    --value-size "$value_bytes" --rate "$read_rate" --duration "$duration" \
    >"$work/read-reader-$tag.log" 2>&1 || true
  wait "$wpid" || true
  bg_pids=()
  dirty_stats "$r" "$s" "$m" read
  stop_server
  wline=$(grep '^workload' "$work/read-writer-$tag.log" | tail -1 || true)
  rline=$(grep '^workload' "$work/read-reader-$tag.log" | tail -1 || true)
  [ -n "$rline" ] || { echo "reader failed ($tag):" >&2; cat "$work/read-reader-$tag.log" >&2; exit 1; }
  [ -n "$wline" ] || { echo "writer failed ($tag):" >&2; cat "$work/read-writer-$tag.log" >&2; exit 1; }
  summary "$r" "$s" "$m" read get_ "$rline"
  summary "$r" "$s" "$m" read set_ "$wline"
  printf '  round %s read %-6s %-6s GET p50=%sus p99=%sus  SET %s/s p99=%sus\n' "$r" "$s" "$m" \
    "$(field "$rline" p50)" "$(field "$rline" p99)" "$(field "$wline" achieved_rate)" \
    "$(field "$wline" p99)" >&2
}

scenario_mix() {
  local r="$1" s="$2" m="$3" tag="$2-$3-r$1" log all g st
  log="$work/mix-$tag.log"
  start_server "$s" "$m"
  preload
  "$load" --port "$port" --clients 50 --workload mixed:80 --keys "$keys" \
    --value-size "$value_bytes" --rate "$mix_rate" --duration "$duration" --per-op \
    >"$log" 2>&1 || true
  dirty_stats "$r" "$s" "$m" mix
  stop_server
  all=$(grep '^workload' "$log" | tail -1 || true)
  g=$(grep '^op=get' "$log" | tail -1 || true)
  st=$(grep '^op=set' "$log" | tail -1 || true)
  [ -n "$all" ] && [ -n "$g" ] || { echo "mix failed ($tag):" >&2; cat "$log" >&2; exit 1; }
  summary "$r" "$s" "$m" mix all_ "$all"
  summary "$r" "$s" "$m" mix get_ "$g"
  summary "$r" "$s" "$m" mix set_ "$st"
  printf '  round %s mix  %-6s %-6s GET p50=%sus p99=%sus  SET p99=%sus  %s/s\n' "$r" "$s" "$m" \
    "$(field "$g" p50)" "$(field "$g" p99)" "$(field "$st" p99)" "$(field "$all" achieved_rate)" >&2
}

echo "read_latency: $rounds round(s), ${duration}s runs, $keys keys, readers $readers at $read_rate/s, writers $writers; work dir $work" >&2
for r in $(seq 1 "$rounds"); do
  if [ $((r % 2)) = 1 ]; then order="ringkv redis"; else order="redis ringkv"; fi
  for s in $order; do
    for m in always off; do scenario_read "$r" "$s" "$m"; done
  done
  if [ -z "$mix_rate" ]; then
    # Half the lower SET rate under always: both servers well below their limit.
    mix_rate=$(awk -F'\t' '$3=="always" && $4=="read" && $5=="set_achieved_rate" {
      if (min == "" || $6 < min) min = $6 } END { r = int(min / 2); if (r < 100) r = 100; print r }' "$results")
    echo "  mix rate: $mix_rate requests/s (half the lower SET rate under always)" >&2
  fi
  for s in $order; do
    for m in always off; do scenario_mix "$r" "$s" "$m"; done
  done
done

report=$(python3 - "$results" <<EOF
import statistics, sys
from collections import defaultdict
rows = defaultdict(dict)  # (server, mode, scenario, metric) -> {round: value}
for line in open(sys.argv[1]):
    r, s, m, sc, metric, v = line.rstrip("\n").split("\t")
    rows[(s, m, sc, metric)][int(r)] = float(v)
rounds = sorted({r for d in rows.values() for r in d})

def med(s, m, sc, metric):
    d = rows.get((s, m, sc, metric))
    return statistics.median(d.values()) if d else None

def ratio(a, b):
    """Median of the per-round ratios a/b; also the per-round list."""
    per = []
    for r in rounds:
        x, y = rows.get(a, {}).get(r), rows.get(b, {}).get(r)
        if x is not None and y:
            per.append(x / y)
    return (statistics.median(per) if per else None), per

def us(v):
    if v is None: return "-"
    return f"{v/1000:.2f} ms" if v >= 10000 else f"{v:.0f} us"

def num(v):
    return "-" if v is None else f"{v:.0f}"

out = []
out.append("## GET latency of unwritten keys beside a write load (appendfsync always vs off)")
out.append("")
out.append(f"ringkv: \`${ringkv#"$root/"}\`; redis: \`$("$redis" --version | head -1 | sed 's/ sha=.*//')\`; "
           f"{len(rounds)} round(s), median shown; {$duration}s runs; {$keys} preloaded keys, "
           f"{$value_bytes}-byte values; work dir on \`$(df -P "$work" | awk 'NR==2{print $1}')\`; "
           f"$(nproc) CPUs.")
out.append("")
out.append("**read**: ${readers} connections GET preloaded keys open-loop at ${read_rate}/s "
           "(coordinated-omission corrected) while ${writers} connections SET other keys "
           "(prefix \`w:\`) " + ("open-loop at ${write_rate}/s in total" if "${write_rate}" else
           "closed-loop as fast as they can") + ". SET p99 and SET/s are the writers' " +
           ("(open-loop, from the intended send)." if "${write_rate}" else "(closed-loop, from the actual send)."))
out.append("")
out.append("**mix**: 50 connections, open-loop 80% GET / 20% SET on the preloaded keys at "
           "${mix_rate} requests/s in total; GET and SET percentiles apart.")
out.append("")
out.append("| scenario | server | persistence | GET p50 | GET p99 | GET p99.9 | GET max | SET p99 | SET/s | requests/s | errors | unsent |")
out.append("|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
for sc in ("read", "mix"):
    for s in ("ringkv", "redis"):
        for m in ("always", "off"):
            g = lambda f: med(s, m, sc, "get_" + f)
            if sc == "read":
                rate = g("achieved_rate")
                setrate = med(s, m, sc, "set_achieved_rate")
                errs = (g("errors") or 0) + (med(s, m, sc, "set_errors") or 0)
                unsent = g("unsent")
            else:
                rate = med(s, m, sc, "all_achieved_rate")
                setrate = None
                errs = med(s, m, sc, "all_errors")
                unsent = med(s, m, sc, "all_unsent")
            out.append(f"| {sc} | {s} | {m} | {us(g('p50'))} | {us(g('p99'))} | {us(g('p99.9'))} | "
                       f"{us(g('max'))} | {us(med(s, m, sc, 'set_p99'))} | {num(setrate)} | "
                       f"{num(rate)} | {num(errs)} | {num(unsent)} |")
out.append("")
out.append("| target (GET p99) | scenario | value | goal | result | per round |")
out.append("|---|---|--:|--:|---|---|")
for sc in ("read", "mix"):
    for name, a, b, goal in (
        ("ringkv always / ringkv off", ("ringkv", "always"), ("ringkv", "off"), 1.2),
        ("ringkv always / redis always", ("ringkv", "always"), ("redis", "always"), 0.5),
    ):
        v, per = ratio(a + (sc, "get_p99"), b + (sc, "get_p99"))
        res = "-" if v is None else ("PASS" if v <= goal else "FAIL")
        if sc == "mix": res = f"({res}, not judged)"
        out.append(f"| {name} | {sc} | {'-' if v is None else f'{v:.2f}'} | <= {goal} | {res} | "
                   f"{', '.join(f'{x:.2f}' for x in per)} |")
out.append("")
out.append("ringkv under always, from INFO persistence (median of the rounds): the table of keys "
           "written but not yet durable, and the reading replies that waited for one of them.")
out.append("")
out.append("| scenario | dirty keys peak | table bytes peak | reads held | reads not held |")
out.append("|---|--:|--:|--:|--:|")
for sc in ("read", "mix"):
    g = lambda f: med("ringkv", "always", sc, f)
    out.append(f"| {sc} | {num(g('ringkv_dirty_keys_peak'))} | {num(g('ringkv_dirty_keys_bytes_peak'))} | "
               f"{num(g('ringkv_reads_held'))} | {num(g('ringkv_reads_not_held'))} |")
print("\n".join(out))
EOF
)
echo "$report"
if [ -n "${OUT:-}" ]; then echo "$report" >"$OUT"; fi
