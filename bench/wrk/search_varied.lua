-- Search with a different two-word query per request (wrk ... -- word1 word2 ...),
-- so the page cache cannot answer: this measures the search itself.
local words = {}
local counter = 0

init = function(args)
  for i, w in ipairs(args) do words[i] = w end
  counter = math.random(1, 100000)
end

request = function()
  counter = counter + 1
  local n = #words
  local a = words[(counter % n) + 1]
  local b = words[(math.floor(counter / n) % n) + 1]
  return wrk.format(nil, "/en/search?q=" .. a .. "+" .. b)
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
