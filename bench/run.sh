#!/usr/bin/env bash
# IsrProxy against nginx proxy_cache, Varnish and the origin direct, on this machine, in one run; writes
# bench/RESULTS.md and keeps every raw output in bench/out/. See bench/README.md.
#
#   bench/run.sh                   the full run (about 13 minutes on 2 cores)
#   BENCH_QUICK=1 bench/run.sh     short windows, fewer pages, one round: checks the harness end to end
#
# Servers (the origin, each cache, Redis) run pinned to core 0 and the load (wrk, LoadTool) to core 1. Every load
# loop is bounded in time, and everything started here is stopped on exit, failure or Ctrl-C.
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
OUT=$BENCH/out
RESULTS=$OUT/results.txt
NOTES=$OUT/notes.md
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if [ "${BENCH_QUICK:-0}" = 1 ]; then
  MODE=quick
  MANY=${BENCH_MANY:-5000}          # the large page set (20 KB pages)
  FEW=${BENCH_FEW:-1000}            # the small page sets (20 KB and 200 KB pages)
  DURATION=${BENCH_DURATION:-1}     # seconds of each measured wrk window
  WARMUP=${BENCH_WARMUP:-1}         # seconds of each target's unmeasured wrk run before a scenario
  JIT_WARMUP=${BENCH_JIT_WARMUP:-3} # seconds of load on each target before the first scenario (see jit_warmup)
  ROUNDS=${BENCH_ROUNDS:-1}         # A/B/A/B alternations
  STALE_KEYS=10
  MISS_DURATION=1
  PURGES=20
  BDN_ARGS=(--warmupCount 1 --iterationCount 3)
else
  MODE=full
  MANY=${BENCH_MANY:-100000}
  FEW=${BENCH_FEW:-1000}
  DURATION=${BENCH_DURATION:-2}
  WARMUP=${BENCH_WARMUP:-1}
  JIT_WARMUP=${BENCH_JIT_WARMUP:-8}
  ROUNDS=${BENCH_ROUNDS:-3}
  STALE_KEYS=20
  MISS_DURATION=2
  PURGES=100
  BDN_ARGS=()                       # the benchmark's own job: 3 warm-up and 15 measured iterations
fi
CONNS=(64 256)
# The paced HIT scenario: these many connections carry PACED_RATE requests a second on a fixed schedule, the same for
# every target, so that p99s are compared at one rate: about half of what nginx sustains on one core here, below
# every target's limit, with the load generator far from a full core. The HIT p99 targets are judged on it.
PACED_CONNS=(64 256)
PACED_RATE=${BENCH_PACED_RATE:-40000}
COLLAPSE=200
SERVER_CPU=0
LOAD_CPU=1
SECRET=bench-secret
# Room for every page of the identity run: MANY × 20 KB + FEW × 200 KB, with headroom.
CACHE_BYTES=$(( (MANY * 20 + FEW * 200) * 1024 * 2 + 268435456 ))
CACHE_MB=$(( CACHE_BYTES / 1048576 ))
BROWSER_ENCODING="gzip, br"

BASE=${BENCH_PORT_BASE:-18100}
ORIGIN_PORT=$BASE                    # identity origin
ORIGIN_GZ_PORT=$((BASE + 1))         # the same origin with --compress
declare -A PORT=(
  [isr]=$((BASE + 10)) [isr-redis]=$((BASE + 11)) [nginx]=$((BASE + 20)) [varnish]=$((BASE + 30))
  [isr-b]=$((BASE + 40)) [nginx-b]=$((BASE + 41)) [varnish-b]=$((BASE + 42)) [origin]=$ORIGIN_PORT
)
REDIS_PORT=$((BASE + 12))

ORIGIN_DLL=$BENCH/BenchOrigin/bin/Release/net10.0/BenchOrigin.dll
LOADTOOL_DLL=$BENCH/LoadTool/bin/Release/net10.0/LoadTool.dll
ISR_DLL=$ROOT/src/IsrProxy/bin/Release/net10.0/IsrProxy.dll

# What the Dockerfile's final stage sets for the runtime (a test keeps the two alike).
ISR_RUNTIME_ENV=(DOTNET_TC_CallCountingDelayMs=0)

declare -A PIDS=()
POLICY_CREATED=0

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
fail() { log "error: $*"; exit 1; }
note() { log "note: $*"; printf -- '- %s\n' "$*" >> "$NOTES"; }
record() { printf '%s\n' "$*" >> "$RESULTS"; }

# --- processes -------------------------------------------------------------------------------------------------

# start NAME COMMAND...: runs a server in its own process group (so its children are stopped with it), pinned to
# the server core, output in bench/out/NAME.log.
start() {
  local name=$1
  shift
  setsid taskset -c "$SERVER_CPU" "$@" > "$OUT/$name.log" 2>&1 < /dev/null &
  PIDS[$name]=$!
}

