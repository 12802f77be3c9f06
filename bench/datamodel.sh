#!/usr/bin/env bash
# bench/datamodel.sh: issues 18 and 19, ringkv beside redis-server in the
# same run, as ratios.
#   scripting  EVALSHA of a 3-command script (INCR, SET, GET over two keys
#              drawn from 100k) and FCALL of a function with the same body,
#              50 connections, pipeline 1 and pipeline 16;
#   types      XADD, XREADGROUP (one new entry per call, from a stream
#              preloaded with as many entries as the run reads), PFADD,
#              SETBIT (a 1M-bit bitmap), GEOADD, 50 connections, pipeline 16;
#   memory     used_memory per element after loading a stream of 1M entries
#              (`XADD * f <n>`), a 1M-bit bitmap (every 8th bit set) and a geo
#              set of 1M members at random coordinates, each into an empty
#              server through redis-cli --pipe.
# The scripting points and XREADGROUP come from redis-benchmark, run for a
# fixed number of requests (XREADGROUP must not read past the preloaded
# entries); XADD, PFADD, SETBIT and GEOADD from ringkv-load's template
# workload for DURATION s (redis-benchmark pads its random numbers with
# zeros, which a bit offset refuses). The figure is requests/s. A server
# starts fresh (own temp dir, --save "", --appendonly no) for each round;
# rounds alternate which server goes first; figures are medians of the
# rounds, ratios medians of the per-round ratios (throughput: ringkv / redis,
# above 1 is ringkv faster; memory: redis / ringkv, above 1 is ringkv
# smaller).
#
# Usage: bench/datamodel.sh [--quick]
#   --quick: 1 round with a fifth of the requests and 200k elements.
# Env: RINGKV (default build/ringkv-server), REDIS (default redis-server),
#      LOAD (default build/ringkv-load), DURATION (5 s; 2 with --quick),
#      ROUNDS (3; 1 with --quick), GROUPS_ONLY (default "scripting types
#      memory"), SCALE (multiplies every request count; default 1),
#      ELEMENTS (memory points; 1000000), RINGKV_ARGS (extra ringkv
#      arguments), CSV (also write "group,point,figure,ringkv,redis,ratio"
#      rows), OUT (also write the report there), KEEP=1 (keep the temp dir).
# Example (after a Release build in build/):
#   RINGKV=build/ringkv-server bench/datamodel.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
bench_quick_arg "$@"

ringkv="${RINGKV:-$root/build/ringkv-server}"
load="${LOAD:-$root/build/ringkv-load}"
redis="${REDIS:-redis-server}"
# shellcheck disable=SC2206 # split the extra arguments on spaces
ringkv_args=(${RINGKV_ARGS:-})
if [ "$quick" = 1 ]; then
  rounds="${ROUNDS:-1}" scale="${SCALE:-0.2}" elements="${ELEMENTS:-200000}" duration="${DURATION:-2}"
else
  rounds="${ROUNDS:-3}" scale="${SCALE:-1}" elements="${ELEMENTS:-1000000}" duration="${DURATION:-5}"
fi
groups="${GROUPS_ONLY:-scripting types memory}"
clients=50

command -v "$redis" >/dev/null || { echo "no redis-server ($redis); set REDIS" >&2; exit 1; }
[ -x "$ringkv" ] || { echo "no ringkv binary at $ringkv (build first, or set RINGKV)" >&2; exit 1; }
[ -x "$load" ] && "$load" --help 2>&1 | grep -q 'cmd:WORDS' ||
  { echo "no ringkv-load with --workload cmd: at $load (build it, or set LOAD)" >&2; exit 1; }
for t in redis-cli redis-benchmark python3; do
  command -v "$t" >/dev/null || { echo "$t is needed" >&2; exit 1; }
done
for g in $groups; do
  case "$g" in scripting|types|memory) ;; *) echo "unknown group $g" >&2; exit 2 ;; esac
done

work=$(mktemp -d "${TMPDIR:-/tmp}/datamodel.XXXXXX")
results="$work/results.tsv"
notes="$work/notes.tsv"
: >"$results"; : >"$notes"
server_pid=""

trap cleanup EXIT
trap 'exit 130' INT TERM

