-- Search with a different two-word query per request (wrk ... -- word1 word2 ...),
-- so the page cache cannot answer: this measures the search itself.
--
-- Forty words make only 1,600 pairs, which a fast machine goes through in a 10 s run
-- (and the warm-up's run starts where this one does unless the generator is seeded):
-- a repeated URL is a page-cache hit. So every URL also carries this run's request
-- number, `n`, which the search page ignores: the words still repeat, the URL never.
local words = {}
local counter = 0
local threads = 0

setup = function(thread)  -- (in wrk's main Lua state, once per thread)
  threads = threads + 1
  thread:set("id", threads)
end

init = function(args)
  for i, w in ipairs(args) do words[i] = w end
  -- wrk does not seed Lua's generator: without this every run starts at the same
  -- number. Each thread counts in its own range of a billion.
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
  counter = (id or 1) * 1000000000 + math.random(0, 500000000)
end

request = function()
  counter = counter + 1
  local n = #words
  local a = words[(counter % n) + 1]
  local b = words[(math.floor(counter / n) % n) + 1]
  return wrk.format(nil, "/en/search?q=" .. a .. "+" .. b .. "&n=" .. string.format("%d", counter))
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"mean":%.1f,"stdev":%.1f,"max":%d,"p50":%d,"p75":%d,"p90":%d,"p95":%d,"p99":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency.stdev, latency.max,
    latency:percentile(50), latency:percentile(75), latency:percentile(90),
    latency:percentile(95), latency:percentile(99)))
end
