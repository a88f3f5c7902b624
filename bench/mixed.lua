-- Mixed load: every 20th request (5 %) is a write, alternating a vote and a comment
-- on one of bench30's summaries, signed in with one of the sessions gen-site made.
-- Each write comes from its own X-Forwarded-For address (the server runs with
-- trusted_proxy) and sessions rotate, so the per-client write limits model many
-- people writing, not one client flooding. CSRF: the browser's Sec-Fetch-Site.
-- Env: BENCH_DIR, BENCH_SESSIONS (file, a token a line), BENCH_READS (paths, spaces),
-- BENCH_WRITE_SUMMARIES (ids, commas).
local report = dofile(os.getenv("BENCH_DIR") .. "/report.lua")

local function split(s, sep)
  local out = {}
  for part in string.gmatch(s or "", "[^" .. sep .. "]+") do
    out[#out + 1] = part
  end
  return out
end

local tokens = {}
for line in io.lines(os.getenv("BENCH_SESSIONS")) do
  if #line > 0 then tokens[#tokens + 1] = line end
end
local reads = split(os.getenv("BENCH_READS"), " ")
local targets = split(os.getenv("BENCH_WRITE_SUMMARIES"), ",")

local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  threads[#threads + 1] = thread
end

function init(args)
  n = 0
  writes_sent = 0
  votes_ok = 0
  comments_ok = 0
  other_status = 0
end

function request()
  n = n + 1
  if n % 20 ~= 0 then
    return wrk.format("GET", reads[n % #reads + 1])
  end
  writes_sent = writes_sent + 1
  local w = writes_sent * 8 + tid
  local headers = {
    ["Cookie"] = "ss_session=" .. tokens[w % #tokens + 1],
    ["Sec-Fetch-Site"] = "same-origin",
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Forwarded-For"] = string.format("10.%d.%d.%d", tid, math.floor(w / 250) % 250, w % 250 + 1),
  }
  local summary = targets[w % #targets + 1]
  if writes_sent % 2 == 0 then
    local value = (w % 3 == 0) and "down" or "up"
    return wrk.format("POST", "/summary/" .. summary .. "/vote", headers, "value=" .. value)
  end
  return wrk.format("POST", "/summary/" .. summary .. "/comment", headers,
    "markdown=Benchmark+comment+" .. tid .. "-" .. writes_sent .. "+with+%24x%5E2%24")
end

function response(status, headers, body)
  if status == 303 then
    local loc = headers["location"] or headers["Location"] or ""
    if string.find(loc, "#comment-", 1, true) then
      comments_ok = comments_ok + 1
    elseif string.find(loc, "#summary-", 1, true) then
      votes_ok = votes_ok + 1
    else
      other_status = other_status + 1
    end
  elseif status ~= 200 then
    other_status = other_status + 1
  end
end

function done(summary, latency, requests)
  local sent, votes, comments, other = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    sent = sent + t:get("writes_sent")
    votes = votes + t:get("votes_ok")
    comments = comments + t:get("comments_ok")
    other = other + t:get("other_status")
  end
  report.line(summary, latency, string.format(
    " writes_sent=%d votes_ok=%d comments_ok=%d other_status=%d", sent, votes, comments, other))
end