cli() { redis-cli -p "$port" "$@" | tr -d '\r'; }

# start_server <name> <round> <tag>: a fresh server in its own dir; sets port.
start_server() {
  local name="$1" bin dir i
  local -a extra=()
  port=$(free_port)
  dir="$work/data-$name-r$2-$3"
  mkdir -p "$dir"
  if [ "$name" = ringkv ]; then bin="$ringkv"; extra=("${ringkv_args[@]}"); else bin="$redis"; fi
  "$bin" --port "$port" --bind 127.0.0.1 --dir "$dir" --save "" --appendonly no "${extra[@]}" \
    >"$work/server-$name-r$2-$3.log" 2>&1 </dev/null &
  server_pid=$!
  for i in $(seq 1 200); do
    [ "$(redis-cli -p "$port" PING 2>/dev/null | tr -d '\r')" = PONG ] && return 0
    sleep 0.05
  done
  echo "$name did not start; its log:" >&2
  tail -20 "$work/server-$name-r$2-$3.log" >&2
  exit 1
}

record() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$results"; }
note() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$(tr '\t\n' '  ' <<<"$4")" >>"$notes"; }
count() { awk -v n="$1" -v s="$scale" 'BEGIN{printf "%d", n * s}'; }

# bench_point <round> <server> <point> <requests> <pipeline> <command...>:
# runs redis-benchmark and records its requests/s. A command the server
# answers with an error is noted (redis-benchmark does not count errors, so
# the first reply is checked with redis-cli before the run).
bench_point() {
  local r="$1" s="$2" point="$3" n="$4" p="$5" first rps
  shift 5
  first=$(cli "${@//__rand_int__/000000000001}" 2>&1 | head -1)
  case "$first" in
    ERR*|NOSCRIPT*|WRONGTYPE*|*"unknown command"*|*"Error"*)
      note "$r" "$s" "$point" "refused: $first"
      echo "  round $r $s $point: refused ($first)" >&2
      return 0 ;;
  esac
  rps=$(redis-benchmark -p "$port" -c "$clients" -P "$p" -n "$n" -r 100000 --csv "$@" 2>/dev/null |
    tail -1 | cut -d, -f2 | tr -d '"')
  if [ -z "$rps" ]; then note "$r" "$s" "$point" "failed: no redis-benchmark figure"; return 0; fi
  record "$r" "$s" "$point" rps "$rps"
  printf '  round %s %-6s %-16s %s requests/s\n' "$r" "$s" "$point" "$rps" >&2
}

script='redis.call("INCR", KEYS[1]) redis.call("SET", KEYS[2], ARGV[1]) return redis.call("GET", KEYS[2])'
library="#!lua name=benchlib
redis.register_function('bench3', function(keys, args)
  redis.call('INCR', keys[1]) redis.call('SET', keys[2], args[1]) return redis.call('GET', keys[2])
end)"

group_scripting() {
  local r="$1" s="$2" sha reply p
  sha=$(cli SCRIPT LOAD "$script")
  reply=$(cli FUNCTION LOAD "$library" 2>&1)
  [ "$reply" = benchlib ] || note "$r" "$s" fcall-p1 "FUNCTION LOAD: $reply"
  for p in 1 16; do
    bench_point "$r" "$s" "evalsha-p$p" "$(count $((p == 1 ? 300000 : 1000000)))" "$p" \
      EVALSHA "$sha" 2 "ka:__rand_int__" "kb:__rand_int__" value
    [ "$reply" = benchlib ] &&
      bench_point "$r" "$s" "fcall-p$p" "$(count $((p == 1 ? 300000 : 1000000)))" "$p" \
        FCALL bench3 2 "ka:__rand_int__" "kb:__rand_int__" value
  done
}

