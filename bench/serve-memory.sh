#!/usr/bin/env bash
# Resident memory of `mfagate serve` as shipped (bin/mfagate, its defaults and its serve AOT cache)
# under three kinds of client, one after the other on one gateway: kept-alive connections (what
# bench/versus-fastapi.sh measures), connections that live about a second (wrk runs of 1 s, each
# opening CONNECTIONS new ones), and a new connection per request (`Connection: close`, as a script
# calling curl makes). After each phase: the resident memory, the heap's committed size and the
# collections so far. Loopback only; every phase is bounded.
#
# Usage: bin/with-jdk bench/serve-memory.sh
#   env: WARMUP (15), DURATION (15), CHURNS (60: wrk runs of 1 s), CONNECTIONS (32), THREADS (2),
#        PORT (19280), JAVA_OPTS as bin/mfagate reads it (to compare, say, -Xmx48m)
# Needs: a built tree (./mvnw -B -q package -DskipTests), wrk, curl, and the JDK's jcmd on the PATH
# (bin/with-jdk puts it there).
set -euo pipefail
cd "$(dirname "$0")/.."
WARMUP=${WARMUP:-15}; DURATION=${DURATION:-15}; CHURNS=${CHURNS:-60}; CONNECTIONS=${CONNECTIONS:-32}; THREADS=${THREADS:-2}
PORT=${PORT:-19280}
for tool in wrk curl jcmd; do command -v $tool >/dev/null || { echo "bench: needs $tool" >&2; exit 1; }; done
[ -f gateway/target/mfagate.jar ] || { echo "bench: build first: ./mvnw -B -q package -DskipTests" >&2; exit 1; }
work=$(mktemp -d); pid=
trap 'kill $pid 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
export MFAGATE_DATA_DIR="$work/data"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); JAVA_OPTS: ${JAVA_OPTS:-none}"
bin/mfagate aot serve --quiet || true
bin/mfagate init >/dev/null 2>&1
token=$(bin/mfagate token create --name bench --labels 'bench-*' 2>/dev/null)
head -c 20 /dev/urandom | base32 | bin/mfagate seed add bench-aws >/dev/null 2>&1   # random and thrown away
url="http://127.0.0.1:$PORT/totp/bench/aws"
bin/mfagate serve --port "$PORT" --metrics-port 0 \
  --rate-limit-label 1000000000/1s --rate-limit-principal 1000000000/1s --rate-limit-token 1000000000/1s \
  >"$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do curl -sf -o /dev/null -H "Authorization: Bearer $token" "$url" && break; sleep 0.05; done
curl -sf -o /dev/null -H "Authorization: Bearer $token" "$url" || { echo "bench: the gateway did not serve (its log follows)"; tail -n 20 "$work/serve.log"; exit 1; }

rss() { echo $(( $(awk '/VmRSS/ {print $2}' /proc/$pid/status) / 1024 )); }
heap() { # committed young + old, in MB
  jcmd "$pid" GC.heap_info 2>/dev/null | awk '/^ *(DefNew|Tenured|def new|tenured)/ {for (i = 1; i <= NF; i++) if ($i == "total") {v = $(i + 1); sub(/K,?/, "", v); s += v}} END {printf "%d", s / 1024}'
}
gcs() { jcmd "$pid" PerfCounter.print 2>/dev/null | awk -F= '/sun.gc.collector.0.invocations/ {y = $2} /sun.gc.collector.1.invocations/ {f = $2} END {printf "%s young, %s full", y, f}'; }
load() { # wrk args... -> "req/s p99 (errors)"
  wrk -t"$THREADS" -c"$CONNECTIONS" --latency -H "Authorization: Bearer $token" "$@" "$url" \
    | awk '/Requests\/sec/ {r = $2} $1 == "99%" {p = $2} /Socket errors|Non-2xx/ {e = e " " $0} END {printf "%s req/s, p99 %s%s", r, p, e}'
}
report() { echo "$1: resident $(rss) MB, heap committed $(heap) MB, collections $(gcs)"; }

echo "--- 1. kept-alive connections: ${WARMUP}s, then ${DURATION}s measured"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -H "Authorization: Bearer $token" "$url" >/dev/null
echo "    $(load -d"${DURATION}s")"
report "after phase 1"
echo "--- 2. connections of about a second: $CHURNS wrk runs of 1 s, $CONNECTIONS new connections each"
for _ in $(seq 1 "$CHURNS"); do wrk -t"$THREADS" -c"$CONNECTIONS" -d1s -H "Authorization: Bearer $token" "$url" >/dev/null; done
report "after phase 2"
echo "--- 3. a new connection per request (Connection: close): ${DURATION}s"
# wrk counts the server's close after each response as a read or write error; they are not failures.
echo "    $(load -d"${DURATION}s" -H 'Connection: close')"
report "after phase 3"
echo "--- 4. kept-alive connections again: ${DURATION}s"
echo "    $(load -d"${DURATION}s")"
report "after phase 4"
