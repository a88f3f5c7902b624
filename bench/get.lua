-- Plain GETs of the URL given to wrk; prints a RESULT line (see report.lua).
local report = dofile(os.getenv("BENCH_DIR") .. "/report.lua")

function done(summary, latency, requests)
  report.line(summary, latency)
end
