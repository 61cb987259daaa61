-- Paths for wrk: walks {prefix}0 … {prefix}{count-1} in turn (each thread from its own offset), or with count 0
-- requests a new path every time ({prefix}{thread}-{n}: every request a miss). A third argument "browser" sends
-- the Accept-Encoding of a browser. A fourth argument above 0 paces the load: each connection waits that many
-- milliseconds after every answer before it sends its next request (wrk's delay(); the wait is not part of the
-- latency), so every target is offered about the same rate. done() prints one line run.sh parses:
--   RESULT requests=… seconds=… rps=… p50_ms=… p99_ms=… p999_ms=… errors=… non2xx=… bytes=…
-- usage: wrk -t1 -c64 -d3s -s bench/wrk/paths.lua http://127.0.0.1:PORT -- /s/ 1000 [identity|browser] [pause_ms]

local threads = 0

function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

function init(args)
  prefix = args[1] or "/s/"
  count = tonumber(args[2] or "1000")
  if args[3] == "browser" then
    wrk.headers["Accept-Encoding"] = "gzip, br"
  end
  local pause = tonumber(args[4] or "0")
  if pause > 0 then
    -- wrk looks for delay() once the first thread's init() has run.
    delay = function() return pause end
  end
  local me = id or 0
  if count > 0 then
    n = (me * math.floor(count / 8)) % count
  else
    n = 0
    prefix = prefix .. me .. "-"
  end
end

function request()
  local path = prefix .. n
  n = n + 1
  if count > 0 and n >= count then
    n = 0
  end
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
