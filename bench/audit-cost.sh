#!/usr/bin/env bash
# The cost of the durable audit trail, in one run: the same load against `mfagate serve` (policy,
# rate limiting, durable group-committed audit) and against the same wiring with audit entries
# dropped (dev.mfagate.bench.GatewayWithoutAudit). Bounded; loopback only; servers stopped at the end.
#   env: CONNECTIONS (32), THREADS (2), DURATION (20), WARMUP (15), JAVA_OPTS
set -euo pipefail
cd "$(dirname "$0")/.."
CONNECTIONS=${CONNECTIONS:-32}; THREADS=${THREADS:-2}; DURATION=${DURATION:-20}; WARMUP=${WARMUP:-15}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
[ -f bench/target/benchmarks.jar ] || { echo "build first: ./mvnw -B -q package -DskipTests" >&2; exit 1; }
work=$(mktemp -d); pid=; trap '[ -n "$pid" ] && kill $pid 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

load() { # name url token
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -H "Authorization: Bearer $3" "$2" >/dev/null
  echo "--- $1: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Authorization: Bearer $3" "$2" | grep -E "Requests/sec|50%|99%|Non-2xx"
}

$JAVA ${JAVA_OPTS:-} -cp bench/target/benchmarks.jar dev.mfagate.bench.GatewayWithoutAudit 18181 >"$work/token" 2>"$work/noaudit.log" &
pid=$!
until [ -s "$work/token" ]; do sleep 0.1; done
load "without audit (entries dropped)" http://127.0.0.1:18181/totp/bench/aws "$(head -1 "$work/token")"
kill $pid; wait $pid 2>/dev/null || true; pid=

export MFAGATE_DATA_DIR="$work/data"
$JAVA -jar gateway/target/mfagate.jar init >/dev/null 2>&1
TOKEN=$($JAVA -jar gateway/target/mfagate.jar token create --name bench --labels 'bench-*' 2>/dev/null)
head -c 20 /dev/urandom | base32 | $JAVA -jar gateway/target/mfagate.jar seed add bench-aws >/dev/null 2>&1
MFAGATE_AUDIT_LOG=OFF $JAVA ${JAVA_OPTS:-} -jar gateway/target/mfagate.jar serve --port 18182 --metrics-port 18192 \
  --rate-limit-label 1000000000/1s --rate-limit-principal 1000000000/1s --rate-limit-token 1000000000/1s >"$work/serve.log" 2>&1 &
pid=$!
until curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" http://127.0.0.1:18182/totp/bench/aws; do sleep 0.05; done
load "with durable audit (SQLite, synchronous=FULL, group commit)" http://127.0.0.1:18182/totp/bench/aws "$TOKEN"
curl -s http://127.0.0.1:18192/metrics | awk '/^mfagate_audit_batch_size_(sum|count)/ {v[$1]=$2} END {if (v["mfagate_audit_batch_size_count"]>0) printf "audit batches: %d, mean entries per commit: %.1f\n", v["mfagate_audit_batch_size_count"], v["mfagate_audit_batch_size_sum"]/v["mfagate_audit_batch_size_count"]}'
