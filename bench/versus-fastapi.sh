#!/usr/bin/env bash
# mfagate as shipped (bin/mfagate and its defaults, no extra JVM flags, its AOT cache made by
# `bin/mfagate aot` as an install would) beside the FastAPI + pyotp
# peer in bench/fastapi-peer, in one run on this machine: start to first served code, alternating
# wrk rounds against authenticated GET /totp/{client}/{service}, resident memory after the load,
# and the time of the CLI commands an operator types. Loopback only; every run is bounded.
#
# Usage: bench/versus-fastapi.sh
#   env: ROUNDS (3), DURATION (15), WARMUP (5), CONNECTIONS (32), THREADS (2), PORT (18080), PEER_PORT (18090),
#        STARTS (5: starts of each, timed one after the other)
# Needs: a built tree (./mvnw -B -q package -DskipTests), wrk, hyperfine, curl, and Debian's
# python3-fastapi, python3-uvicorn and python3-pyotp.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}; STARTS=${STARTS:-5}; DURATION=${DURATION:-15}; WARMUP=${WARMUP:-5}; CONNECTIONS=${CONNECTIONS:-32}; THREADS=${THREADS:-2}
PORT=${PORT:-18080}; PEER_PORT=${PEER_PORT:-18090}
MFAGATE=bin/mfagate
PY=/usr/bin/python3
for tool in wrk hyperfine curl; do command -v $tool >/dev/null || { echo "bench: needs $tool (apt-get install $tool)" >&2; exit 1; }; done
$PY -c 'import fastapi, uvicorn, pyotp' 2>/dev/null || { echo "bench: needs python3-fastapi python3-uvicorn python3-pyotp" >&2; exit 1; }
[ -f gateway/target/mfagate.jar ] || { echo "bench: build first: ./mvnw -B -q package -DskipTests" >&2; exit 1; }

work=$(mktemp -d); pid=; peer=
trap 'kill $pid $peer 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
export MFAGATE_DATA_DIR="$work/data"
SEED=$(head -c 20 /dev/urandom | base32)   # random and thrown away
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GB", $2/1048576}' /proc/meminfo), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "java: $(bin/with-jdk java -version 2>&1 | head -1); python: $($PY --version 2>&1)"
t0=$(date +%s%N)
if $MFAGATE aot --quiet; then echo "bin/mfagate aot (AOT caches, once per jar and JDK): $(( ($(date +%s%N) - t0) / 1000000 )) ms"; fi
$MFAGATE init >/dev/null 2>&1
TOKEN=$($MFAGATE token create --name bench --labels 'bench-*' 2>/dev/null)
PEER_TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
echo "$SEED" | $MFAGATE seed add bench-aws >/dev/null 2>&1