# on_cpu CPU NAMES...: moves every thread of these servers to CPU (a thread they start later inherits the affinity
# of the thread that starts it). Used around the fills, which are not measured: there the origins and Redis run on
# the load core, so that the cache being filled has the server core to itself and filling 100,000 pages takes less of
# the run. They are back on the server core before the first measured window.
on_cpu() {
  local cpu=$1 name try
  shift
  for name in "$@"; do
    [ -n "${PIDS[$name]:-}" ] || continue
    for try in 1 2 3; do
      # A thread that exits while taskset walks the process's threads makes it fail: walk them again.
      if taskset -a -p -c "$cpu" "${PIDS[$name]}" > /dev/null 2>&1; then continue 2; fi
      sleep 0.1
    done
    fail "could not move $name (pid ${PIDS[$name]}) to core $cpu"
  done
}

# shellcheck source=bench/lib/processes.sh
. "$BENCH/lib/processes.sh"

cleanup() {
  stop_all
  if [ "$POLICY_CREATED" = 1 ]; then
    rm -f /usr/sbin/policy-rc.d
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_open() { (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null; }

# wait_ready NAME PORT: waits until the server accepts connections; fails (1) when it exited or took over 60 s.
wait_ready() {
  local name=$1 port=$2 i
  for i in $(seq 1 300); do
    port_open "$port" && return 0
    kill -0 "${PIDS[$name]}" 2> /dev/null || return 1
    sleep 0.2
  done
  return 1
}

require_ready() {
  wait_ready "$1" "$2" || fail "$1 did not start on port $2; its log (bench/out/$1.log) ends with: $(tail -n 5 "$OUT/$1.log")"
}

# group_procs PGID: the /proc folder of every process in the process group, one per line.
group_procs() {
  local pgid=$1 dir stat
  for dir in /proc/[0-9]*; do
    { read -r stat < "$dir/stat"; } 2> /dev/null || continue
    stat=${stat##*) }
    set -- $stat
    if [ "${3:-}" = "$pgid" ]; then echo "$dir"; fi
  done
}

# rss_kb PGID: resident memory of every process in the group, in KiB.
rss_kb() {
  local total=0 dir rss key value unit
  for dir in $(group_procs "$1"); do
    rss=0
    {
      while read -r key value unit; do
        if [ "$key" = "VmRSS:" ]; then rss=$value; fi
      done < "$dir/status"
    } 2> /dev/null || true
    total=$((total + rss))
  done
  echo "$total"
}

# cpu_ticks PGID: user and system CPU time of every process in the group, in clock ticks ("USER SYS").
cpu_ticks() {
  local user=0 sys=0 dir stat
  for dir in $(group_procs "$1"); do
    { read -r stat < "$dir/stat"; } 2> /dev/null || continue
    stat=${stat##*) }
    set -- $stat
    user=$((user + ${12})) sys=$((sys + ${13}))
  done
  echo "$user $sys"
}

# core_ticks CORE: busy and total clock ticks of one core since boot, from /proc/stat ("BUSY TOTAL").
core_ticks() {
  local name user nice system idle iowait irq softirq steal rest
  while read -r name user nice system idle iowait irq softirq steal rest; do
    if [ "$name" = "cpu$1" ]; then
      echo "$((user + nice + system + irq + softirq + steal)) $((user + nice + system + idle + iowait + irq + softirq + steal))"
      return
    fi
  done < /proc/stat
  echo "0 0"
}

origin_count() { curl -sf "http://127.0.0.1:$1/_count/all"; }

# --- load --------------------------------------------------------------------------------------------------------

# loadtool LOGNAME ARGS...: runs LoadTool on the load core; prints the fields of its RESULT lines (one per target for
# `stale`, else one; empty on failure).
loadtool() {
  local logname=$1 deadline=600
  shift
  local output status=0
  output=$(timeout $((deadline + 30)) taskset -c "$LOAD_CPU" dotnet "$LOADTOOL_DLL" "$@" --deadline-seconds "$deadline" 2>&1) || status=$?
  printf '%s\n' "$output" >> "$OUT/raw/$logname.log"
  if [ "$status" != 0 ]; then
    note "LoadTool $1 ($logname) failed with exit code $status: $(printf '%s' "$output" | tail -n 1)"
  fi
  printf '%s\n' "$output" | sed -n 's/^RESULT //p'
}

# wrk_run LOGNAME SECONDS CONNECTIONS URL PREFIX COUNT CLIENT [RATE]: one bounded wrk window on the load core (with
# RATE, that many requests a second on a fixed schedule); prints its RESULT fields (empty on failure).
wrk_run() {
  local logname=$1 seconds=$2 conns=$3 url=$4 prefix=$5 count=$6 client=$7 rate=${8:-0} output status=0
  output=$(timeout $((seconds + 60)) taskset -c "$LOAD_CPU" wrk -t1 -c"$conns" -d"${seconds}s" --timeout 10s \
    -s "$BENCH/wrk/paths.lua" "$url" -- "$prefix" "$count" "$client" "$rate" 2>&1) || status=$?
  printf '== %s\n%s\n' "$logname" "$output" >> "$OUT/raw/wrk.log"
  if [ "$status" != 0 ]; then
    note "wrk ($logname) failed with exit code $status."
  fi
  printf '%s\n' "$output" | sed -n 's/^RESULT //p' | tail -n 1
}

# --- targets -----------------------------------------------------------------------------------------------------

start_origins() {
  start origin dotnet "$ORIGIN_DLL" --urls "http://127.0.0.1:$ORIGIN_PORT"
  start origin-gz dotnet "$ORIGIN_DLL" --urls "http://127.0.0.1:$ORIGIN_GZ_PORT" --compress
  require_ready origin "$ORIGIN_PORT"
  require_ready origin-gz "$ORIGIN_GZ_PORT"
}

# start_isr NAME ORIGIN_PORT [OPTIONS...]: IsrProxy with its request log turned down to warnings (as nginx's
# access_log off); run from the repository root, so it reads the root appsettings.json as `dotnet run` does, and with
# the runtime variables its container image sets (the Dockerfile's ENV lines).
start_isr() {
  local name=$1 origin=$2
  shift 2
  start "$name" env "${ISR_RUNTIME_ENV[@]}" dotnet "$ISR_DLL" "--Isr:Origin=http://127.0.0.1:$origin" "--Urls=http://127.0.0.1:${PORT[$name]}" \
    --Serilog:MinimumLevel:Default=Warning "--Isr:Store:MemoryMaxBytes=$CACHE_BYTES" "--Isr:Secret=$SECRET" "$@"
}

# start_nginx NAME ORIGIN_PORT
start_nginx() {
  local name=$1 origin=$2 dir=$OUT/$1 user=""
  rm -rf "$dir"
  mkdir -p "$dir/cache"
  if [ "$(id -u)" = 0 ]; then user="user root root;"; fi
  sed -e "s|@USER@|$user|; s|@OUT@|$dir|g; s|@ORIGIN@|127.0.0.1:$origin|; s|@LISTEN@|127.0.0.1:${PORT[$name]}|; s|@OPEN_FILES@|$OPEN_FILES|" \
    "$BENCH/nginx/nginx.conf.template" > "$dir/nginx.conf"
  nginx -t -q -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" || fail "nginx rejects $dir/nginx.conf: $(tail -n 3 "$dir/error.log")"
  start "$name" nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log"
}

# start_varnish NAME ORIGIN_PORT DO_GZIP
start_varnish() {
  local name=$1 origin=$2 gzip=$3 dir=$OUT/$1
  rm -rf "$dir"
  mkdir -p "$dir"
  sed -e "s|@ORIGIN_PORT@|$origin|; s|@DO_GZIP@|$gzip|" "$BENCH/varnish/bench.vcl.template" > "$dir/bench.vcl"
  varnishd -C -f "$dir/bench.vcl" -n "$dir/work" > "$dir/compiled.c" 2> "$dir/compile.log" \
    || fail "varnishd rejects $dir/bench.vcl: $(tail -n 5 "$dir/compile.log")"
  # One thread pool for one core, with a thread per connection the scenarios open (256, and 200 waiting misses).
  start "$name" varnishd -F -j none -T none -n "$dir/work" -a "127.0.0.1:${PORT[$name]}" -f "$dir/bench.vcl" \
    -s "malloc,${CACHE_MB}m" -p thread_pools=1 -p thread_pool_min=300 -p thread_pool_max=2000
}

# warm TARGET PHASE ORIGIN_PORT PREFIX COUNT CLIENT: requests every path once through the target, then checks a
# sample of them no longer reaches the origin.
warm() {
  local target=$1 phase=$2 origin=$3 prefix=$4 count=$5 client=$6 port=${PORT[$1]} result encoding=()
  local set=${prefix//\//}$count
  local name=${target%-b}
  if [ "$client" = browser ]; then encoding=(--encoding "$BROWSER_ENCODING"); fi
  log "warming $target: $count × $prefix"
  result=$(loadtool "warm-$target" warm --url "http://127.0.0.1:$port" --prefix "$prefix" --count "$count" --concurrency 32 "${encoding[@]}")
  record "kind=warm phase=$phase target=$name set=$set $result"
  result=$(loadtool "check-$target" check --url "http://127.0.0.1:$port" --origin "http://127.0.0.1:$origin" \
    --prefix "$prefix" --count "$count" --sample 200 "${encoding[@]}")
  record "kind=check phase=$phase target=$name set=$set $result"
  case " $result " in
    *" origin_requests=0 "*) ;;
    *) note "warm-up check of $name ($phase, $set): sampled paths still reached the origin ($result)." ;;
  esac
}

# jit_warmup PHASE CLIENT TARGETS...: JIT_WARMUP seconds of load on each target, unmeasured, before its first scenario.
# .NET compiles hot code in tiers (with profile-guided optimisation); on one busy core the final tier takes several
# seconds of load to arrive, and measuring before it does times a program still being compiled: measured here, the
# rate of a fresh IsrProxy stops rising after 3–4 s of load, so 8 s leaves it twice that. nginx and Varnish get the
# same load and are unaffected by it.
jit_warmup() {
  local phase=$1 client=$2 target
  shift 2
  log "warm-up under load, $JIT_WARMUP s per target: $*"
  for target in "$@"; do
    wrk_run "jitwarmup-$phase-$target" "$JIT_WARMUP" 64 "http://127.0.0.1:${PORT[$target]}" /s/ "$FEW" "$client" > /dev/null
  done
}

# hit_scenario PHASE PREFIX COUNT CONNS CLIENT RATE TARGETS...: each target's unmeasured warm-up window, then ROUNDS
# rounds that measure the targets in turn (A/B/C, A/B/C) and record how many requests reached the origin meanwhile.
# RATE 0 is the closed loop (kind=hit: each connection sends its next request as soon as an answer is in); above 0,
# RATE requests a second on a fixed schedule (kind=paced: every target offered the same rate).
hit_scenario() {
  local phase=$1 prefix=$2 count=$3 conns=$4 client=$5 rate=$6
  shift 6
  local set=${prefix//\//}$count kind=hit paced="" target port origin before after result round
  if [ "$rate" != 0 ]; then kind=paced paced=" rate=$rate"; fi
  log "HIT $phase $set at $conns connections${paced:+, paced at $rate requests/s}: $*"
  for target in "$@"; do
    wrk_run "warmup-$kind-$phase-$set-$conns-$target" "$WARMUP" "$conns" "http://127.0.0.1:${PORT[$target]}" "$prefix" "$count" "$client" "$rate" > /dev/null
  done
  for round in $(seq 1 "$ROUNDS"); do
    for target in "$@"; do
      origin=${ORIGIN_OF[$target]}
      before=$(origin_count "$origin")
      read -r user_before sys_before < <(cpu_ticks "${PIDS[$target]}")
      read -r load_busy_before load_total_before < <(core_ticks "$LOAD_CPU")
      result=$(wrk_run "$kind-$phase-$set-$conns-$target-$round" "$DURATION" "$conns" "http://127.0.0.1:${PORT[$target]}" "$prefix" "$count" "$client" "$rate")
      read -r load_busy_after load_total_after < <(core_ticks "$LOAD_CPU")
      read -r user_after sys_after < <(cpu_ticks "${PIDS[$target]}")
      after=$(origin_count "$origin")
      if [ -n "$result" ]; then
        record "kind=$kind phase=$phase set=$set conns=$conns$paced target=${target%-b} round=$round $result origin_requests=$((after - before))" \
          "cpu_user_ticks=$((user_after - user_before)) cpu_sys_ticks=$((sys_after - sys_before)) clock_ticks=$CLOCK_TICKS" \
          "load_busy_ticks=$((load_busy_after - load_busy_before)) load_total_ticks=$((load_total_after - load_total_before))"
      fi
    done
  done
}

memory_before() { MEM_BEFORE[$1]=$(rss_kb "${PIDS[$1]}"); }

memory_after() {
  local target=$1 entries=$2 extra=${3:-}
  record "kind=memory target=$target entries=$entries body_bytes=20480 before_kb=${MEM_BEFORE[$target]} after_kb=$(rss_kb "${PIDS[$target]}") $extra"
}

redis_used_kb() { redis-cli -p "$REDIS_PORT" info memory | sed -n 's/^used_memory:\([0-9]*\).*/\1/p' | awk '{ print int($1 / 1024) }'; }

# --- steps -------------------------------------------------------------------------------------------------------

install_packages() {
  local need=()
  command -v wrk > /dev/null || need+=(wrk)
  command -v nginx > /dev/null || need+=(nginx)
  command -v varnishd > /dev/null || need+=(varnish)
  command -v redis-server > /dev/null || need+=(redis-server)
  command -v curl > /dev/null || need+=(curl)
  [ "${#need[@]}" -gt 0 ] || return 0
  [ "$(id -u)" = 0 ] || fail "installing ${need[*]} needs root (apt-get); run as root or install them first."
  log "installing ${need[*]}"
  # Keep Debian from starting the packaged services on their default ports: this script runs its own instances.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    POLICY_CREATED=1
  fi
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}"
  if [ "$POLICY_CREATED" = 1 ]; then
    rm -f /usr/sbin/policy-rc.d
    POLICY_CREATED=0
  fi
  if [ -d /run/systemd/system ]; then
    local service
    for service in nginx varnish varnishncsa redis-server; do
      systemctl disable --now "$service" > /dev/null 2>&1 || true
    done
  fi
}

build() {
  command -v dotnet > /dev/null || fail "the .NET 10 SDK (dotnet) is required; see the README's quickstart."
  log "building (Release)"
  local project
  for project in "$ROOT/src/IsrProxy" "$BENCH/BenchOrigin" "$BENCH/LoadTool"; do
    dotnet build "$project" -c Release -m:1 -nologo -v q > "$OUT/build-$(basename "$project").log" 2>&1 \
      || fail "building $project failed; see bench/out/build-$(basename "$project").log"
  done
}

check_ports() {
  local name
  for name in "${!PORT[@]}"; do
    if port_open "${PORT[$name]}"; then
      fail "port ${PORT[$name]} ($name) is in use; set BENCH_PORT_BASE to another base port"
    fi
  done
  if port_open "$REDIS_PORT" || port_open "$ORIGIN_GZ_PORT"; then
    fail "port $REDIS_PORT or $ORIGIN_GZ_PORT is in use; set BENCH_PORT_BASE to another base port"
  fi
}

hit_path_benchmark() {
  log "BenchmarkDotNet: HIT path allocations (HitPathBenchmarks)"
  if ! (cd "$BENCH/IsrProxy.Benchmarks" && timeout 900 dotnet run -c Release -- --filter '*HitPathBenchmarks*' \
      --artifacts "$OUT/bdn" --exporters json "${BDN_ARGS[@]}") > "$OUT/bdn.log" 2>&1; then
    note "HitPathBenchmarks failed; see bench/out/bdn.log."
  fi
}

write_machine() {
  local cpu mem
  cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -n 1)
  mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
  {
    echo "| | |"
    echo "|:--|:--|"
    echo "| date | $(date -u '+%Y-%m-%d %H:%M UTC') |"
    echo "| CPU | ${cpu:-unknown}, $(nproc) cores |"
    echo "| memory | $mem |"
    echo "| system | $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r) |"
    echo "| .NET | SDK $(dotnet --version), runtime $(dotnet --list-runtimes | sed -n 's/^Microsoft.AspNetCore.App \([^ ]*\).*/\1/p' | tail -n 1) (ASP.NET Core) |"
    echo "| IsrProxy | commit $(git -C "$ROOT" describe --always --dirty 2> /dev/null || echo unknown) |"
    echo "| nginx | $(nginx -v 2>&1 | sed 's/^nginx version: //') |"
    echo "| Varnish | $(varnishd -V 2>&1 | head -n 1 | sed 's/ revision.*//; s/^varnishd (//') |"
    echo "| wrk | $(wrk -v 2>&1 | head -n 1 | awk '{ print $2 }') |"
    echo "| Redis | $(redis-server --version | awk '{ print $3 }' | sed 's/^v=//') |"
  } > "$OUT/machine.md"
}

write_settings() {
  local redis_line=$1 isr_b_line=$2
  cat > "$OUT/settings.md" << EOF
- Mode: **$MODE**. Servers (origin, caches, Redis) pinned to core $SERVER_CPU with \`taskset\`; the load generator
  (wrk 1 thread, LoadTool) to core $LOAD_CPU. Loopback only.
- HIT windows: $DURATION s measured per target and scenario, after a $WARMUP s unmeasured run of each target
  (and, before the first scenario of each client kind, $JIT_WARMUP s of unmeasured load on every target, so that
  .NET's tiered compilation has finished before IsrProxy is timed);
  $ROUNDS round(s) alternating the targets (A, B, C, A, B, C); figures are medians over rounds. Connections: ${CONNS[*]},
  each sending its next request as soon as an answer is in (closed loop: each target at the rate it sustains).
- Paced HIT: ${PACED_CONNS[*]} connections on $FEW × 20 KB pages carrying $PACED_RATE requests/s on a fixed schedule, the
  same for every target (\`wrk/paths.lua\`: each request waits for its slot; the wait is not part of the latency);
  windows and rounds as above. The HIT p99 targets are judged here, at one offered rate.
- Page sets: $FEW × 20 KB, $FEW × 200 KB and $MANY × 20 KB, for identity and for browser-like clients. Each set is
  requested once through every target before measuring (LoadTool \`warm\`; the $FEW × 20 KB set is part of the
  $MANY), and a sample of 200 is then checked to no longer reach the origin. While the caches fill, the origins and
  Redis run on core $LOAD_CPU, back on core $SERVER_CPU before the first measured window. $MANY × 200 KB pages (20 GB
  per cache) do not fit.
- Origin: \`bench/BenchOrigin\` (Kestrel), pages public for an hour; \`/slow\` pages 200 ms and fresh for 1 s; \`/hot\`
  pages 200 ms. For browser-like clients nginx sits in front of the origin compressing (\`--compress\`: br or gzip,
  \`Vary: Accept-Encoding\`), Varnish in front of the identity origin with \`beresp.do_gzip\`, IsrProxy $isr_b_line.
- IsrProxy: Release build, memory store bounded at $CACHE_MB MB, logs at Warning (its one line per request at
  Information is off, as nginx's \`access_log off\`), the repository's appsettings.json otherwise. Redis + L1: $redis_line
- nginx: \`bench/nginx/nginx.conf.template\`: 1 worker, \`access_log off\`, \`proxy_cache\` on disk under bench/out with
  a 128 MB keys zone, \`proxy_cache_use_stale updating error timeout\`, \`proxy_cache_background_update on\`,
  \`proxy_cache_lock on\`, keepalive upstream, \`open_file_cache\`, Accept-Encoding reduced to one coding in the key,
  \`sendfile on\` (Debian's default; with it nginx 1.22 sends a STALE answer only once its background update is done,
  which shows in the STALE table; with \`sendfile off\` it would answer at once).
- Varnish: \`bench/varnish/bench.vcl.template\`: \`beresp.grace = 1h\`, malloc storage $CACHE_MB MB, one thread pool of
  300–2000 threads.
- STALE: after an unmeasured round of 100 pages on each IsrProxy target (.NET's tiered compilation of the STALE path)
  and one of 5 pages per target, $STALE_KEYS pages per target and round, filled through every
  target at once and first requested from 2.5 s after their fill (nginx counts lifetimes in whole seconds, so a 1 s
  lifetime can last up to 2 s there), one target after another, each 0.5 s after the last one's regenerations began
  and after three untimed hits on \`/s/0\`. Misses: $COLLAPSE concurrent requests per target and round. MISS overhead:
  1 connection, $MISS_DURATION s per target and round. Tag purge: $PURGES purges of each tag, the two tags in turn.
EOF
}

# --- the run -----------------------------------------------------------------------------------------------------

started_at=$SECONDS
CLOCK_TICKS=$(getconf CLK_TCK)
cd "$ROOT"
hard_files=$(ulimit -Hn)
if [ "$hard_files" = unlimited ] || [ "$hard_files" -gt 65536 ]; then hard_files=65536; fi
ulimit -n "$hard_files" 2> /dev/null || true
# nginx keeps at most this many cache files open (open_file_cache), leaving the rest of its descriptors to sockets.
OPEN_FILES=$(( $(ulimit -n) / 2 < 10000 ? $(ulimit -n) / 2 : 10000 ))
[ "$(nproc)" -ge 2 ] || fail "this benchmark needs 2 cores (one for the servers, one for the load); nproc says $(nproc)."
rm -rf "$OUT"
mkdir -p "$OUT/raw"
: > "$RESULTS"
: > "$NOTES"
log "mode $MODE: $MANY + $FEW pages, ${DURATION}s windows, $ROUNDS round(s); output in bench/out/"

install_packages
check_ports
build
write_machine
hit_path_benchmark

declare -A ORIGIN_OF=([isr]=$ORIGIN_PORT [isr-redis]=$ORIGIN_PORT [nginx]=$ORIGIN_PORT [varnish]=$ORIGIN_PORT [origin]=$ORIGIN_PORT
  [nginx-b]=$ORIGIN_GZ_PORT [varnish-b]=$ORIGIN_PORT [isr-b]=$ORIGIN_PORT)
declare -A MEM_BEFORE=()
start_origins

# Identity clients: IsrProxy (memory), IsrProxy (Redis + L1), nginx, Varnish, all in front of the identity origin.
log "identity run: starting the targets"
start_isr isr "$ORIGIN_PORT"
start_nginx nginx "$ORIGIN_PORT"
start_varnish varnish "$ORIGIN_PORT" false
start redis redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no --dir "$OUT"
require_ready isr "${PORT[isr]}"
require_ready nginx "${PORT[nginx]}"
require_ready varnish "${PORT[varnish]}"
require_ready redis "$REDIS_PORT"
start_isr isr-redis "$ORIGIN_PORT" --Isr:Store:Kind=Redis "--Isr:Store:Redis=127.0.0.1:$REDIS_PORT" --Isr:Store:KeyPrefix=bench: "--Isr:Store:L1MaxBytes=$CACHE_BYTES"
TARGETS=(isr nginx varnish)
redis_line="not measured."
on_cpu "$LOAD_CPU" origin origin-gz redis
if wait_ready isr-redis "${PORT[isr-redis]}"; then
  warm isr-redis identity "$ORIGIN_PORT" /l/ "$FEW" identity
  keys=0
  for i in $(seq 1 10); do
    keys=$(redis-cli -p "$REDIS_PORT" dbsize)
    if [ "$keys" -gt 0 ]; then break; fi
    sleep 0.2
  done
  if [ "$keys" -gt 0 ]; then
    TARGETS=(isr isr-redis nginx varnish)
    redis_line="\`Isr:Store:Kind=Redis\`, redis-server $(redis-server --version | awk '{ print $3 }' | sed 's/^v=//') on core $SERVER_CPU with no persistence, L1 bounded like the memory store."
  else
    note "IsrProxy accepted \`Isr:Store:Kind=Redis\` but wrote nothing to Redis (\`dbsize\` 0 after $FEW pages): this build has no Redis store yet, so the Redis + L1 target is skipped."
    redis_line="skipped: this build has no Redis store (see the notes)."
  fi
else
  note "IsrProxy did not start with \`Isr:Store:Kind=Redis\` (skipped the Redis + L1 target): $(grep -v '^\s*$' "$OUT/isr-redis.log" | tail -n 3 | tr '\n' ' ')"
  redis_line="skipped: the product refused the Redis store kind (see the notes)."
fi
if [ "${TARGETS[1]}" != isr-redis ]; then
  stop isr-redis
  stop redis
fi

for target in "${TARGETS[@]}"; do
  if [ "$target" != isr-redis ]; then warm "$target" identity "$ORIGIN_PORT" /l/ "$FEW" identity; fi
  memory_before "$target"
  if [ "$target" = isr-redis ]; then MEM_BEFORE[redis]=$(redis_used_kb); fi
  if [ "$target" = nginx ]; then nginx_disk_before=$(du -sk "$OUT/nginx/cache" | cut -f1); fi
  warm "$target" identity "$ORIGIN_PORT" /s/ "$MANY" identity
  case $target in
    nginx) memory_after nginx "$MANY" "bodies=disk disk_kb=$(( $(du -sk "$OUT/nginx/cache" | cut -f1) - nginx_disk_before ))" ;;
    isr-redis)
      memory_after isr-redis "$MANY"
      record "kind=memory target=isr-redis what=redis entries=$MANY body_bytes=20480 before_kb=${MEM_BEFORE[redis]} after_kb=$(redis_used_kb)"
      ;;
    *) memory_after "$target" "$MANY" ;;
  esac
done

on_cpu "$SERVER_CPU" origin origin-gz redis
jit_warmup identity identity "${TARGETS[@]}"
for set in "/s/ $FEW" "/l/ $FEW" "/s/ $MANY"; do
  for conns in "${CONNS[@]}"; do
    hit_scenario identity ${set% *} ${set#* } "$conns" identity 0 "${TARGETS[@]}"
  done
done
for conns in "${PACED_CONNS[@]}"; do
  hit_scenario identity /s/ "$FEW" "$conns" identity "$PACED_RATE" "${TARGETS[@]}"
done

log "STALE first request, $STALE_KEYS pages per target"
# An unmeasured round first, as every HIT scenario has its warm-up: the first regenerations of a process compile
# their code, on the same core as the requests being timed.
# The pages of every target are filled at once and share the wait; then each target's first requests are timed in
# turn, after the regenerations the one before started have finished, and after three untimed hits on /s/0 (after
# the wait, the first request of any kind takes several milliseconds: client and server waking up).
# url_list TARGETS...: "name=http://127.0.0.1:PORT," for each, as LoadTool's --targets takes them.
url_list() {
  local target
  for target in "$@"; do printf '%s=http://127.0.0.1:%s,' "$target" "${PORT[$target]}"; done
}
stale_targets=$(url_list "${TARGETS[@]}")
# .NET compiles the STALE path, and the regeneration behind it, in tiers, as it does the HIT path (see jit_warmup):
# measured here, after 5 unmeasured pages a fresh IsrProxy's STALE p99 over rounds of 20 pages was 1.6–2.6 ms for
# three rounds, then 0.6–0.9 ms; after 100, five rounds of six were at 0.6–0.9 ms. So the IsrProxy targets first
# answer 100 pages unmeasured; nginx and Varnish compile nothing while running, and every target gets the round of 5.
jit_targets=$(for target in "${TARGETS[@]}"; do case $target in isr*) url_list "$target" ;; esac; done)
if [ -n "$jit_targets" ]; then
  loadtool stale-jit stale --targets "$jit_targets" --key jit --keys 100 --wait-ms 2500 --wake /s/0 > /dev/null
fi
loadtool stale-warmup stale --targets "$stale_targets" --key warmup --keys 5 --wait-ms 2500 --wake /s/0 > /dev/null
for round in $(seq 1 "$ROUNDS"); do
  while read -r result; do
    if [ -n "$result" ]; then record "kind=stale round=$round $result"; fi
  done < <(loadtool "stale-$round" stale --targets "$stale_targets" --key "round$round" --keys "$STALE_KEYS" --wait-ms 2500 --wake /s/0)
done

log "$COLLAPSE concurrent misses on one path"
for round in $(seq 1 "$ROUNDS"); do
  for target in "${TARGETS[@]}"; do
    result=$(loadtool "collapse-$target" collapse --url "http://127.0.0.1:${PORT[$target]}" --origin "http://127.0.0.1:$ORIGIN_PORT" \
      --key "$target-$round" --concurrency "$COLLAPSE" --prime /s/0)
    if [ -n "$result" ]; then record "kind=collapse target=$target round=$round $result"; fi
  done
done

log "MISS overhead against the origin direct"
for round in $(seq 1 "$ROUNDS"); do
  for target in origin "${TARGETS[@]}"; do
    result=$(wrk_run "miss-$target-$round" "$MISS_DURATION" 1 "http://127.0.0.1:${PORT[$target]}" "/m/$target-$round-" 0 identity)
    if [ -n "$result" ]; then record "kind=miss target=$target round=$round $result"; fi
  done
done

log "tag purge: one entry against every entry"
entries=$(curl -sf -H "Authorization: Bearer $SECRET" "http://127.0.0.1:${PORT[isr]}/_isr/stats" | grep -o '"entries":[0-9]*' | head -n 1 | cut -d: -f2)
# First, that the purge works: after purging tag s-1, /s/1 is stale and /s/2 still fresh.
curl -sf -o /dev/null -X POST -H "Authorization: Bearer $SECRET" "http://127.0.0.1:${PORT[isr]}/_revalidate/tag/s-1" \
  || note "POST /_revalidate/tag/s-1 failed."
cache_class() { curl -s -o /dev/null -D - "http://127.0.0.1:${PORT[isr]}$1" | tr -d '\r' | sed -n 's/^[Xx]-[Ii]sr-[Cc]ache: //p'; }
class1=$(cache_class /s/1)
class2=$(cache_class /s/2)
if [ "$class1" != STALE ] || [ "$class2" != HIT ]; then
  note "after purging tag s-1, /s/1 was answered ${class1:-without X-Isr-Cache} and /s/2 ${class2:-without X-Isr-Cache}, not STALE and HIT."
fi
# Then the two tags in turn (s-1, bench, s-1, ...), so that a slow spell of the machine touches both alike.
while read -r result; do
  case " $result " in
    *" tag=s-1 "*) record "kind=purge target=isr entries=1 $result" ;;
    *" tag=bench "*) record "kind=purge target=isr entries=${entries:-0} $result" ;;
  esac
done < <(loadtool purge purge --url "http://127.0.0.1:${PORT[isr]}" --secret "$SECRET" --tags s-1,bench --count "$PURGES")

for target in "${TARGETS[@]}"; do stop "$target"; done
stop redis
rm -rf "$OUT/nginx/cache"     # the cached bodies (GBs in a full run); its configuration and logs stay

# Browser-like clients: nginx in front of the compressing origin, Varnish compressing itself, IsrProxy compressing
# itself when the build does (else in front of the compressing origin too).
log "browser-like run: starting the targets"
start_isr isr-b "$ORIGIN_PORT"
start_nginx nginx-b "$ORIGIN_GZ_PORT"
start_varnish varnish-b "$ORIGIN_PORT" true
require_ready isr-b "${PORT[isr-b]}"
require_ready nginx-b "${PORT[nginx-b]}"
require_ready varnish-b "${PORT[varnish-b]}"
isr_b_line="compressing the identity origin's pages itself"
curl -sf -o /dev/null -H "Accept-Encoding: $BROWSER_ENCODING" "http://127.0.0.1:${PORT[isr-b]}/s/0"
coding=$(curl -sf -o /dev/null -D - -H "Accept-Encoding: $BROWSER_ENCODING" "http://127.0.0.1:${PORT[isr-b]}/s/0" | tr -d '\r' | sed -n 's/^[Cc]ontent-[Ee]ncoding: //p')
if [ -z "$coding" ]; then
  note "IsrProxy answered a browser-like client in front of the identity origin without Content-Encoding (this build does not compress): it was measured in front of the compressing origin, like nginx."
  stop isr-b
  ORIGIN_OF[isr-b]=$ORIGIN_GZ_PORT
  start_isr isr-b "$ORIGIN_GZ_PORT"
  require_ready isr-b "${PORT[isr-b]}"
  isr_b_line="in front of the compressing origin (this build does not compress; see the notes)"
fi
BROWSER_TARGETS=(isr-b nginx-b varnish-b)
on_cpu "$LOAD_CPU" origin origin-gz
for target in "${BROWSER_TARGETS[@]}"; do
  warm "$target" browser "${ORIGIN_OF[$target]}" /l/ "$FEW" browser
  warm "$target" browser "${ORIGIN_OF[$target]}" /s/ "$MANY" browser
done
on_cpu "$SERVER_CPU" origin origin-gz
jit_warmup browser browser "${BROWSER_TARGETS[@]}"
for set in "/s/ $FEW" "/l/ $FEW" "/s/ $MANY"; do
  for conns in "${CONNS[@]}"; do
    hit_scenario browser ${set% *} ${set#* } "$conns" browser 0 "${BROWSER_TARGETS[@]}"
  done
done
for conns in "${PACED_CONNS[@]}"; do
  hit_scenario browser /s/ "$FEW" "$conns" browser "$PACED_RATE" "${BROWSER_TARGETS[@]}"
done
for target in "${BROWSER_TARGETS[@]}"; do stop "$target"; done
rm -rf "$OUT/nginx-b/cache"
stop origin
stop origin-gz

write_settings "$redis_line" "$isr_b_line"
elapsed=$((SECONDS - started_at))
taskset -c "$LOAD_CPU" dotnet "$LOADTOOL_DLL" report --results "$RESULTS" --machine "$OUT/machine.md" \
  --settings "$OUT/settings.md" --notes "$NOTES" --bdn "$OUT/bdn/results" --mode "$MODE" \
  --duration "$((elapsed / 60)) min $((elapsed % 60)) s" --out "$BENCH/RESULTS.md"
log "done in $((elapsed / 60)) min $((elapsed % 60)) s: bench/RESULTS.md"
