-- Paths for wrk: requests the paths given after "--" in turn, round-robin (each thread from its own offset), as a
-- closed loop over keep-alive connections. done() prints one line bench/nextjs.sh parses, as paths.lua does:
--   RESULT requests=… seconds=… rps=… p50_ms=… p99_ms=… p999_ms=… errors=… non2xx=… bytes=…
-- usage: wrk -t1 -c32 -d5s -s bench/wrk/list.lua http://127.0.0.1:PORT -- /items/a /items/b /posts/x /

local threads = 0

function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

function init(args)
  paths = {}
  for i = 1, #args do
    paths[#paths + 1] = args[i]
  end
  if #paths == 0 then
    paths[1] = "/"
  end
  n = (id or 0) % #paths
end

function request()
  local path = paths[n + 1]
  n = (n + 1) % #paths
  return wrk.format(nil, path)
end

function done(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "RESULT requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f errors=%d non2xx=%d bytes=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000,
    e.connect + e.read + e.write + e.timeout, e.status, summary.bytes))
end