# Policy, rate limiting and durable audit stay on; limits are raised since the peer has none.
LIMITS="--rate-limit-label 1000000000/1s --rate-limit-principal 1000000000/1s --rate-limit-token 1000000000/1s"
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
# The wait for a start's first code costs the starting server as little CPU as can be: the shell
# tries the port itself (bash's /dev/tcp, no process) and naps on a read that times out (no `sleep`
# process), and curl runs only once the port listens. A curl (and a sleep) every 5 ms from the first
# millisecond took about 0.3 s of CPU from a JVM that starts on the same two cores: starts measured
# that way were 0.3-0.4 s longer (docs/benchmarks.md).
mkfifo "$work/nap"; exec 9<>"$work/nap"
nap() { read -r -t 0.005 -u 9 || true; }
wait_code() { # url token pid
  local port=${1#http://*:}; port=${port%%/*}
  until { : <>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; do
    kill -0 "$3" 2>/dev/null || { echo "bench: server died"; cat "$work"/*.log; exit 1; }
    nap
  done
  until curl -sf -o /dev/null -H "Authorization: Bearer $2" "$1"; do
    kill -0 "$3" 2>/dev/null || { echo "bench: server died"; cat "$work"/*.log; exit 1; }
    nap
  done
}
m_starts=(); p_starts=()
start_mfagate() {
  local t0; t0=$(date +%s%N)
  $MFAGATE serve --port "$PORT" $LIMITS >"$work/mfagate.log" 2>&1 &
  pid=$!
  wait_code "http://127.0.0.1:$PORT/totp/bench/aws" "$TOKEN" $pid
  m_starts+=("$(ms_since "$t0")")
}
start_peer() {
  local t0; t0=$(date +%s%N)
  MFAGATE_SEED_BENCH_AWS="$SEED" PEER_TOKEN="$PEER_TOKEN" \
    $PY -m uvicorn app:app --app-dir bench/fastapi-peer --host 127.0.0.1 --port "$PEER_PORT" >"$work/peer.log" 2>&1 &
  peer=$!
  wait_code "http://127.0.0.1:$PEER_PORT/totp/bench/aws" "$PEER_TOKEN" $peer
  p_starts+=("$(ms_since "$t0")")
}
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# Alternating starts, each process stopped before the next one starts; the last of each keeps running.
for i in $(seq 1 "$STARTS"); do
  start_mfagate; [ "$i" = "$STARTS" ] || { kill $pid; wait $pid 2>/dev/null || true; }
  start_peer; [ "$i" = "$STARTS" ] || { kill $peer; wait $peer 2>/dev/null || true; }
done
echo "--- start to first served code, $STARTS alternating starts (ms)"
echo "mfagate: ${m_starts[*]} (median $(median "${m_starts[@]}"))"
echo "fastapi: ${p_starts[*]} (median $(median "${p_starts[@]}"))"

rss() { echo $(( $(awk '/VmRSS/ {print $2}' /proc/$1/status) / 1024 )); }
load() { # name url token -> "req/s p99ms"
  local out; out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Authorization: Bearer $3" "$2")
  local rps p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  non2xx=$(grep -o 'Non-2xx or 3xx responses: [0-9]*' <<<"$out" || true)
  echo "$1 $rps $p99 ${non2xx:+($non2xx)}"
}
M_URL="http://127.0.0.1:$PORT/totp/bench/aws"; P_URL="http://127.0.0.1:$PEER_PORT/totp/bench/aws"
for p in "$pid" "$peer"; do
  kill -0 "$p" 2>/dev/null || { echo "bench: a server exited before the load (its log follows)"; tail -n 20 "$work"/*.log; exit 1; }
done
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -H "Authorization: Bearer $TOKEN" "$M_URL" >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -H "Authorization: Bearer $PEER_TOKEN" "$P_URL" >/dev/null
echo "--- wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s GET /totp/bench/aws, $ROUNDS alternating rounds after ${WARMUP}s warm-up each"
for r in $(seq 1 "$ROUNDS"); do
  read -r _ m_rps m_p99 m_note < <(load mfagate "$M_URL" "$TOKEN")
  read -r _ p_rps p_p99 p_note < <(load fastapi "$P_URL" "$PEER_TOKEN")
  ratio=$(awk -v a="$m_rps" -v b="$p_rps" 'BEGIN { printf "%.1f", a / b }')
  echo "round $r: mfagate $m_rps req/s p99 $m_p99 $m_note | fastapi $p_rps req/s p99 $p_p99 $p_note | ratio ${ratio}x"
done
echo "--- resident memory after the load: mfagate $(rss $pid) MB, fastapi $(rss $peer) MB"
kill $pid; wait $pid 2>/dev/null || true

# The CLI commands on a small store of their own (the gateway's now holds an audit entry per request).
export MFAGATE_DATA_DIR="$work/cli"
$MFAGATE init >/dev/null 2>&1
$MFAGATE token create --name cli --labels 'bench-*' >/dev/null 2>&1
echo "$SEED" | $MFAGATE seed add bench-aws >/dev/null 2>&1
echo "--- CLI commands (hyperfine -N, ${CLI_RUNS:-10} runs each after 2 warm-ups; a new store of one seed and one token)"
# Wall time, and the CPU time (user + system) that moves less when other work shares the cores.
cli() {
  hyperfine -N -w 2 -r "${CLI_RUNS:-10}" --style basic "$MFAGATE seed list" "$MFAGATE token list" "$MFAGATE audit verify" 2>&1 \
    | grep -E '^Benchmark|Time \(mean|Range' | sed -e 's/^Benchmark [0-9]*: /  /' -e 's/^ *Time/    time/' -e 's/^ *Range/    range/' \
    || echo "bench: hyperfine failed"
}
echo "with the AOT cache (the shipped default once bin/mfagate aot has run):"; cli
echo "without any (MFAGATE_AOT=off: as before the cache exists):"; MFAGATE_AOT=off cli