# load_point <round> <server> <point> <words>: ringkv-load's template
# workload ({r}: a random number below 1M, unpadded, so it parses as a bit
# offset), closed loop for $duration s; records its requests/s.
load_point() {
  local r="$1" s="$2" point="$3" line errors
  local -a workload=(--workload "cmd:$4")
  # GEOADD: ringkv-load's own workload, random points over the whole
  # storable band into the key "geo".
  [ "$4" = geoadd ] && workload=(--workload geoadd --key-prefix geo)
  line=$("$load" --port "$port" --clients "$clients" --pipeline 16 --duration "$duration" \
    --keys 1000000 "${workload[@]}" 2>&1 | grep '^workload=' || true)
  if [ -z "$line" ]; then note "$r" "$s" "$point" "failed: no ringkv-load figure"; return 0; fi
  errors=$(sed -n 's/.* errors=\([0-9]*\).*/\1/p' <<<"$line")
  if [ "$errors" != 0 ]; then
    note "$r" "$s" "$point" "refused: $errors error replies ($(cli ${4//\{r\}/1} 2>&1 | head -1))"
    echo "  round $r $s $point: $errors error replies" >&2
    return 0
  fi
  record "$r" "$s" "$point" rps "$(sed -n 's/.* achieved_rate=\([0-9.]*\).*/\1/p' <<<"$line")"
  printf '  round %s %-6s %-16s %s requests/s\n' "$r" "$s" "$point" \
    "$(sed -n 's/.* achieved_rate=\([0-9.]*\).*/\1/p' <<<"$line")" >&2
}

group_types() {
  local r="$1" s="$2" n reply
  n=$(count 2000000)
  load_point "$r" "$s" xadd "XADD xs * f {r}"
  # XREADGROUP reads exactly one new entry per call: the stream holds as
  # many entries as the run makes calls.
  reply=$(cli DEL xs)
  bench_point "$r" "$s" xadd-fill "$n" 16 XADD xs '*' f "__rand_int__"
  reply=$(cli XGROUP CREATE xs g 0 2>&1)
  if [ "$reply" = OK ]; then
    bench_point "$r" "$s" xreadgroup "$n" 16 XREADGROUP GROUP g c COUNT 1 STREAMS xs '>'
  else
    note "$r" "$s" xreadgroup "refused: XGROUP CREATE: $reply"
  fi
  load_point "$r" "$s" pfadd "PFADD hll e:{r}"
  load_point "$r" "$s" setbit "SETBIT bm {r} 1"
  load_point "$r" "$s" geoadd geoadd
}

# The protocol files of the memory points, written once.
gen_inputs() {
  python3 - "$work" "$elements" <<'EOF'
import random, sys
work, n = sys.argv[1], int(sys.argv[2])
def cmd(*a):
    out = [f"*{len(a)}\r\n"]
    for x in a:
        x = str(x)
        out.append(f"${len(x.encode())}\r\n{x}\r\n")
    return "".join(out)
rnd = random.Random(7)
with open(f"{work}/stream.proto", "w") as f:
    for i in range(n):
        f.write(cmd("XADD", "mstream", "*", "f", i))
with open(f"{work}/bitmap.proto", "w") as f:
    for i in range(0, n, 8):
        f.write(cmd("SETBIT", "mbitmap", i, 1))
with open(f"{work}/geo.proto", "w") as f:
    for i in range(0, n, 100):
        a = ["GEOADD", "mgeo"]
        for j in range(i, min(i + 100, n)):
            a += [f"{rnd.uniform(-180, 180):.6f}", f"{rnd.uniform(-85, 85):.6f}", f"m:{j}"]
        f.write(cmd(*a))
EOF
}

used_memory() { cli INFO memory | sed -n 's/^used_memory:\([0-9]*\)$/\1/p'; }

memory_point() {
  local r="$1" s="$2" point="$3" file="$4" before after out
  before=$(used_memory)
  out=$(redis-cli -p "$port" --pipe <"$work/$file" 2>&1 | tail -1)
  case "$out" in *"errors: 0,"*) ;; *) note "$r" "$s" "$point" "load: $out"; return 0 ;; esac
  after=$(used_memory)
  record "$r" "$s" "$point" bytes_per_element \
    "$(awk -v a="$after" -v b="$before" -v n="$elements" 'BEGIN{printf "%.2f", (a - b) / n}')"
  printf '  round %s %-6s %-16s %s bytes per element\n' "$r" "$s" "$point" \
    "$(awk -v a="$after" -v b="$before" -v n="$elements" 'BEGIN{printf "%.2f", (a - b) / n}')" >&2
}

