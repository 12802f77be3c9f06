#!/usr/bin/env bash
# bench/server_features.sh: what issue 16's server features cost, ringkv
# beside redis-server in the same run. Every load comes from ringkv-load
# (redis-benchmark can neither count pub/sub deliveries nor read RESP3
# pushes), 50 connections with pipeline 16, closed-loop, 32-byte values:
#   pubsub    1 and 100 subscribers on one channel, 50 publisher
#             connections PUBLISH to it; the figure is the messages the
#             subscribers actually read within the run (deliveries/s), and
#             every delivery the server reported is checked to arrive;
#   acl       SET over 100k keys k:<n> as the default user (the baseline),
#             then split over 10 ACL users (connection i authenticates as
#             user i % 10): users with ~* +@all, then users with ~k:* +@all,
#             whose key pattern every SET is checked against;
#   tracking  80% GET / 20% SET over 10k preloaded keys t:<n> on RESP3
#             connections (HELLO 3), without tracking (the baseline), then
#             with CLIENT TRACKING ON, so every SET of a key another
#             connection has read sends invalidation pushes, which are
#             counted.
# Each figure is shown beside the other server (ratio ringkv / redis) and
# beside the same server's baseline in the same round (each server's own
# slowdown: feature / baseline). A server starts fresh (own temp dir,
# --save "", --appendonly no) for each round; rounds alternate which server
# goes first; figures are medians of the rounds, ratios medians of the
# per-round ratios.
#
# A server that refuses a feature (no ACL SETUSER, no CLIENT TRACKING) is
# reported as such in the table, with its reply, and the rest still runs.
#
# Usage: bench/server_features.sh [--quick]
#   --quick: 1 round of 2 s runs (about a minute).
# Env: RINGKV (default build/ringkv-server), REDIS (default redis-server),
#      LOAD (default build/ringkv-load; needs --publish and --users),
#      ROUNDS (default 3; 1 with --quick), DURATION (seconds per run; 5,
#      2 with --quick), CLIENTS (connections, publishers for pubsub; 50),
#      PIPELINE (16), SUBSCRIBERS (the pubsub points; "1 100"), USERS (10),
#      FEATURES (the groups to run; default "pubsub acl tracking"), RINGKV_ARGS (extra ringkv
#      arguments), CSV (also write the table there as "group,point,figure,
#      ringkv,redis,ratio,ringkv_vs_base,redis_vs_base,ringkv_note,redis_note"
#      rows), OUT (also write the report there), KEEP=1 (keep the temp dir
#      with the raw logs).
# Example (after a Release build in build/):
#   RINGKV=build/ringkv-server LOAD=build/ringkv-load bench/server_features.sh
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
  rounds="${ROUNDS:-1}" duration="${DURATION:-2}"
else
  rounds="${ROUNDS:-3}" duration="${DURATION:-5}"
fi
clients="${CLIENTS:-50}"
pipeline="${PIPELINE:-16}"
subscribers="${SUBSCRIBERS:-1 100}"
users="${USERS:-10}"
groups="${FEATURES:-pubsub acl tracking}"
value_bytes=32
# The SET key space of the acl group (prefix k, which the ~k:* users may
# write) and the read-write key space of the tracking group (prefix t): small
# enough that a SET often hits a key other connections have read.
acl_keys=100000
tracking_keys=10000
tracking_get_percent=80
user_password=bench-pw
# ringkv-load's exit status when the server refuses a setup command.
load_refused=3

command -v "$redis" >/dev/null || { echo "no redis-server ($redis); set REDIS" >&2; exit 1; }
[ -x "$ringkv" ] || { echo "no ringkv binary at $ringkv (build first, or set RINGKV)" >&2; exit 1; }
[ -x "$load" ] || { echo "no ringkv-load at $load (build first, or set LOAD)" >&2; exit 1; }
"$load" --help | grep -q -- --publish ||
  { echo "$load has no --publish/--users/--tracking: rebuild the ringkv-load target" >&2; exit 1; }
command -v redis-cli >/dev/null || { echo "redis-cli is needed (apt-get install redis-tools)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 is needed for the report" >&2; exit 1; }
for n in "$rounds" "$clients" "$pipeline" "$users" $subscribers; do
  [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -gt 0 ] || { echo "$n is not a count" >&2; exit 2; }
