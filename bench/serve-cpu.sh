#!/usr/bin/env bash
# The CPU time `mfagate serve` spends per request, as shipped (bin/mfagate, its defaults and its AOT
# cache), with the bytes it allocates per request, the wall-clock rate and p99 beside it and the
# resident memory after the load. Allocation per request: the young collections of a round (`jstat`)
# times the young generation's eden, plus the change in eden's use, over the requests. CPU per
# request (the server's user + system time over a round, from /proc, divided by the requests wrk
# counted) moves much less than requests/s when other work shares the cores. Loopback only; bounded.
#
# Usage: bench/serve-cpu.sh
#   env: ROUNDS (3), DURATION (15), WARMUP (5), CONNECTIONS (32), THREADS (2), PORT (18480),
#        IDLE (1: seconds between the last round and the resident memory; 15 is what
#        bench/versus-fastapi.sh leaves, the FastAPI gateway's last round)
#        MFAGATE_JAR to measure another build; JAVA_OPTS as bin/mfagate reads it;
#        CSW_BY_THREAD (0; 1 splits each round's context switches by thread)
# Needs: a built tree (./mvnw -B -q package -DskipTests), wrk, curl; a JDK with jstat (as bin/with-jdk finds it).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}; DURATION=${DURATION:-15}; WARMUP=${WARMUP:-5}; CONNECTIONS=${CONNECTIONS:-32}; THREADS=${THREADS:-2}
PORT=${PORT:-18480}
for tool in wrk curl; do command -v $tool >/dev/null || { echo "bench: needs $tool (apt-get install $tool)" >&2; exit 1; }; done
work=$(mktemp -d); pid=
trap 'kill $pid 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
export MFAGATE_DATA_DIR="$work/data" MFAGATE_LOG_FORMAT=json
bin/mfagate aot serve --quiet || true
bin/mfagate init >/dev/null 2>&1
TOKEN=$(bin/mfagate token create --name bench --labels 'bench-*' 2>/dev/null)
head -c 20 /dev/urandom | base32 | bin/mfagate seed add bench-aws >/dev/null 2>&1   # random and thrown away
bin/mfagate serve --port "$PORT" --metrics-port $((PORT + 1)) --rate-limit-label 1000000000/1s --rate-limit-principal 1000000000/1s \
  --rate-limit-token 1000000000/1s >"$work/serve.log" 2>&1 &
pid=$!
URL="http://127.0.0.1:$PORT/totp/bench/aws"
until curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" "$URL"; do
  kill -0 $pid 2>/dev/null || { echo "bench: server died"; tail -n 20 "$work/serve.log"; exit 1; }
  sleep 0.02
done
ticks() { awk '{print $14 + $15}' /proc/$pid/stat; }
# One line per thread: its name without digits, voluntary and involuntary switches so far.
switches() { for t in /proc/$pid/task/*; do
  awk '/^Name:/ {gsub(/[0-9]+/, "", $2); n = $2} /^voluntary_ctxt/ {v = $2} /^nonvoluntary_ctxt/ {i = $2} END {print n, v, i}' \
    "$t/status" 2>/dev/null; done; }
rss() { echo $(( $(awk '/VmRSS/ {print $2}' /proc/$pid/status) / 1024 )); }
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $(bin/with-jdk java -version 2>&1 | head -1)"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -H "Authorization: Bearer $TOKEN" "$URL" >/dev/null
hz=$(getconf CLK_TCK)
# jstat -gc's columns 5, 6 and 13: eden's capacity and use (KB), young collections so far.
young() { bin/with-jdk jstat -gc "$pid" | tail -1; }
for r in $(seq 1 "$ROUNDS"); do
  g0=$(young)
  s0=$(switches)
  t0=$(ticks)
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Authorization: Bearer $TOKEN" "$URL")
  t1=$(ticks)
  s1=$(switches)
  g1=$(young)
  n=$(awk '/requests in/ {print $1}' <<<"$out")
  awk -v n="$n" -v t=$((t1 - t0)) -v hz="$hz" -v rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
      -v p99="$(awk '$1=="99%" {print $2}' <<<"$out")" -v la="$(cut -d' ' -f1 /proc/loadavg)" -v r="$r" \
      'BEGIN { printf "round %d: %d requests, %.0f us of server CPU each, %s req/s, p99 %s (load average %s)\n", r, n, t * 1e6 / hz / n, rps, p99, la }'
  awk -v n="$n" -v a="$g0" -v b="$g1" 'BEGIN { split(a, x, " "); split(b, y, " ");
      printf "  about %.1f KB allocated per request (%d young collections, eden %d KB)\n", ((y[13] - x[13]) * y[5] + y[6] - x[6]) / n, y[13] - x[13], y[5] }'
  awk -v n="$n" -v by="${CSW_BY_THREAD:-0}" 'FNR == 1 { f++ } { v[f, $1] += $2; i[f, $1] += $3; names[$1] = 1 }
      END { for (k in names) { dv = v[2, k] - v[1, k]; di = i[2, k] - i[1, k]; tv += dv; ti += di
              if (by && dv + di > n / 100) line = line sprintf(" %s %.2f/%.2f", k, dv / n, di / n) }
            printf "  %.2f context switches per request (%.2f voluntary, %.2f involuntary)\n", (tv + ti) / n, tv / n, ti / n
            if (by) print "  by thread (voluntary/involuntary per request):" line }' <(echo "$s0") <(echo "$s1")
  grep -q 'Non-2xx' <<<"$out" && grep 'Non-2xx' <<<"$out"
done
sleep "${IDLE:-1}"
echo "resident memory ${IDLE:-1} s after the load: $(rss) MB, $(ls /proc/$pid/task | wc -l) threads"
