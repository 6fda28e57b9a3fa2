#!/usr/bin/env bash
# The first seconds of `mfagate serve` under load, as shipped (a launcher, its defaults and its serve
# AOT cache), for one build or several in alternation: the time `aot serve` takes, exec to the first
# served code with the process's CPU by then, then wrk rounds from right after that first code (round
# 1 is the first DURATION seconds of load after a start, with nothing to warm it), each with the
# server's CPU per request (utime + stime from /proc over the round, over the requests wrk counted),
# requests/s and p99, and the resident memory IDLE seconds after the last round. CPU per request moves
# much less than requests/s when other work shares the cores. Loopback only; every run is bounded.
#
# Usage: bench/serve-warmup.sh [LAUNCHER[:JAR]]...
#   Each argument is a build: a launcher (bin/mfagate of some tree) and the jar it runs (MFAGATE_JAR;
#   without one, the launcher's own). No argument: this tree's. Each build gets an AOT cache of its own.
#   env: PAIRS (3: runs of each build, alternating), ROUNDS (2), DURATION (15), CONNECTIONS (32),
#        THREADS (2), PORT (19180), IDLE (15: what bench/versus-fastapi.sh leaves),
#        JAVA_OPTS as the launchers read it (applied to all builds), GC_LOG (1: -Xlog:gc into each
#        run's log, and the count and longest of the pauses per round)
# Needs: a built tree, wrk, curl.
set -euo pipefail
cd "$(dirname "$0")/.."
PAIRS=${PAIRS:-3}; ROUNDS=${ROUNDS:-2}; DURATION=${DURATION:-15}; CONNECTIONS=${CONNECTIONS:-32}; THREADS=${THREADS:-2}
PORT=${PORT:-19180}; IDLE=${IDLE:-15}
for tool in wrk curl; do command -v $tool >/dev/null || { echo "bench: needs $tool (apt-get install $tool)" >&2; exit 1; }; done
[ $# -gt 0 ] || set -- "$PWD/bin/mfagate"
work=$(mktemp -d); pid=
trap 'kill $pid 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
export MFAGATE_LOG_FORMAT=json
hz=$(getconf CLK_TCK)
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# launch BUILD ARGS...: execs the build's launcher with its jar and its own cache directory (so that,
# started with &, $! is the launcher, which execs java: the JVM's pid); run: the same, waited for.
launch() {
  local spec=${builds[$1]} launcher jar b=$1; shift
  launcher=${spec%%:*}; jar=${spec#*:}; [ "$jar" != "$spec" ] || jar=
  MFAGATE_JAR=$jar MFAGATE_AOT_DIR="$work/aot-$b" MFAGATE_AOT=manual exec "$launcher" "$@"
}
run() ( launch "$@" )
builds=("$@")
for b in "${!builds[@]}"; do
  t0=$(date +%s%N)
  run "$b" aot serve --quiet
  echo "build $b (${builds[$b]}): aot serve took $(( ($(date +%s%N) - t0) / 1000000 )) ms, $(ls "$work/aot-$b"/*.aot 2>/dev/null | xargs -r du -m | cut -f1) MB"
done

ticks() { awk '{print $14 + $15}' /proc/$pid/stat; }
mkfifo "$work/nap"; exec 9<>"$work/nap"
nap() { read -r -t 0.005 -u 9 || true; }
rss() { echo $(( $(awk '/VmRSS/ {print $2}' /proc/$pid/status) / 1024 )); }
gc_extra=; [ "${GC_LOG:-0}" = 1 ] && gc_extra="-Xlog:gc:file=$work/gc.log"
for p in $(seq 1 "$PAIRS"); do
  for b in "${!builds[@]}"; do
    export MFAGATE_DATA_DIR="$work/data-$b-$p"
    run "$b" init >/dev/null 2>&1
    token=$(run "$b" token create --name bench --labels 'bench-*' 2>/dev/null)
    head -c 20 /dev/urandom | base32 | run "$b" seed add bench-aws >/dev/null 2>&1   # random and thrown away
    url="http://127.0.0.1:$PORT/totp/bench/aws"
    rm -f "$work/gc.log"
    t0=$(date +%s%N)
    JAVA_OPTS="${JAVA_OPTS:-} $gc_extra" launch "$b" serve --port "$PORT" --metrics-port $((PORT + 1)) \
      --rate-limit-label 1000000000/1s --rate-limit-principal 1000000000/1s --rate-limit-token 1000000000/1s \
      >"$work/serve.log" 2>&1 &
    pid=$!
    # As in bench/serve-start.sh: no process is started until the port listens, so that the wait
    # takes no CPU from the starting JVM on the same cores.
    until { : <>"/dev/tcp/127.0.0.1/$PORT"; } 2>/dev/null; do
      kill -0 $pid 2>/dev/null || { echo "bench: server died"; tail -c 2000 "$work/serve.log"; exit 1; }
      nap
    done
    until curl -sf -o /dev/null -H "Authorization: Bearer $token" "$url"; do
      kill -0 $pid 2>/dev/null || { echo "bench: server died"; tail -c 2000 "$work/serve.log"; exit 1; }
      nap
    done
    first=$(( ($(date +%s%N) - t0) / 1000000 ))
    line="build $b pair $p: first code $first ms, $(( $(ticks) * 1000 / hz )) ms CPU"
    for r in $(seq 1 "$ROUNDS"); do
      g0=$( [ -f "$work/gc.log" ] && grep -c 'Pause' "$work/gc.log" || echo 0)
      t1=$(ticks)
      out=$(timeout $((DURATION + 30)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Authorization: Bearer $token" "$url")
      t2=$(ticks)
      n=$(awk '/requests in/ {print $1}' <<<"$out")
      line+=$(awk -v n="$n" -v t=$((t2 - t1)) -v hz="$hz" -v rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
        -v p99="$(awk '$1=="99%" {print $2}' <<<"$out")" -v r="$r" \
        'BEGIN { printf "; round %d: %.0f req/s, %.0f us CPU/req, p99 %s", r, rps, t * 1e6 / hz / n, p99 }')
      if [ -f "$work/gc.log" ]; then
        line+=$(awk -v g0="$g0" '/Pause/ { k++; if (k > g0) { c++; v = $NF; sub(/ms/, "", v); if (v + 0 > m) m = v + 0; s += v } }
          END { printf " (gc: %d pauses, %.1f ms longest, %.0f ms in all)", c, m, s }' "$work/gc.log")
      fi
      grep -q 'Non-2xx' <<<"$out" && line+=" [$(grep 'Non-2xx' <<<"$out" | xargs)]"
    done
    sleep "$IDLE"
    line+="; $(rss) MB resident ${IDLE} s after, $(( $(ticks) * 1000 / hz )) ms CPU in all, load average $(cut -d' ' -f1 /proc/loadavg)"
    echo "$line"
    kill $pid; wait $pid 2>/dev/null || true; pid=
  done
done