done
for g in $groups; do
  case "$g" in pubsub|acl|tracking) ;; *) echo "unknown group $g (pubsub, acl, tracking)" >&2; exit 2 ;; esac
done

work=$(mktemp -d "${TMPDIR:-/tmp}/server_features.XXXXXX")
results="$work/results.tsv"
notes="$work/notes.tsv"
: >"$results"; : >"$notes"
server_pid=""

trap cleanup EXIT
trap 'exit 130' INT TERM

# start_server <name> <round>: a fresh server in its own dir; sets port.
start_server() {
  local name="$1" bin dir
  local -a extra=()
  port=$(free_port)
  dir="$work/data-$name-r$2"
  mkdir -p "$dir"
  if [ "$name" = ringkv ]; then bin="$ringkv"; extra=("${ringkv_args[@]}"); else bin="$redis"; fi
  "$bin" --port "$port" --bind 127.0.0.1 --dir "$dir" --save "" --appendonly no "${extra[@]}" \
    >"$work/server-$name-r$2.log" 2>&1 </dev/null &
  server_pid=$!
  if ! "$load" --port "$port" --wait-ready 20000 >/dev/null; then
    echo "$name did not start; its log:" >&2
    tail -20 "$work/server-$name-r$2.log" >&2
    exit 1
  fi
}

# field <line> <name>: the value of name=... in a ringkv-load summary line,
# without its unit.
field() { sed -n "s/.* $2=\([0-9.]*\).*/\1/p" <<<" $1"; }

# record <round> <server> <point> <metric> <value>
record() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$results"; }
# note <round> <server> <point> <text>: why a point has no figure, or what
# is wrong with it (errors, lost messages); shown in the report.
note() {
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$(tr '\t\n' '  ' <<<"$4" | sed 's/ *$//')" >>"$notes"
}

# run_load <round> <server> <point> <ringkv-load args...>: runs one load
# point and prints its summary line (it runs inside $(...), so what it
# keeps goes to files). A setup the server refuses becomes a note (the reply
# it gave) and an empty line; any other failure a note starting "failed",
# which makes the script's exit status 1.
run_load() {
  local r="$1" s="$2" point="$3" log rc=0
  shift 3
  log="$work/$point-$s-r$r.log"
  "$load" --port "$port" --value-size "$value_bytes" --duration "$duration" "$@" >"$log" 2>&1 || rc=$?
  if [ "$rc" = "$load_refused" ]; then
    # "setup refused: CLIENT TRACKING: -ERR ..." without the error's type byte.
    local reply
    reply=$(sed -n 's/^ringkv-load: setup refused: \([^:]*\): -/\1: /p' "$log" | head -1)
    note "$r" "$s" "$point" "refused: $reply"
    echo "  round $r $s $point: refused ($reply)" >&2
    return 0
  fi
  local line
  line=$(grep -E '^(workload|mode)=' "$log" | tail -1 || true)
  if [ "$rc" != 0 ] || [ -z "$line" ]; then
    note "$r" "$s" "$point" "failed (exit $rc): $(grep -v '^op=' "$log" | tail -1)"
    echo "  round $r $s $point: failed (exit $rc); its output:" >&2
    sed 's/^/    /' "$log" >&2
    return 0
  fi
  local errors
  errors=$(field "$line" errors)
  [ "${errors:-0}" = 0 ] || note "$r" "$s" "$point" "$errors error replies"
  echo "$line"
}

point_pubsub() {
  local r="$1" s="$2" n="$3" point="pubsub-$3" line missing
  line=$(run_load "$r" "$s" "$point" --publish bench-channel --subscribers "$n" \
    --clients "$clients" --pipeline "$pipeline")
  [ -n "$line" ] || return 0
  for f in delivered_rate publish_rate; do record "$r" "$s" "$point" "$f" "$(field "$line" "$f")"; done
  missing=$(field "$line" missing)
  [ "$missing" = 0 ] || note "$r" "$s" "$point" "$missing messages reported delivered never arrived"
  printf '  round %s %-6s %-12s %s deliveries/s (%s PUBLISH/s)\n' "$r" "$s" "$point" \
    "$(field "$line" delivered_rate)" "$(field "$line" publish_rate)" >&2
}

