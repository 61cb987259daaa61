#!/usr/bin/env bash
# HIT throughput of the proxy in Redis mode (Redis + L1) against the Memory store, in one run; writes
# bench/results/hit-redis.md. Uses REDIS_URL when set, else starts redis-server on a free loopback port.
# Extra arguments go to the run: --seconds 5 --rounds 3 --connections 32 --paths 100 --body 2048
set -euo pipefail
cd "$(dirname "$0")"
dotnet run -c Release --project IsrProxy.Benchmarks -- hit-redis --output "$PWD/results/hit-redis.md" "$@"
