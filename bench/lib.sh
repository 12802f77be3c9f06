# bench/lib.sh: what the bench scripts share, sourced by them (not run).

# bench_quick_arg "$@": sets quick=1 for --quick, prints the calling
# script's header comment for -h/--help (the lines from the second up to
# "set -euo"), and refuses anything else.
bench_quick_arg() {
  quick=0
  local arg
  for arg in "$@"; do
    case "$arg" in
      --quick) quick=1 ;;
      -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
      *) echo "unknown argument: $arg (try --help)" >&2; exit 2 ;;
    esac
  done
}

# free_port: a TCP port on 127.0.0.1 nothing listens on now (the kernel's
# pick; a server started right after takes it).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# stop_server: stops the one server a script runs at a time ($server_pid,
# emptied). cleanup: that, then removes the work dir $work unless KEEP=1.
# For scripts that keep one server in $server_pid and their files in $work.
stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
cleanup() {
  stop_server
  if [ "${KEEP:-0}" = 1 ]; then echo "raw logs kept in $work" >&2; else rm -rf "$work"; fi
}