# point_set <round> <server> <point> <ringkv-load setup args...>
point_set() {
  local r="$1" s="$2" point="$3" line
  shift 3
  line=$(run_load "$r" "$s" "$point" --clients "$clients" --pipeline "$pipeline" --workload set \
    --key-prefix k --keys "$acl_keys" "$@")
  [ -n "$line" ] || return 0
  record "$r" "$s" "$point" requests_rate "$(field "$line" achieved_rate)"
  printf '  round %s %-6s %-12s %s SET/s\n' "$r" "$s" "$point" "$(field "$line" achieved_rate)" >&2
}

# acl_users <round> <server> <user prefix> <key pattern> <point>: creates
# the users; on a refusal notes the reply for the point and returns 1.
acl_users() {
  local r="$1" s="$2" prefix="$3" pattern="$4" point="$5" i reply
  for i in $(seq 0 $((users - 1))); do
    reply=$(redis-cli -p "$port" ACL SETUSER "$prefix$i" on ">$user_password" "$pattern" '+@all' 2>&1 | tr -d '\r')
    if [ "$reply" != OK ]; then
      note "$r" "$s" "$point" "refused: ACL SETUSER: $reply"
      echo "  round $r $s $point: refused (ACL SETUSER: $reply)" >&2
      return 1
    fi
  done
}

group_acl() {
  local r="$1" s="$2"
  point_set "$r" "$s" set-default
  if acl_users "$r" "$s" a '~*' set-acl-all; then
    point_set "$r" "$s" set-acl-all --users "$users" --user-prefix a --password "$user_password"
  fi
  if acl_users "$r" "$s" p '~k:*' set-acl-pattern; then
    point_set "$r" "$s" set-acl-pattern --users "$users" --user-prefix p --password "$user_password"
  fi
}

# point_mix <round> <server> <point> <ringkv-load setup args...>
point_mix() {
  local r="$1" s="$2" point="$3" line log get set
  shift 3
  line=$(run_load "$r" "$s" "$point" --clients "$clients" --pipeline "$pipeline" --resp3 \
    --workload "mixed:$tracking_get_percent" --key-prefix t --keys "$tracking_keys" --per-op "$@")
  [ -n "$line" ] || return 0
  log="$work/$point-$s-r$r.log"
  get=$(sed -n 's/^op=get requests=\([0-9]*\).*/\1/p' "$log")
  set=$(sed -n 's/^op=set requests=\([0-9]*\).*/\1/p' "$log")
  record "$r" "$s" "$point" requests_rate "$(field "$line" achieved_rate)"
  record "$r" "$s" "$point" get_rate "$(awk -v n="$get" -v d="$duration" 'BEGIN{print n / d}')"
  record "$r" "$s" "$point" set_rate "$(awk -v n="$set" -v d="$duration" 'BEGIN{print n / d}')"
  record "$r" "$s" "$point" pushes_rate "$(awk -v n="$(field "$line" pushes)" -v d="$duration" 'BEGIN{print n / d}')"
  printf '  round %s %-6s %-12s %s requests/s, %s invalidation pushes\n' "$r" "$s" "$point" \
    "$(field "$line" achieved_rate)" "$(field "$line" pushes)" >&2
}

group_tracking() {
  local r="$1" s="$2"
  # The keys exist before either run, so GETs read values and both runs see
  # the same key space.
  "$load" --port "$port" --clients 1 --workload get --key-prefix t --keys "$tracking_keys" \
    --value-size "$value_bytes" --preload --duration 0.05 --rate 20 >/dev/null
  point_mix "$r" "$s" mix-resp3
  point_mix "$r" "$s" mix-tracking --tracking
}

echo "server_features: $rounds round(s) of ${duration}s runs, $clients connections, pipeline $pipeline; groups: $groups; work dir $work" >&2
for r in $(seq 1 "$rounds"); do
  if [ $((r % 2)) = 1 ]; then order="ringkv redis"; else order="redis ringkv"; fi
  for s in $order; do
    start_server "$s" "$r"
    for g in $groups; do
      case "$g" in
        pubsub) for n in $subscribers; do point_pubsub "$r" "$s" "$n"; done ;;
        acl) group_acl "$r" "$s" ;;
        tracking) group_tracking "$r" "$s" ;;
      esac
    done
    stop_server
  done
