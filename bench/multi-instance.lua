-- wrk script: spreads wrk's threads over several gateway instances on loopback, so one run
-- measures them together (one latency distribution, one request rate). Thread i talks to the
-- i-th port of WRK_PORTS (comma-separated), round robin; use as many threads as ports, or a multiple.
local ports = {}
for p in string.gmatch(os.getenv("WRK_PORTS") or "", "%d+") do
  table.insert(ports, p)
end
local n = 0

function setup(thread)
  if #ports == 0 then
    error("set WRK_PORTS, e.g. WRK_PORTS=18081,18082")
  end
  n = n + 1
  thread.addr = wrk.lookup("127.0.0.1", ports[(n - 1) % #ports + 1])[1]
end
