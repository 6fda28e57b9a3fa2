#!/usr/bin/env bash
# Load benchmark of the gateway over loopback: cold start to first code, authenticated
# GET /totp/{client}/{service} throughput and latency with wrk, and resident memory afterwards.
# Bounded: each wrk run lasts DURATION seconds; the server is stopped at the end.
#
# Usage: bench/gateway-load.sh [extra 'mfagate serve' flags...]
#   env: CONNECTIONS (32), THREADS (2), DURATION (20), WARMUP (5), PORT (18080), JAR
set -euo pipefail
cd "$(dirname "$0")/.."
CONNECTIONS=${CONNECTIONS:-32}; THREADS=${THREADS:-2}; DURATION=${DURATION:-20}; WARMUP=${WARMUP:-5}; PORT=${PORT:-18080}
JAR=${JAR:-gateway/target/mfagate.jar}
command -v wrk >/dev/null || { echo "bench: needs wrk (apt-get install wrk)" >&2; exit 1; }
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
[ -f "$JAR" ] || { echo "bench: build first: ./mvnw -B -q package -DskipTests" >&2; exit 1; }

work=$(mktemp -d); trap 'kill $pid 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
export MFAGATE_DATA_DIR="$work/data"
$JAVA -jar "$JAR" init >/dev/null
TOKEN=$($JAVA -jar "$JAR" token create --name bench --labels 'bench-*' 2>/dev/null)
# A random, throw-away seed (never a real one).
head -c 20 /dev/urandom | base32 | $JAVA -jar "$JAR" seed add bench-aws >/dev/null

# Policy, rate limiting and durable audit stay on; the limits are raised so they do not cap the load.
LIMITS="--rate-limit-label 1000000000/1s --rate-limit-principal 1000000000/1s --rate-limit-token 1000000000/1s"
# Cold start: time from exec to the first code served. The first start also writes a class-data
# sharing archive (-XX:+AutoCreateSharedArchive, as the systemd unit and the image do); the second
# start is measured with it.
CDS="-XX:+AutoCreateSharedArchive -XX:SharedArchiveFile=$work/mfagate.jsa"
start_server() {
  start_ns=$(date +%s%N)
  $JAVA $CDS ${JAVA_OPTS:-} -jar "$JAR" serve --port "$PORT" $LIMITS "$@" >"$work/serve.log" 2>&1 &
  pid=$!
  until curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/totp/bench/aws"; do
    kill -0 $pid 2>/dev/null || { echo "bench: server died"; cat "$work/serve.log"; exit 1; }
    sleep 0.005
  done
  first_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
}
start_server "$@"
echo "cold start to first served code, no class-data archive yet: ${first_ms} ms"
kill $pid; wait $pid 2>/dev/null || true
start_server "$@"
echo "cold start to first served code, with the class-data archive: ${first_ms} ms"

wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/totp/bench/aws" >/dev/null
echo "--- wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s GET /totp/bench/aws (after ${WARMUP}s warm-up)"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/totp/bench/aws" | tee "$work/wrk.txt"
non2xx=$(grep -o 'Non-2xx or 3xx responses: [0-9]*' "$work/wrk.txt" || true)
[ -n "$non2xx" ] && echo "bench: WARNING $non2xx"
rss_kb=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
echo "resident memory after load: $((rss_kb / 1024)) MB"
