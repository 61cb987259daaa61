#!/usr/bin/env bash
# HIT throughput of IsrProxy in front of a real `next start` against `next start` alone, in one run, on this machine;
# writes bench/results/nextjs.md. The site is integrations/nextjs/e2e (Next.js 16, built here with `next build`); its
# data server, `next start` and the proxy (Release) run on free loopback ports. A few ISR pages are requested through
# the proxy until it answers them HIT, then wrk requests the same pages round-robin from `next start` directly and
# through the proxy, in alternating windows (next, proxy, proxy, next, ...). See bench/README.md.
#
#   bench/nextjs.sh
#   NEXTJS_BENCH_SECONDS=5 NEXTJS_BENCH_ROUNDS=6 NEXTJS_BENCH_CONNECTIONS=32 bench/nextjs.sh
#   NEXTJS_BENCH_BUILD=0 bench/nextjs.sh      reuse the site's existing .next build (next build otherwise)
#   NEXTJS_BENCH_PAGES="/items/a /" bench/nextjs.sh   other pages (each must be answered HIT by the proxy)
#
# With 2 or more cores the servers run pinned to core 0 and wrk (one thread) to core 1. Everything started here is
# stopped on exit, failure or Ctrl-C; logs and raw wrk output go to bench/out/nextjs/ (not committed).
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
PKG=$ROOT/integrations/nextjs
SITE=$PKG/e2e
OUT=$BENCH/out/nextjs
RESULTS_MD=$BENCH/results/nextjs.md
ISR_DLL=$ROOT/src/IsrProxy/bin/Release/net10.0/IsrProxy.dll
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 NEXT_TELEMETRY_DISABLED=1

SECONDS_PER_RUN=${NEXTJS_BENCH_SECONDS:-5}   # seconds of each measured wrk window
ROUNDS=${NEXTJS_BENCH_ROUNDS:-6}             # each round measures both targets; odd rounds next first, even proxy first
CONNS=${NEXTJS_BENCH_CONNECTIONS:-32}        # keep-alive connections of every window
# Seconds of unmeasured load on each target before the first round. Measured here, `next start` serving these pages
# went from about 300 to about 950 requests/s over its first 10-12 s of load, then held; the proxy is steady sooner.
WARMUP=${NEXTJS_BENCH_WARMUP:-15}
BUILD_SITE=${NEXTJS_BENCH_BUILD:-1}          # 0: reuse the site's .next when it has one
GOAL=20                                      # IsrProxy HIT requests/s at least this many times next start's
read -r -a PAGES <<< "${NEXTJS_BENCH_PAGES:-/items/a /items/b /posts/x /}"   # ISR pages of the site, requested in turn
SECRET="bench-$RANDOM$RANDOM"
# What the Dockerfile's final stage sets for the runtime, as bench/run.sh starts the proxy.
ISR_RUNTIME_ENV=(DOTNET_TC_CallCountingDelayMs=0)

declare -A PIDS=()
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
fail() {
  log "error: $*"
  exit 1
}

# --- processes -----------------------------------------------------------------------------------------------------

PINNED=0
if [ "$(nproc)" -ge 2 ]; then PINNED=1; fi
SERVER_PIN=()
LOAD_PIN=()
if [ "$PINNED" = 1 ]; then
  SERVER_PIN=(taskset -c 0)
  LOAD_PIN=(taskset -c 1)
fi

# start NAME DIR COMMAND...: a server in its own process group (its children are stopped with it), pinned to the
# server core, run from DIR, output in bench/out/nextjs/NAME.log.
start() {
  local name=$1 dir=$2
  shift 2
  (cd "$dir" && exec setsid "${SERVER_PIN[@]}" "$@") > "$OUT/$name.log" 2>&1 < /dev/null &
  PIDS[$name]=$!
}

# shellcheck source=bench/lib/processes.sh
. "$BENCH/lib/processes.sh"

