#!/usr/bin/env bash
# Exec to the first served code of `mfagate serve`, two builds alternating (A, B, A, B, ...), each
# through its own launcher (bin/mfagate with its defaults) and its own AOT cache, on one store of one
# seed and one token. Per start: the wall time from exec to the first `curl` that got a code, and the
# process's CPU (utime + stime from /proc/<pid>/stat, the launcher's bash before its exec included) at
# that moment, split by thread name (/proc/<pid>/task/*/stat; threads that have ended by then count in
# the total only), and the process's CPU when its port first accepted a connection (tried every
# 5 ms): what the first request costs beyond the start is the difference. On a
# shared machine the CPU figures are the ones to compare. Loopback only; bounded.
#
# Usage: bench/serve-start.sh A_LAUNCHER B_LAUNCHER
#   A_LAUNCHER, B_LAUNCHER: each a bin/mfagate beside its jar (a tree, or an installed layout with lib/)
#   env: STARTS (6: starts of each), PORT (18580), AOT_A and AOT_B (the AOT caches' directories;
#        new temporary ones, made with `aot serve`, unless given), JAVA_OPTS as bin/mfagate reads it
# Needs: curl, and both launchers' jars built.
set -euo pipefail
A=${1:?usage: bench/serve-start.sh A_LAUNCHER B_LAUNCHER}; B=${2:?usage: bench/serve-start.sh A_LAUNCHER B_LAUNCHER}
STARTS=${STARTS:-6}; PORT=${PORT:-18580}
command -v curl >/dev/null || { echo "bench: needs curl" >&2; exit 1; }
work=$(mktemp -d); pid=
trap 'kill $pid 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
export MFAGATE_DATA_DIR="$work/data" MFAGATE_LOG_FORMAT=json
AOT_A=${AOT_A:-$work/aot-a}; AOT_B=${AOT_B:-$work/aot-b}
for side in A B; do
  launcher=${!side}; dir_var=AOT_$side
  MFAGATE_AOT_DIR=${!dir_var} "$launcher" aot serve --quiet
done
MFAGATE_AOT=off "$A" init >/dev/null 2>&1
TOKEN=$(MFAGATE_AOT=off "$A" token create --name bench --labels 'bench-*' 2>/dev/null)
head -c 20 /dev/urandom | base32 | MFAGATE_AOT=off "$A" seed add bench-aws >/dev/null 2>&1   # random and thrown away
# Raised limits: every start asks for one code on the same store.
LIMITS=(--rate-limit-label 1000000000/1s --rate-limit-principal 1000000000/1s --rate-limit-token 1000000000/1s)
URL="http://127.0.0.1:$PORT/totp/bench/aws"
tck=$(getconf CLK_TCK)
ms() { echo $(( $1 * 1000 / tck )); }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
range() { printf '%s\n' "$@" | sort -n | awk 'NR==1 {lo=$1} {hi=$1} END {print lo "-" hi}'; }
declare -A wall cpu listen main c2 c1 other
# The wait for the first code costs the starting server as little CPU as can be (as in
# bench/versus-fastapi.sh): the shell tries the port itself (bash's /dev/tcp), naps on a read that
# times out and reads /proc with builtins, so no process is started until the port listens. A curl
# and a sleep every 5 ms, and a grep of the log every 2 ms, took CPU from the JVM on the same two
# cores (wall times about equal to the process's CPU, as if it had one core).
mkfifo "$work/nap"; exec 9<>"$work/nap"
nap() { read -r -t 0.005 -u 9 || true; }
ticks_of() { # pid: its utime + stime in clock ticks, in REPLY
  local line; read -r line <"/proc/$1/stat"; line=${line##*) }
  local -a f; read -r -a f <<<"$line"; REPLY=$(( f[11] + f[12] ))
}
one_start() { # side launcher aot_dir
  local side=$1 launcher=$2 t0 t1 total=0 name ticks m=0 k2=0 k1=0 o=0 at_listen=
  t0=${EPOCHREALTIME/./}
  MFAGATE_AOT_DIR=$3 timeout 60 "$launcher" serve --port "$PORT" --metrics-port 0 "${LIMITS[@]}" >"$work/serve.log" 2>&1 &
  pid=$!
  # The java process is timeout's child (the launcher execs java in it). Its CPU is noted when the
  # port first accepts a connection ("listen": the first request may cost more), and again at the
  # first code served.
  until { : <>"/dev/tcp/127.0.0.1/$PORT"; } 2>/dev/null; do
    kill -0 $pid 2>/dev/null || { echo "bench: server died"; tail -n 20 "$work/serve.log"; exit 1; }
    nap
  done
  local jpid=; read -r jpid _ <"/proc/$pid/task/$pid/children" || true   # no newline at its end
  ticks_of "$jpid"; at_listen=$REPLY
  until curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" "$URL"; do
    kill -0 $pid 2>/dev/null || { echo "bench: server died"; tail -n 20 "$work/serve.log"; exit 1; }
    nap
  done
  t1=${EPOCHREALTIME/./}
  ticks_of "$jpid"; total=$REPLY
  for t in /proc/$jpid/task/*; do
    name=$(cat "$t/comm" 2>/dev/null) || continue
    ticks=$(awk '{s = $0; sub(/.*\) /, "", s); split(s, f, " "); print f[12] + f[13]}' "$t/stat" 2>/dev/null) || continue
    case "$name" in
      java) m=$((m + ticks)) ;;
      C2*) k2=$((k2 + ticks)) ;;
      C1*) k1=$((k1 + ticks)) ;;
      *) o=$((o + ticks)) ;;
    esac
  done
  kill $pid; wait $pid 2>/dev/null || true
  wall[$side]+=" $(( (t1 - t0) / 1000 ))"; cpu[$side]+=" $(ms $total)"; main[$side]+=" $(ms $m)"
  listen[$side]+=" $(ms "${at_listen:-$total}")"
  c2[$side]+=" $(ms $k2)"; c1[$side]+=" $(ms $k1)"; other[$side]+=" $(ms $o)"
}
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq 1 "$STARTS"); do
  one_start A "$A" "$AOT_A"
  one_start B "$B" "$AOT_B"
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
for side in A B; do
  echo "--- $side (${!side}), $STARTS starts, median (range) in ms"
  for what in wall cpu listen main c2 c1 other; do
    declare -n arr=$what
    # shellcheck disable=SC2086
    printf '%-6s %6s (%s)   %s\n' "$what" "$(median ${arr[$side]})" "$(range ${arr[$side]})" "${arr[$side]}"
  done
done
