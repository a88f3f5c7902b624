-- Shared by the wrk scripts: one machine-readable RESULT line per run.
local M = {}

function M.line(summary, latency, extra)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d max_us=%d status_errors=%d socket_errors=%d%s\n",
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), latency.max,
    e.status, e.connect + e.read + e.write + e.timeout, extra or ""))
end

return M
