-- wrk script for the load benchmark (driven by benchmarks/load/bench.py; settings come from the
-- environment so one script serves every endpoint):
--   BENCH_PATHS   file with one request path a line; each request picks one at random
--   BENCH_METHOD  GET (default) or POST
--   BENCH_COOKIE  the Cookie header (session and CSRF cookies of a signed-in user)
--   BENCH_CSRF    the CSRF token, sent as X-CSRFToken on POST
--   BENCH_BODY    the POST body; every "{uuid}" becomes a fresh random UUID per request
-- done() prints one line "BENCH_JSON {...}" with the counts and the latency percentiles in µs.

local counter = 0
local threads = {}

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

local paths = {}
local method = "GET"
local body = nil
local headers = {}

function init(args)
  math.randomseed(os.time() * 1000 + (id or 0))
  for line in io.lines(os.getenv("BENCH_PATHS")) do
    if line ~= "" then table.insert(paths, line) end
  end
  method = os.getenv("BENCH_METHOD") or "GET"
  headers["Cookie"] = os.getenv("BENCH_COOKIE")
  if method == "POST" then
    body = os.getenv("BENCH_BODY")
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    headers["X-CSRFToken"] = os.getenv("BENCH_CSRF")
  end
end

local function uuid4()
  return string.format("%04x%04x-%04x-4%03x-%x%03x-%04x%04x%04x",
    math.random(0, 0xffff), math.random(0, 0xffff), math.random(0, 0xffff),
    math.random(0, 0xfff), math.random(8, 11), math.random(0, 0xfff),
    math.random(0, 0xffff), math.random(0, 0xffff), math.random(0, 0xffff))
end

function request()
  local path = paths[math.random(1, #paths)]
  if body then
    return wrk.format(method, path, headers, (body:gsub("{uuid}", uuid4())))
  end
  return wrk.format(method, path, headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50": %d, "p95": %d, "p99": %d, "mean": %f, "max": %d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean, latency.max))
end