cleanup() {
  stop_all
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_http NAME URL: waits (up to 120 s) until URL answers; fails when the server exited or never answered.
wait_http() {
  local name=$1 url=$2 i
  for i in $(seq 1 240); do
    if curl -s -o /dev/null --max-time 5 "$url"; then return 0; fi
    if ! kill -0 "${PIDS[$name]}" 2> /dev/null; then
      tail -n 20 "$OUT/$name.log" >&2 || true
      fail "$name exited before answering $url; see bench/out/nextjs/$name.log"
    fi
    sleep 0.5
  done
  fail "$name did not answer $url within 120 s; see bench/out/nextjs/$name.log"
}

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

# --- load ----------------------------------------------------------------------------------------------------------

# wrk_run LOGNAME SECONDS URL: one bounded wrk window on the load core over PAGES; prints its RESULT fields.
wrk_run() {
  local logname=$1 seconds=$2 url=$3 output status=0
  output=$(timeout $((seconds + 60)) "${LOAD_PIN[@]}" wrk -t1 -c"$CONNS" -d"${seconds}s" --timeout 10s \
    -s "$BENCH/wrk/paths.lua" "$url" -- list "${PAGES[@]}" 2>&1) || status=$?
  printf '== %s\n%s\n' "$logname" "$output" >> "$OUT/wrk.log"
  [ "$status" = 0 ] || fail "wrk ($logname) failed with exit code $status; see bench/out/nextjs/wrk.log"
  printf '%s\n' "$output" | sed -n 's/^RESULT //p' | tail -n 1
}

field() { # field NAME "k=v k=v ...": the value of NAME
  printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# probe URL: one GET; sets STATUS (empty when no answer) and CLASS (the X-Isr-Cache header, empty when absent).
probe() {
  local head
  head=$(curl -s -o /dev/null -D - --max-time 10 "$1" | tr -d '\r') || true
  STATUS=$(printf '%s\n' "$head" | sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p')
  CLASS=$(printf '%s\n' "$head" | sed -n 's/^[Xx]-[Ii]sr-[Cc]ache: *//p' | head -n 1)
}

# isr_requests: "CLASS=count ..." from the proxy's isr_requests_total series.
isr_requests() {
  curl -s --max-time 10 "$PROXY_URL/metrics" \
    | sed -n 's/^isr_requests_total{.*cache_class="\([A-Z]*\)".*} \([0-9.e+]*\).*/\1 \2/p' \
    | awk '{ n[$1] += $2 } END { for (c in n) printf "%s=%.0f\n", c, n[c] }' | sort
}

median() { # median NUMBERS...
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

num() { # num VALUE DECIMALS: thousands separators for integers, fixed decimals otherwise
  if [ "$2" = 0 ]; then
    printf '%.0f' "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'
  else
    printf "%.$2f" "$1"
  fi
}

# --- setup ---------------------------------------------------------------------------------------------------------

started_at=$SECONDS
rm -rf "$OUT"
mkdir -p "$OUT" "$(dirname "$RESULTS_MD")"

need=()
command -v wrk > /dev/null || need+=(wrk)
command -v curl > /dev/null || need+=(curl)
if [ "${#need[@]}" -gt 0 ]; then
  [ "$(id -u)" = 0 ] || fail "installing ${need[*]} needs root (apt-get); run as root or install them first."
  log "installing ${need[*]}"
  apt-get update -q > "$OUT/apt.log" 2>&1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >> "$OUT/apt.log" 2>&1 \
    || fail "apt-get install ${need[*]} failed; see bench/out/nextjs/apt.log"
fi
command -v node > /dev/null || fail "Node.js 20.9 or later is required (node, npm)."
command -v dotnet > /dev/null || fail "the .NET 10 SDK (dotnet) is required; see the README's quickstart."

log "installing the package and the site (npm ci)"
(cd "$PKG" && npm ci --no-audit --no-fund > "$OUT/npm-package.log" 2>&1 && npm run build >> "$OUT/npm-package.log" 2>&1) \
  || fail "npm ci / build in integrations/nextjs failed; see bench/out/nextjs/npm-package.log"
(cd "$SITE" && npm ci --no-audit --no-fund > "$OUT/npm-site.log" 2>&1) \
  || fail "npm ci in integrations/nextjs/e2e failed; see bench/out/nextjs/npm-site.log"

log "building the proxy (Release)"
dotnet build "$ROOT/src/IsrProxy" -c Release -nologo -v q > "$OUT/proxy-build.log" 2>&1 \
  || fail "building src/IsrProxy failed; see bench/out/nextjs/proxy-build.log"

DATA_PORT=$(free_port)
NEXT_PORT=$(free_port)
PROXY_PORT=$(free_port)
while [ "$NEXT_PORT" = "$DATA_PORT" ]; do NEXT_PORT=$(free_port); done
while [ "$PROXY_PORT" = "$DATA_PORT" ] || [ "$PROXY_PORT" = "$NEXT_PORT" ]; do PROXY_PORT=$(free_port); done
DATA_URL="http://127.0.0.1:$DATA_PORT"
NEXT_URL="http://127.0.0.1:$NEXT_PORT"
PROXY_URL="http://127.0.0.1:$PROXY_PORT"

start data "$SITE" env DATA_PORT="$DATA_PORT" node data-server.mjs
wait_http data "$DATA_URL/renders/x"

if [ "$BUILD_SITE" = 0 ] && [ -f "$SITE/.next/BUILD_ID" ]; then
  log "reusing the site's build (.next/BUILD_ID $(cat "$SITE/.next/BUILD_ID"))"
else
  log "next build"
  (cd "$SITE" && env -u ISRPROXY_URL DATA_URL="$DATA_URL" node node_modules/next/dist/bin/next build > "$OUT/next-build.log" 2>&1) \
    || { tail -n 30 "$OUT/next-build.log" >&2; fail "next build failed; see bench/out/nextjs/next-build.log"; }
fi

log "next start on $NEXT_URL, the proxy on $PROXY_URL"
start next "$SITE" env DATA_URL="$DATA_URL" ISRPROXY_URL="$PROXY_URL" ISRPROXY_SECRET="$SECRET" \
  node node_modules/next/dist/bin/next start -H 127.0.0.1 -p "$NEXT_PORT"
wait_http next "$NEXT_URL/"
start proxy "$ROOT" env "${ISR_RUNTIME_ENV[@]}" dotnet "$ISR_DLL" "--Isr:Origin=$NEXT_URL" "--Isr:Secret=$SECRET" \
  --Isr:NextJs:Enabled=true "--Urls=$PROXY_URL" --Serilog:MinimumLevel:Default=Warning
wait_http proxy "$PROXY_URL/healthz"

# --- warm-up and checks ---------------------------------------------------------------------------------------------

log "warming ${PAGES[*]} through the proxy"
for page in "${PAGES[@]}"; do
  CLASS=""
  for try in $(seq 1 20); do
    probe "$PROXY_URL$page"
    [ "$STATUS" = 200 ] || [ -z "$STATUS" ] || fail "the proxy answered $page with status $STATUS, not 200; see bench/out/nextjs/*.log"
    if [ "$CLASS" = HIT ]; then break; fi
    sleep 0.5
  done
  [ "$CLASS" = HIT ] || fail "the proxy never answered $page HIT (last X-Isr-Cache: '${CLASS:-none}', status ${STATUS:-none}); nothing measured"
  probe "$NEXT_URL$page"
  [ "$STATUS" = 200 ] || fail "next start answered $page with status ${STATUS:-none}, not 200"
  log "  $page: proxy HIT, next start 200"
done

loadavg_before=$(cut -d' ' -f1 /proc/loadavg)
log "unmeasured load, $WARMUP s per target (JIT of both runtimes)"
wrk_run warmup-next "$WARMUP" "$NEXT_URL" > /dev/null
wrk_run warmup-proxy "$WARMUP" "$PROXY_URL" > /dev/null
for page in "${PAGES[@]}"; do
  probe "$PROXY_URL$page"
  [ "$CLASS" = HIT ] || fail "after the warm-up the proxy answered $page '${CLASS:-without X-Isr-Cache}' (status ${STATUS:-none}), not HIT; nothing measured"
done

# --- measured rounds ------------------------------------------------------------------------------------------------

declare -A RPS=() P50=() P99=() BYTES=()
problems=()
metrics_before=$(isr_requests)
for round in $(seq 1 "$ROUNDS"); do
  if [ $((round % 2)) = 1 ]; then order=(next proxy); else order=(proxy next); fi
  for target in "${order[@]}"; do
    if [ "$target" = next ]; then url=$NEXT_URL; else url=$PROXY_URL; fi
    result=$(wrk_run "round$round-$target" "$SECONDS_PER_RUN" "$url")
    [ -n "$result" ] || fail "wrk printed no result for round $round, $target; see bench/out/nextjs/wrk.log"
    RPS[$round,$target]=$(field rps "$result")
    P50[$round,$target]=$(field p50_ms "$result")
    P99[$round,$target]=$(field p99_ms "$result")
    BYTES[$round,$target]=$(awk -v b="$(field bytes "$result")" -v n="$(field requests "$result")" 'BEGIN { printf "%.0f", (n > 0 ? b / n : 0) }')
    errors=$(field errors "$result")
    non2xx=$(field non2xx "$result")
    if [ "$errors" != 0 ] || [ "$non2xx" != 0 ]; then
      problems+=("round $round, $target: $errors socket errors, $non2xx answers not 2xx/3xx")
    fi
    log "round $round $target: $(num "${RPS[$round,$target]}" 0) requests/s, p50 ${P50[$round,$target]} ms, p99 ${P99[$round,$target]} ms"
  done
done
metrics_after=$(isr_requests)
loadavg_after=$(cut -d' ' -f1 /proc/loadavg)

# Answers by class during the measured windows (the proxy's counter includes the checks above, none of them here).
classes=""
for class in HIT STALE MISS BYPASS; do
  b=$(printf '%s\n' "$metrics_before" | sed -n "s/^$class=//p")
  a=$(printf '%s\n' "$metrics_after" | sed -n "s/^$class=//p")
  d=$(awk -v a="${a:-0}" -v b="${b:-0}" 'BEGIN { printf "%.0f", a - b }')
  classes+="$class $(num "$d" 0), "
  if [ "$class" = HIT ]; then hits_measured=$d; fi
  if [ "$class" = STALE ]; then stale_measured=$d; fi
done
classes=${classes%, }

# --- results --------------------------------------------------------------------------------------------------------

next_rates=()
proxy_rates=()
ratios=()
next_p50=() next_p99=() proxy_p50=() proxy_p99=() next_bytes=() proxy_bytes=()
for round in $(seq 1 "$ROUNDS"); do
  next_rates+=("${RPS[$round,next]}")
  proxy_rates+=("${RPS[$round,proxy]}")
  next_p50+=("${P50[$round,next]}")
  next_p99+=("${P99[$round,next]}")
  proxy_p50+=("${P50[$round,proxy]}")
  proxy_p99+=("${P99[$round,proxy]}")
  next_bytes+=("${BYTES[$round,next]}")
  proxy_bytes+=("${BYTES[$round,proxy]}")
  ratios+=("$(awk -v p="${RPS[$round,proxy]}" -v n="${RPS[$round,next]}" 'BEGIN { printf "%.2f", (n > 0 ? p / n : 0) }')")
done
median_ratio=$(median "${ratios[@]}")
if awk -v r="$median_ratio" -v g="$GOAL" 'BEGIN { exit !(r >= g) }'; then verdict="met"; else verdict="**missed**"; fi
joined() { # joined DECIMALS VALUES...: "v1 · v2 · ..."
  local d=$1 v out=""
  shift
  for v in "$@"; do out+="$(num "$v" "$d") · "; done
  printf '%s' "${out% · }"
}

cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
[ -n "$cpu_model" ] || cpu_model=$(lscpu 2> /dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
os=$(. /etc/os-release 2> /dev/null && echo "$PRETTY_NAME")
next_version=$(cd "$SITE" && node -p "require('next/package.json').version")
if [ "$PINNED" = 1 ]; then
  pinning="The data server, \`next start\` and the proxy run on core 0 (\`taskset\`), wrk (one thread) on core 1."
else
  pinning="This machine has one core: servers and wrk share it (nothing pinned), so the figures are not comparable with pinned runs."
fi
elapsed=$((SECONDS - started_at))

{
  echo "# HIT throughput: IsrProxy in front of \`next start\` against \`next start\` alone"
  echo
  echo "Generated by \`bench/nextjs.sh\` on $(date -u +%Y-%m-%d): $(nproc) logical cores ($cpu_model), $os, kernel $(uname -r),"
  echo ".NET $(dotnet --list-runtimes | sed -n 's/^Microsoft.AspNetCore.App \([^ ]*\).*/\1/p' | tail -n 1), Node.js $(node -v | sed 's/^v//'), Next.js $next_version, wrk $(wrk -v 2>&1 | head -n 1 | awk '{ print $2 }'), commit $(git -C "$ROOT" rev-parse --short HEAD 2> /dev/null || echo unknown)."
  echo "The site is \`integrations/nextjs/e2e\` built with \`next build\`, served by \`next start\` (production) with its data"
  echo "server; the proxy is the Release build with \`Isr:NextJs:Enabled=true\` in front of it, logging at Warning. $pinning"
  echo "wrk keeps $CONNS connections open and requests ${PAGES[*]} round-robin (their HTML, without"
  echo "Accept-Encoding; bytes per answer include the headers); before measuring, every page was answered \`X-Isr-Cache: HIT\` by the proxy, and each target had $WARMUP s"
  echo "of unmeasured load. Runs of $SECONDS_PER_RUN s alternate the targets (next start first in odd rounds, the proxy first in even ones)."
  echo "Load average (1 min) before the runs $loadavg_before, after $loadavg_after: anything above the core count means other work shared the CPUs, so single runs vary; read the medians and their ratio."
  echo
  echo "| round | next start requests/s | IsrProxy HIT requests/s | IsrProxy / next start | next start p50 / p99 ms | IsrProxy p50 / p99 ms |"
  echo "|---:|---:|---:|---:|---:|---:|"
  for round in $(seq 1 "$ROUNDS"); do
    echo "| $round | $(num "${RPS[$round,next]}" 0) | $(num "${RPS[$round,proxy]}" 0) | $(num "${ratios[$((round - 1))]}" 1) | $(num "${P50[$round,next]}" 2) / $(num "${P99[$round,next]}" 2) | $(num "${P50[$round,proxy]}" 2) / $(num "${P99[$round,proxy]}" 2) |"
  done
  echo
  echo "| target | requests/s by round | median requests/s | median p50 ms | median p99 ms | bytes per answer |"
  echo "|---|---:|---:|---:|---:|---:|"
  echo "| \`next start\` | $(joined 0 "${next_rates[@]}") | $(num "$(median "${next_rates[@]}")" 0) | $(num "$(median "${next_p50[@]}")" 2) | $(num "$(median "${next_p99[@]}")" 2) | $(num "$(median "${next_bytes[@]}")" 0) |"
  echo "| IsrProxy (HIT) | $(joined 0 "${proxy_rates[@]}") | $(num "$(median "${proxy_rates[@]}")" 0) | $(num "$(median "${proxy_p50[@]}")" 2) | $(num "$(median "${proxy_p99[@]}")" 2) | $(num "$(median "${proxy_bytes[@]}")" 0) |"
  echo
  echo "Median of the rounds' ratios (each proxy run against the \`next start\` run of its round): **$(num "$median_ratio" 1)×**."
  echo "Goal: IsrProxy's HIT rate at least ${GOAL}× \`next start\`'s: $verdict."
  echo
  echo "The proxy's answers during the measured runs, by class (\`isr_requests_total\`): $classes."
  if [ "${stale_measured:-0}" != 0 ]; then
    echo "STALE answers come from the pages' own revalidate time running out during the runs (60 s for \`/items\` and \`/posts\`"
    echo "in this site): the proxy answers them from its copy, as a hit, while Next renders the page again in the background."
  fi
  if [ "${#problems[@]}" -gt 0 ]; then
    echo
    echo "Errors during the runs:"
    for p in "${problems[@]}"; do echo "- $p"; done
  fi
} > "$RESULTS_MD"

log "IsrProxy / next start: median ${median_ratio}× (goal ${GOAL}×: ${verdict//\*/}); HIT answers measured: ${hits_measured:-0}"
log "done in $((elapsed / 60)) min $((elapsed % 60)) s: bench/results/nextjs.md"
