-- wrk script for bench/run.py: sends the session cookie of a signed-in user and counts the answers that are
-- not 2xx (wrk itself counts only socket errors and, as "Non-2xx or 3xx", a redirect as a success), then prints
-- how many answers the response cache gave (X-Guatu-Cache: hit; BENCH_NO_CACHE=1 asks for every answer to be
-- computed afresh), then prints one line of JSON that the harness reads:
--
--     BENCH_COOKIE="sessionid=..." wrk -t2 -c32 -d30s -s bench/wrk.lua http://127.0.0.1:PORT/api/v1/...

local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    non2xx = 0
    hits = 0
    if os.getenv("BENCH_NO_CACHE") == "1" then
        wrk.headers["Cache-Control"] = "no-cache"
    end
    local cookie = os.getenv("BENCH_COOKIE")
    if cookie and cookie ~= "" then
        wrk.headers["Cookie"] = cookie
    end
end

function response(status, headers, body)
    if status < 200 or status > 299 then
        non2xx = non2xx + 1
    end
    if headers["X-Guatu-Cache"] == "hit" then
        hits = hits + 1
    end
end

function done(summary, latency, requests)
    local non2xx_total = 0
    local hits_total = 0
    for _, thread in ipairs(threads) do
        non2xx_total = non2xx_total + (thread:get("non2xx") or 0)
        hits_total = hits_total + (thread:get("hits") or 0)
    end
    local errors = summary.errors
    io.write(string.format(
        'BENCH_WRK {"requests": %d, "duration_us": %d, "bytes": %d, "non2xx": %d, "hits": %d, '
            .. '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d, '
            .. '"latency_mean_us": %.1f, "latency_p50_us": %d, "latency_p90_us": %d, "latency_p99_us": %d, '
            .. '"latency_max_us": %d}\n',
        summary.requests, summary.duration, summary.bytes, non2xx_total, hits_total,
        errors.connect, errors.read, errors.write, errors.status, errors.timeout,
        latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max
    ))
end
