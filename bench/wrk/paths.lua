-- Paths for wrk: walks {prefix}0 … {prefix}{count-1} in turn (each thread from its own offset), or with count 0
-- requests a new path every time ({prefix}{thread}-{n}: every request a miss). A third argument "browser" sends
-- the Accept-Encoding of a browser. A fourth argument above 0 is a rate: the thread then sends that many requests a
-- second on a fixed schedule, whatever the target (each request waits for its slot through wrk's delay(), which
-- counts whole milliseconds; the wait is not part of the latency), so every target is offered the same rate. Without
-- it the load is a closed loop: each connection sends its next request as soon as an answer is in. With "list" as
-- the first argument, the paths after it are requested in turn instead (bench/nextjs.sh).
-- done() prints one line run.sh and nextjs.sh parse:
--   RESULT requests=… seconds=… rps=… p50_ms=… p99_ms=… p999_ms=… errors=… non2xx=… bytes=…
-- usage: wrk -t1 -c64 -d3s -s bench/wrk/paths.lua http://127.0.0.1:PORT -- /s/ 1000 [identity|browser] [rate]
--        wrk -t1 -c32 -d5s -s bench/wrk/paths.lua http://127.0.0.1:PORT -- list /items/a /items/b /

local threads = 0

function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

function init(args)
  if args[1] == "list" then
    list = {}
    for i = 2, #args do
      list[#list + 1] = args[i]
    end
    if #list == 0 then
      list[1] = "/"
    end
    n = (id or 0) % #list
    return
  end
  prefix = args[1] or "/s/"
  count = tonumber(args[2] or "1000")
  if args[3] == "browser" then
    wrk.headers["Accept-Encoding"] = "gzip, br"
  end
  local rate = tonumber(args[4] or "0")
  if rate > 0 then
    paced(rate)
  end
  local me = id or 0
  if count > 0 then
    n = (me * math.floor(count / 8)) % count
  else
    n = 0
    prefix = prefix .. me .. "-"
  end
end

-- Defines delay(), which wrk looks for once the first thread's init() has run: each call takes the next slot of a
-- schedule of `rate` slots a second and returns the whole milliseconds until it. A schedule more than 10 ms behind
-- (every connection busy) restarts from now rather than catching up in a burst.
function paced(rate)
  local ffi = require("ffi")
  ffi.cdef [[
    typedef struct { long tv_sec; long tv_nsec; } paths_timespec;
    int clock_gettime(int clock, paths_timespec *now);
  ]]
  local now = ffi.new("paths_timespec")
  local function now_ms()
    ffi.C.clock_gettime(1, now) -- CLOCK_MONOTONIC
    return tonumber(now.tv_sec) * 1000 + tonumber(now.tv_nsec) / 1e6
  end
  local period = 1000 / rate
  local slot = nil
  delay = function()
    local t = now_ms()
    if slot == nil or slot < t - 10 then
      slot = t
    end
    local wait = slot - t
    slot = slot + period
    return wait > 0 and math.floor(wait) or 0
  end
end

function request()
  if list then
    local listed = list[n + 1]
    n = (n + 1) % #list
    return wrk.format(nil, listed)
  end
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
