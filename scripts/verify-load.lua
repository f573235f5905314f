-- wrk script for POST /v1/verify (scripts/bench-verify.sh): every request a fresh code from
-- CODES (one per line), the lines shared out between wrk's threads so no code is sent twice.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

function init(args)
  local total = tonumber(os.getenv("THREADS") or "2")
  codes = {}
  local i = 0
  for line in io.lines(os.getenv("CODES")) do
    if i % total == id then
      codes[#codes + 1] = line
    end
    i = i + 1
  end
  next_code = 1
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "text/plain"
end

function request()
  local code = codes[next_code]
  if code == nil then
    code = "YX1:exhausted"
  end
  next_code = next_code + 1
  return wrk.format(nil, "/v1/verify", nil, code)
end

-- REPLAYED=1: the codes were sent before, and each must be refused as a replay (after every
-- other check): the server's work without the replay guard growing.
local expect = os.getenv("REPLAYED") == "1" and '"error":"present.replayed"' or '"valid":true'

function response(status, headers, body)
  if status ~= 200 or not string.find(body, expect, 1, true) then
    failed = (failed or 0) + 1
    if failed <= 3 then
      io.stderr:write("not valid: " .. status .. " " .. body .. "\n")
    end
  end
end

function done(summary, latency, requests)
  io.write(string.format("p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
