#!/usr/bin/env bash
# The CPU time `mfagate serve` spends per request on SQLite when every request is a policy denial,
# so that each one writes: the token's rule has a daily cap of 1, used up by the first request, and
# each later request runs LockoutTracker.recordDenial (a write transaction), DailyUsage's insert and
# an audit entry. The lockout is kept from starting (--lockout-after 1000000000, a 20 ms window), so
# the denials keep writing. Prints per round the server's CPU (user + system, /proc) and context
# switches (all its threads) per request, req/s and p99, then the statuses the server counted and
# how many SQLITE_BUSY its log holds. Loopback only; bounded.
#
# Usage: bench/serve-denials.sh
#   env: ROUNDS (2), DURATION (10), WARMUP (20), CONNECTIONS (32), THREADS (2), PORT (18490),
#        MFAGATE_JAR to measure another build; JAVA_OPTS as bin/mfagate reads it
# Needs: a built tree (./mvnw -B -q package -DskipTests), wrk, curl.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-2}; DURATION=${DURATION:-10}; WARMUP=${WARMUP:-20}; CONNECTIONS=${CONNECTIONS:-32}; THREADS=${THREADS:-2}
PORT=${PORT:-18490}
for tool in wrk curl; do command -v $tool >/dev/null || { echo "bench: needs $tool (apt-get install $tool)" >&2; exit 1; }; done
work=$(mktemp -d); pid=
trap 'kill $pid 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
export MFAGATE_DATA_DIR="$work/data" MFAGATE_LOG_FORMAT=json
bin/mfagate aot serve --quiet || true
bin/mfagate init >/dev/null 2>&1
TOKEN=$(bin/mfagate token create --name bench --labels 'bench-*' 2>/dev/null)
head -c 20 /dev/urandom | base32 | bin/mfagate seed add bench-aws >/dev/null 2>&1   # random and thrown away
id=$(bin/mfagate token list 2>/dev/null | awk '/bench/ {print $1; exit}')
bin/mfagate grant "token:$id" 'bench-*' --daily-cap 1 >/dev/null 2>&1
bin/mfagate serve --port "$PORT" --metrics-port $((PORT + 1)) --rate-limit-label 1000000000/1s --rate-limit-principal 1000000000/1s \
  --rate-limit-token 1000000000/1s --lockout-after 1000000000 --lockout-window 20ms >"$work/serve.log" 2>&1 &
pid=$!
URL="http://127.0.0.1:$PORT/totp/bench/aws"
until curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" "$URL"; do
  kill -0 $pid 2>/dev/null || { echo "bench: server died"; tail -n 20 "$work/serve.log"; exit 1; }
  sleep 0.02
done
ticks() { awk '{print $14 + $15}' /proc/$pid/stat; }
switches() { cat /proc/$pid/task/*/status 2>/dev/null | awk '/ctxt_switches/ {n += $2} END {print n}'; }
statuses() { curl -s "http://127.0.0.1:$((PORT + 1))/metrics" | awk '/^http_server_requests_seconds_count/ {
  match($0, /status="[0-9]+"/); c[substr($0, RSTART + 8, 3)] += $NF } END { for (s in c) printf "%s: %d  ", s, c[s] }'; }
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $(bin/with-jdk java -version 2>&1 | head -1)"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -H "Authorization: Bearer $TOKEN" "$URL" >/dev/null
hz=$(getconf CLK_TCK)
for r in $(seq 1 "$ROUNDS"); do
  t0=$(ticks); s0=$(switches)
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Authorization: Bearer $TOKEN" "$URL")
  t1=$(ticks); s1=$(switches)
  n=$(awk '/requests in/ {print $1}' <<<"$out")
  awk -v n="$n" -v t=$((t1 - t0)) -v hz="$hz" -v cs=$((s1 - s0)) -v rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
      -v p99="$(awk '$1=="99%" {print $2}' <<<"$out")" -v la="$(cut -d' ' -f1 /proc/loadavg)" -v r="$r" \
      'BEGIN { printf "round %d: %d requests, %.0f us of server CPU and %.1f context switches each, %s req/s, p99 %s (load average %s)\n", r, n, t * 1e6 / hz / n, cs / n, rps, p99, la }'
done
echo "statuses counted: $(statuses)(the first request's 200, then 429 daily cap reached)"
echo "SQLITE_BUSY in the log: $(grep -c 'SQLITE_BUSY' "$work/serve.log" || true)"
