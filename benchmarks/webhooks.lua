-- wrk script for benchmarks/webhooks.py: POST a fixed set of precomputed bodies, each exactly once.
--   wrk -t N ... -s webhooks.lua URL -- <bodies file> <path> <N> <marker prefix>
-- The bodies file holds records "<content-type>\n<length>\n<bytes>". Thread i of N sends records
-- i, i+N, i+2N, ...; once its share is reserved, delay() parks the connections, so exactly one request
-- per record is sent. When its last answer arrives a thread stops and creates "<marker prefix><i>":
-- wrk's main thread sleeps for the whole -d, so the caller interrupts it (SIGINT) once all markers exist.
-- The burst's wall time is measured here, first request to last answer. done() prints one JSON line.

local ffi = require("ffi")
ffi.cdef([[
  typedef struct { long tv_sec; long tv_usec; } timeval;
  int gettimeofday(timeval *tv, void *tz);
]])
local tv = ffi.new("timeval")

local function now_us()
  ffi.C.gettimeofday(tv, nil)
  return tonumber(tv.tv_sec) * 1000000 + tonumber(tv.tv_usec)
end

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(args[1], "rb"))
  local path, nthreads = args[2], tonumber(args[3])
  marker = args[4] .. id
  first_us, last_us = 0, 0
  requests, reserved, sent, answered = {}, 0, 0, 0
  accepted, duplicate, failed = 0, 0, 0
  local index = 0
  while true do
    local content_type = file:read("*l")
    if not content_type then break end
    local body = file:read(tonumber(file:read("*l")))
    if index % nthreads + 1 == id then
      requests[#requests + 1] = wrk.format("POST", path, {["Content-Type"] = content_type}, body)
    end
    index = index + 1
  end
  file:close()
end

function delay()
  if reserved < #requests then
    reserved = reserved + 1
    return 0
  end
  return 3600000
end

function request()
  if sent == reserved then
    return requests[1] -- wrk's one-off check of the script before the run; never sent
  end
  if sent == 0 then
    first_us = now_us()
  end
  sent = sent + 1
  return requests[sent]
end

function response(status, headers, body)
  answered = answered + 1
  if status ~= 200 then
    failed = failed + 1
  elseif body:find("duplicate", 1, true) then
    duplicate = duplicate + 1
  else
    accepted = accepted + 1
  end
  if answered == #requests then
    last_us = now_us()
    wrk.thread:stop()
    io.open(marker, "w"):close()
  end
end

function done(summary, latency, requests_stats)
  local totals = {sent = 0, answered = 0, accepted = 0, duplicate = 0, failed = 0}
  local first, last = math.huge, 0
  for _, thread in ipairs(threads) do
    for key, _ in pairs(totals) do
      totals[key] = totals[key] + thread:get(key)
    end
    first = math.min(first, thread:get("first_us"))
    last = math.max(last, thread:get("last_us"))
  end
  io.write(string.format(
    '{"burst_us":%d,"completed":%d,"sent":%d,"answered":%d,"accepted":%d,"duplicate":%d,"failed":%d,'
      .. '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},'
      .. '"latency_us":{"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"max":%d}}\n',
    last - first, summary.requests, totals.sent, totals.answered, totals.accepted, totals.duplicate,
    totals.failed, summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status,
    summary.errors.timeout, latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max))
end