group_memory() {
  local r="$1" s="$2"
  memory_point "$r" "$s" mem-stream stream.proto
  memory_point "$r" "$s" mem-bitmap bitmap.proto
  memory_point "$r" "$s" mem-geo geo.proto
}

echo "datamodel: $rounds round(s), groups: $groups, scale $scale, $elements elements; work dir $work" >&2
[[ " $groups " == *" memory "* ]] && gen_inputs
for r in $(seq 1 "$rounds"); do
  if [ $((r % 2)) = 1 ]; then order="ringkv redis"; else order="redis ringkv"; fi
  for s in $order; do
    for g in $groups; do
      # Each group on a fresh server, so one group's keys do not weigh on
      # the next one's figures.
      start_server "$s" "$r" "$g"
      "group_$g" "$r" "$s"
      stop_server
    done
  done
done

report=$(python3 - "$results" "$notes" "${CSV:-}" <<EOF
import csv, sys
sys.path.insert(0, "$root/bench")
from results import Results
res = Results(sys.argv[1], sys.argv[2])
rows = [
    ("scripting", "evalsha-p1", "EVALSHA 3-command script, pipeline 1 (requests/s)", False),
    ("scripting", "evalsha-p16", "EVALSHA 3-command script, pipeline 16 (requests/s)", False),
    ("scripting", "fcall-p1", "FCALL same body, pipeline 1 (requests/s)", False),
    ("scripting", "fcall-p16", "FCALL same body, pipeline 16 (requests/s)", False),
    ("types", "xadd", "XADD, pipeline 16 (requests/s)", False),
    ("types", "xreadgroup", "XREADGROUP COUNT 1 >, pipeline 16 (requests/s)", False),
    ("types", "pfadd", "PFADD, pipeline 16 (requests/s)", False),
    ("types", "setbit", "SETBIT, pipeline 16 (requests/s)", False),
    ("types", "geoadd", "GEOADD, pipeline 16 (requests/s)", False),
    ("memory", "mem-stream", "stream of $elements entries (bytes/entry)", True),
    ("memory", "mem-bitmap", "bitmap of $elements bits (bytes/bit)", True),
    ("memory", "mem-geo", "geo set of $elements members (bytes/member)", True),
]
groups = "$groups".split()
out = ["## Scripting and the remaining data types (datamodel.sh)", "",
       "ringkv: \`${ringkv#"$root/"}\`; redis: \`$("$redis" --version | head -1 | sed 's/ sha=.*//')\`; "
       "$clients connections, redis-benchmark and ringkv-load; medians of the rounds; ratio is the median of "
       "per-round ratios, ringkv / redis for throughput and redis / ringkv for memory (above 1: "
       "ringkv better either way); $(nproc) CPUs.", "",
       "| figure | ringkv | redis | ratio (>1 ringkv better) | notes |", "|---|--:|--:|--:|---|"]
table = []
for g, p, label, smaller_better in rows:
    if g not in groups:
        continue
    m = "bytes_per_element" if smaller_better else "rps"
    ma, mb = res.med("ringkv", p, m), res.med("redis", p, m)
    ra = res.ratio(("redis", p, m), ("ringkv", p, m)) if smaller_better else \
         res.ratio(("ringkv", p, m), ("redis", p, m))
    fmt = (lambda v: "-" if v is None else f"{v:,.2f}") if smaller_better else \
          (lambda v: "-" if v is None else f"{v:,.0f}")
    text = [f"{s}: {t}" for s in ("ringkv", "redis") for t in res.notes.get((s, p), [])]
    out.append(f"| {label} | {fmt(ma)} | {fmt(mb)} | {'-' if ra is None else f'{ra:.2f}'} | {'; '.join(text)} |")
    table.append([g, p, m,
                  "" if ma is None else ma, "" if mb is None else mb, "" if ra is None else f"{ra:.3f}"])
out.append("")
print("\n".join(out))
if sys.argv[3]:
    with open(sys.argv[3], "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["group", "point", "figure", "ringkv", "redis", "ratio"])
        w.writerows(table)
EOF
)
echo "$report"
if [ -n "${OUT:-}" ]; then echo "$report" >"$OUT"; fi
! cut -f4 "$notes" | grep -q '^failed'