done

report=$(python3 - "$results" "$notes" "${CSV:-}" <<EOF
import csv, sys

sys.path.insert(0, "$root/bench")
from results import Results
res = Results(sys.argv[1], sys.argv[2])
values, notes, rounds, med, ratio = res.values, res.notes, res.rounds, res.med, res.ratio

def num(v):
    return "-" if v is None else f"{v:,.0f}"

def rat(v):
    return "-" if v is None else f"{v:.2f}"

# group, point, metric, label, baseline point (None: no baseline)
rows = []
for n in "$subscribers".split():
    rows.append(("pubsub", f"pubsub-{n}", "delivered_rate",
                 f"PUBLISH, {n} subscriber{'s' if n != '1' else ''}: deliveries/s", None))
    rows.append(("pubsub", f"pubsub-{n}", "publish_rate", "  PUBLISH replies/s", None))
rows += [
    ("acl", "set-default", "requests_rate", "SET, default user", None),
    ("acl", "set-acl-all", "requests_rate", "SET, $users ACL users ~* +@all", "set-default"),
    ("acl", "set-acl-pattern", "requests_rate", "SET, $users ACL users ~k:* +@all", "set-default"),
    ("tracking", "mix-resp3", "requests_rate", "GET/SET $tracking_get_percent/20, RESP3, tracking off", None),
    ("tracking", "mix-resp3", "get_rate", "  of which GET/s", None),
    ("tracking", "mix-resp3", "set_rate", "  of which SET/s", None),
    ("tracking", "mix-tracking", "requests_rate", "GET/SET $tracking_get_percent/20, RESP3, CLIENT TRACKING ON", "mix-resp3"),
    ("tracking", "mix-tracking", "get_rate", "  of which GET/s", "mix-resp3"),
    ("tracking", "mix-tracking", "set_rate", "  of which SET/s", "mix-resp3"),
    ("tracking", "mix-tracking", "pushes_rate", "  invalidation pushes read/s", None),
]
groups = "$groups".split()
rows = [row for row in rows if row[0] in groups]

out = ["## Server features: pub/sub, ACL users, client tracking (server_features.sh)", "",
       "ringkv: \`${ringkv#"$root/"}\`; redis: \`$("$redis" --version | head -1 | sed 's/ sha=.*//')\`; "
       f"{len(rounds)} round(s), medians shown; ${duration} s per run; $clients connections "
       f"(publishers for PUBLISH), pipeline $pipeline, closed-loop, ${value_bytes}-byte values; "
       "$(nproc) CPUs. Ratios are medians of per-round ratios: ringkv / redis (above 1: ringkv "
       "faster) and each server against its own baseline in the same round (below 1: the "
       "feature costs that share).", "",
       "| figure | ringkv | redis | ringkv / redis | ringkv / baseline | redis / baseline | notes |",
       "|---|--:|--:|--:|--:|--:|---|"]
table = []
for group, point, metric, label, base in rows:
    a, b = med("ringkv", point, metric), med("redis", point, metric)
    vs = ratio(("ringkv", point, metric), ("redis", point, metric))
    ra = rb = None
    if base:
        ra = ratio(("ringkv", point, metric), ("ringkv", base, metric))
        rb = ratio(("redis", point, metric), ("redis", base, metric))
    text = []
    if metric in ("delivered_rate", "requests_rate"):
        for s in ("ringkv", "redis"):
            text += [f"{s}: {t}" for t in notes.get((s, point), [])]
    out.append(f"| {label} | {num(a)} | {num(b)} | {rat(vs)} | {rat(ra) if base else ''} | "
               f"{rat(rb) if base else ''} | {'; '.join(text)} |")
    ka = "; ".join(notes.get(("ringkv", point), []))
    kb = "; ".join(notes.get(("redis", point), []))
    table.append([group, point, metric, "" if a is None else f"{a:.0f}", "" if b is None else f"{b:.0f}",
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
# Exit status 1 when a run failed (a refused feature is not a failure).
! cut -f4 "$notes" | grep -q '^failed'
