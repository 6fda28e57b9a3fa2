#!/usr/bin/env bash
# What metrics and JSON logging cost on the code-request throughput, in one run: the same load
# against `mfagate serve` with Prometheus metrics on and every audit entry logged as a JSON line
# (the default), then with --no-metrics and MFAGATE_AUDIT_LOG=off. Policy, rate limiting (limits
# raised) and durable audit stay on in both. Bounded; loopback only; servers stopped at the end.
#   env: CONNECTIONS (32), THREADS (2), DURATION (20), WARMUP (15), ROUNDS (2), JAVA_OPTS
set -euo pipefail
cd "$(dirname "$0")/.."
CONNECTIONS=${CONNECTIONS:-32}; THREADS=${THREADS:-2}; DURATION=${DURATION:-20}; WARMUP=${WARMUP:-15}; ROUNDS=${ROUNDS:-2}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
JAR=gateway/target/mfagate.jar
[ -f "$JAR" ] || { echo "build first: ./mvnw -B -q package -DskipTests" >&2; exit 1; }
work=$(mktemp -d); pid=; trap '[ -n "$pid" ] && kill $pid 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
export MFAGATE_DATA_DIR="$work/data"
$JAVA -jar "$JAR" init >/dev/null 2>&1
TOKEN=$($JAVA -jar "$JAR" token create --name bench --labels 'bench-*' 2>/dev/null)
head -c 20 /dev/urandom | base32 | $JAVA -jar "$JAR" seed add bench-aws >/dev/null 2>&1
LIMITS="--rate-limit-label 1000000000/1s --rate-limit-principal 1000000000/1s --rate-limit-token 1000000000/1s"

run() { # name audit-log-setting extra-flags
  MFAGATE_AUDIT_LOG=$2 $JAVA ${JAVA_OPTS:-} -jar "$JAR" serve --port 18183 $LIMITS $3 >"$work/serve.log" 2>"$work/serve.err" &
  pid=$!
  until curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" http://127.0.0.1:18183/totp/bench/aws; do sleep 0.05; done
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -H "Authorization: Bearer $TOKEN" http://127.0.0.1:18183/totp/bench/aws >/dev/null
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Authorization: Bearer $TOKEN" http://127.0.0.1:18183/totp/bench/aws)
  printf '%-52s %10s req/s  p50 %8s  p99 %8s  log lines %s\n' "$1" "$(echo "$out" | awk '/Requests\/sec/ {print $2}')" \
    "$(echo "$out" | awk '$1=="50%" {print $2}')" "$(echo "$out" | awk '$1=="99%" {print $2}')" "$(wc -l < "$work/serve.err")"
  kill $pid; wait $pid 2>/dev/null || true; pid=
}
for r in $(seq 1 "$ROUNDS"); do
  run "round $r: metrics on, JSON audit log on (default)" INFO ""
  run "round $r: metrics off, audit log off" OFF "--no-metrics"
done
