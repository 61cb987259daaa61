#!/usr/bin/env bash
# End-to-end: this Next.js 16 site (with the package from the folder above) behind IsrProxy.
# Installs dependencies, builds the site, starts the data server, `next start` and the proxy on free loopback ports,
# runs test/*.test.mjs with `node --test` against the proxy, and stops what it started.
# Logs: integrations/nextjs/e2e/.e2e/*.log. Exit status: that of the tests.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
pkg=$(cd "$here/.." && pwd)
repo=$(cd "$here/../../.." && pwd)
work="$here/.e2e"
mkdir -p "$work"

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

wait_http() { # url, name, pid
  for _ in $(seq 1 240); do
    if curl -s -o /dev/null "$1"; then return 0; fi
    if ! kill -0 "$3" 2>/dev/null; then echo "e2e: $2 exited; see $work/$2.log" >&2; tail -20 "$work/$2.log" >&2; exit 1; fi
    sleep 0.5
  done
  echo "e2e: $2 did not answer at $1" >&2
  exit 1
}

echo "e2e: building the package"
(cd "$pkg" && npm ci --no-audit --no-fund >/dev/null && npm run build >/dev/null)
echo "e2e: installing the site"
(cd "$here" && npm ci --no-audit --no-fund >/dev/null)
echo "e2e: building the proxy"
dotnet build "$repo/src/IsrProxy" -v q -nologo >"$work/proxy-build.log" 2>&1 || { tail -20 "$work/proxy-build.log"; exit 1; }

DATA_PORT=$(free_port); NEXT_PORT=$(free_port); PROXY_PORT=$(free_port)
while [ "$NEXT_PORT" = "$DATA_PORT" ]; do NEXT_PORT=$(free_port); done
while [ "$PROXY_PORT" = "$DATA_PORT" ] || [ "$PROXY_PORT" = "$NEXT_PORT" ]; do PROXY_PORT=$(free_port); done
SECRET="e2e-$(node -e "console.log(require('crypto').randomBytes(12).toString('hex'))")"
export DATA_URL="http://127.0.0.1:$DATA_PORT"
export NEXT_URL="http://127.0.0.1:$NEXT_PORT"
export PROXY_URL="http://127.0.0.1:$PROXY_PORT"
export ISR_SECRET="$SECRET"

DATA_PORT=$DATA_PORT node "$here/data-server.mjs" >"$work/data.log" 2>&1 &
pids+=($!); wait_http "$DATA_URL/renders/x" data "${pids[-1]}"

echo "e2e: next build"
(cd "$here" && env -u ISRPROXY_URL node node_modules/next/dist/bin/next build >"$work/next-build.log" 2>&1) || { tail -30 "$work/next-build.log"; exit 1; }

echo "e2e: next start on $NEXT_URL"
(cd "$here" && ISRPROXY_URL="$PROXY_URL" ISRPROXY_SECRET="$SECRET" exec node node_modules/next/dist/bin/next start -H 127.0.0.1 -p "$NEXT_PORT") >"$work/next.log" 2>&1 &
pids+=($!); wait_http "$NEXT_URL/" next "${pids[-1]}"

echo "e2e: proxy on $PROXY_URL"
# the built proxy (what `dotnet run --project src/IsrProxy` runs), started directly so that stopping it stops it; the
# README's Next.js configuration: Isr:NextJs:Enabled, analytics cookies ignored, and no route rules
(cd "$repo" && exec dotnet src/IsrProxy/bin/Debug/net10.0/IsrProxy.dll \
  --Isr:Origin="$NEXT_URL" --Isr:Secret="$SECRET" --Isr:NextJs:Enabled=true --Urls="$PROXY_URL" \
  --Isr:Proxy:IgnoreCookies:0='_ga*' --Isr:Proxy:IgnoreCookies:1=_gid) >"$work/proxy.log" 2>&1 &
pids+=($!); wait_http "$PROXY_URL/healthz" proxy "${pids[-1]}"

echo "e2e: tests"
set +e
(cd "$here" && node --test --test-reporter=spec test/*.test.mjs)
status=$?
set -e
echo "e2e: logs in $work"
exit $status
