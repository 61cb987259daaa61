# Stopping the servers a benchmark started, each in its own process group, with its pid in the associative array
# PIDS (name -> pid) that the sourcing script declares. Sourced by bench/run.sh and bench/nextjs.sh.

# stop NAME: TERM to the server's process group (or the process, when it leads none), up to 10 s to exit, then KILL.
stop() {
  local name=$1 pid=${PIDS[$1]:-} i
  [ -n "$pid" ] || return 0
  kill -TERM -- "-$pid" 2> /dev/null || kill -TERM "$pid" 2> /dev/null || true
  for i in $(seq 1 50); do
    kill -0 -- "-$pid" 2> /dev/null || kill -0 "$pid" 2> /dev/null || break
    sleep 0.2
  done
  kill -KILL -- "-$pid" 2> /dev/null || true
  wait "$pid" 2> /dev/null || true
  unset "PIDS[$name]"
}

# stop_all: every server still in PIDS.
stop_all() {
  local name
  for name in "${!PIDS[@]}"; do
    stop "$name"
  done
}
