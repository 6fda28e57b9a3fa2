#!/usr/bin/env bash
# Authenticated code requests with durable (group-committed, fail-closed) audit, in one run:
#   1. one instance on SQLite, 2. one instance on PostgreSQL, 3. two instances on one PostgreSQL,
#   then, where the kernel's cpu controller can be written (root, cgroup v1 or v2), the same on
#   emulated hosts: 4. one instance, 5. two instances, each instance in a control group of its own
#   capped at HOST_CPUS cores, PostgreSQL and wrk outside them. Phases 1-3 share the machine's cores
#   between the instances, PostgreSQL and wrk; phases 4-5 give each instance a host's worth of CPU
#   of its own, which is what a second instance on a second host adds.
# The instances run as shipped: bin/mfagate with its defaults and its AOT cache (`bin/mfagate aot`).
# Loopback only. Bounded: each phase warms up WARMUP s and measures DURATION s with wrk; every
# server is stopped and the benchmark database dropped at the end, also on failure. Rate limits
# are raised so that they do not cap the load (the buckets are still taken: on PostgreSQL in leases
# of up to 256 tokens, one row-locking transaction per lease). After phase 3 the shared audit chain
# is verified. Each phase also prints the CPU time per request of the gateways and of their
# PostgreSQL backends (from /proc), the figure a shared machine disturbs least.
#
# Usage: bin/with-jdk bench/multi-instance.sh   (it runs `java` from JAVA_HOME or PATH, which must be 21+)
#   env: CONNECTIONS (32, split over the instances), DURATION (15), WARMUP (5), PORT (18180; uses
#        PORT..PORT+4), PG_HOST (127.0.0.1:5432), PG_USER (postgres; trust or ~/.pgpass), JAR (the jar
#        bin/mfagate runs), JAVA_OPTS (added to the launcher's flags), HOSTS (on; off skips phases 4-5),
#        HOST_CPUS (0.3: each emulated host's share of a core, small enough that two of them,
#        PostgreSQL and wrk fit in two cores), HOST_WARMUP (15 s: both instances of phases 4-5
#        together, before they are capped)
set -euo pipefail
cd "$(dirname "$0")/.."
CONNECTIONS=${CONNECTIONS:-32}; DURATION=${DURATION:-15}; WARMUP=${WARMUP:-5}; PORT=${PORT:-18180}
PG_HOST=${PG_HOST:-127.0.0.1:5432}; PG_USER=${PG_USER:-postgres}
PG_ADMIN_URL="postgresql://$PG_USER@$PG_HOST/postgres"
JAR=${JAR:-gateway/target/mfagate.jar}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
for tool in wrk psql curl; do
  command -v $tool >/dev/null || { echo "bench: needs $tool" >&2; exit 1; }
done
[ -f "$JAR" ] || { echo "bench: build first: ./mvnw -B -q -pl gateway -am package -DskipTests" >&2; exit 1; }

work=$(mktemp -d)
db="mfagate_bench_$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
pids=()
groups=()
cleanup() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for g in "${groups[@]:-}"; do [ -n "$g" ] && rmdir "$g" 2>/dev/null || true; done
  psql -q "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
limits=(--rate-limit-label 1000000000/1s --rate-limit-principal 1000000000/1s --rate-limit-token 1000000000/1s)
export MFAGATE_JAR=$JAR
mfagate() { bin/mfagate "$@"; }

echo "=== machine"
echo "cpus: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
echo "java: $($JAVA -version 2>&1 | head -1)"
echo "postgresql: $(psql -tAq "$PG_ADMIN_URL" -c 'SHOW server_version')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wrk: $CONNECTIONS connections, ${WARMUP}s warm-up, ${DURATION}s measured per phase"
# The caches an install makes; the instances then start as the shipped launcher starts them.
mfagate aot --quiet

# $1 data dir, $2 database URL or "" -> prints a new token; adds the throw-away seed bench-aws.
prepare() {
  local dir=$1 url=$2 dbargs=()
  [ -n "$url" ] && dbargs=(--database "$url")
  mfagate init --data-dir "$dir" "${dbargs[@]}" >/dev/null
  mfagate token create --data-dir "$dir" "${dbargs[@]}" --name bench --labels 'bench-*' 2>/dev/null
  # A random, throw-away seed (never a real one).
  head -c 20 /dev/urandom | base32 | mfagate seed add --data-dir "$dir" "${dbargs[@]}" bench-aws >/dev/null
}

# $1 port, rest: extra serve flags/env handled by caller -> starts a server, waits for a code.
# With HOST_GROUP set, the server runs in that control group (see host_group).
serve() {
  local port=$1; shift
  # Metrics on any free port: the instances share this host.
  (
    [ -z "${HOST_GROUP:-}" ] || echo "$BASHPID" >"$HOST_GROUP/cgroup.procs"
    exec bin/mfagate serve --port "$port" --metrics-port 0 "${limits[@]}" "$@"
  ) >"$work/serve-$port.log" 2>&1 &
  pids+=($!)
  until curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$port/totp/bench/aws"; do
    kill -0 "${pids[-1]}" 2>/dev/null || { echo "bench: server on $port died"; cat "$work/serve-$port.log"; exit 1; }
    sleep 0.05
  done
}

stop_all() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=()
}

# CPU time (user + system, in clock ticks) of the given processes, from /proc/<pid>/stat.
cpu_ticks() {
  local sum=0 p
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] && sum=$((sum + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$sum"
}

# The PostgreSQL backends serving the benchmark database (none on SQLite).
pg_backends() {
  [ -n "${url:-}" ] || return 0
  psql -tAq "$PG_ADMIN_URL" -c "SELECT pid FROM pg_stat_activity WHERE datname = '$db'"
}

# $1 label, $2 comma-separated ports -> one wrk run spread over the ports. Besides wrk's figures it
# prints the CPU time the gateways and their PostgreSQL backends spent per request served, which a
# busy, shared machine disturbs far less than the request rate.
measure() {
  local label=$1 ports=$2 n
  n=$(tr ',' '\n' <<<"$ports" | wc -l)
  WRK_PORTS=$ports wrk -t"$n" -c"$CONNECTIONS" -d"${WARMUP}s" -s bench/multi-instance.lua \
      -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:${ports%%,*}/totp/bench/aws" >/dev/null
  echo "--- $label: wrk -t$n -c$CONNECTIONS -d${DURATION}s GET /totp/bench/aws"
  local backends java0 pg0 java1 pg1
  backends=$(pg_backends | tr '\n' ' ')
  java0=$(cpu_ticks "${pids[@]}"); pg0=$(cpu_ticks $backends)
  WRK_PORTS=$ports wrk -t"$n" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/multi-instance.lua \
      -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:${ports%%,*}/totp/bench/aws" | tee "$work/wrk.txt"
  java1=$(cpu_ticks "${pids[@]}"); pg1=$(cpu_ticks $backends)
  local rps p50 p99 non2xx requests tick java_us pg_us
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
  p50=$(awk '$1 == "50%" {print $2}' "$work/wrk.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")
  non2xx=$(grep -o 'Non-2xx or 3xx responses: [0-9]*' "$work/wrk.txt" | grep -o '[0-9]*$' || echo 0)
  requests=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
  tick=$(getconf CLK_TCK)
  java_us=$(( (java1 - java0) * 1000000 / tick / requests ))
  pg_us=$(( (pg1 - pg0) * 1000000 / tick / requests ))
  echo "CPU per request: gateway ${java_us} us, PostgreSQL backends ${pg_us} us"
  summary+=("$(printf '%-34s %10s %9s %9s %8s %9s %9s' "$label" "$rps" "$p50" "$p99" "$non2xx" "$java_us" "$pg_us")")
}
summary=()

echo "=== 1. one instance, SQLite"
TOKEN=$(prepare "$work/sqlite" "")
serve "$PORT" --data-dir "$work/sqlite"
measure "SQLite, 1 instance" "$PORT"
stop_all

echo "=== 2. one instance, PostgreSQL"
psql -q "$PG_ADMIN_URL" -c "CREATE DATABASE $db" >/dev/null
url="postgresql://$PG_HOST/$db?user=$PG_USER"
TOKEN=$(prepare "$work/pg" "$url")
serve $((PORT + 1)) --data-dir "$work/pg" --database "$url"
measure "PostgreSQL, 1 instance" "$((PORT + 1))"

echo "=== 3. two instances, one PostgreSQL (the second keyed by MFAGATE_KEYSET)"
MFAGATE_KEYSET="$(cat "$work/pg/keyset.json")" serve $((PORT + 2)) --data-dir "$work/none" --database "$url"
measure "PostgreSQL, 2 instances" "$((PORT + 1)),$((PORT + 2))"
stop_all
echo "--- audit chain after both instances wrote to it"
mfagate audit verify --data-dir "$work/pg" --database "$url"

# A control group standing for a host of its own: $1 its name -> its directory, with no cap yet (see
# cap). cgroup v2 (cpu.max) or v1 (the cpu controller's CFS quota). Fails when neither can be
# written (not root, or a container without the controller).
host_group() {
  local dir
  if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
    dir=/sys/fs/cgroup/$1
    mkdir -p "$dir" 2>/dev/null && echo "max 100000" >"$dir/cpu.max" 2>/dev/null || return 1
  elif [ -d /sys/fs/cgroup/cpu ]; then
    dir=/sys/fs/cgroup/cpu/$1
    mkdir -p "$dir" 2>/dev/null && echo 100000 >"$dir/cpu.cfs_period_us" \
      && echo -1 >"$dir/cpu.cfs_quota_us" 2>/dev/null || return 1
  else
    return 1
  fi
  echo "$dir"
}

# Caps the group $1 at HOST_CPUS cores from now on.
cap() {
  local quota
  quota=$(awk -v c="$HOST_CPUS" 'BEGIN { printf "%d", c * 100000 }')
  if [ -f "$1/cpu.max" ]; then echo "$quota 100000" >"$1/cpu.max"; else echo "$quota" >"$1/cpu.cfs_quota_us"; fi
}

# How often the group's cap held its processes back, since the group was made (the kernel's cpu.stat).
throttled() {
  awk -v g="${1##*/}" '$1 == "nr_periods" { p = $2 } $1 == "nr_throttled" { t = $2 }
    END { printf "%s: capped in %d of %d scheduler periods so far\n", g, t, p }' "$1/cpu.stat"
}

HOSTS=${HOSTS:-on}; HOST_CPUS=${HOST_CPUS:-0.3}; HOST_WARMUP=${HOST_WARMUP:-15}
tag=${db#mfagate_bench_}
if [ "$HOSTS" != on ]; then
  echo "=== 4-5. emulated hosts: skipped (HOSTS=$HOSTS)"
elif host_a=$(host_group "mfagate-bench-a-$tag") && groups+=("$host_a") \
    && host_b=$(host_group "mfagate-bench-b-$tag") && groups+=("$host_b"); then
  echo "=== 4-5. two instances, each in a control group of its own (an emulated host), one PostgreSQL"
  HOST_GROUP=$host_a serve $((PORT + 3)) --data-dir "$work/pg" --database "$url"
  MFAGATE_KEYSET="$(cat "$work/pg/keyset.json")" HOST_GROUP=$host_b serve $((PORT + 4)) --data-dir "$work/none" --database "$url"
  # Both warmed alike, before any cap, so that neither measures its compilers: a capped JVM spends
  # its share compiling for longer than any warm-up here.
  echo "--- both warmed up together, uncapped, ${HOST_WARMUP}s; then each capped at $HOST_CPUS cores"
  WRK_PORTS=$((PORT + 3)),$((PORT + 4)) wrk -t2 -c"$CONNECTIONS" -d"${HOST_WARMUP}s" -s bench/multi-instance.lua \
      -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$((PORT + 3))/totp/bench/aws" >/dev/null
  cap "$host_a"; cap "$host_b"
  echo "=== 4. one of them loaded, on its emulated host of $HOST_CPUS cores"
  measure "PostgreSQL, 1 host of $HOST_CPUS CPU" "$((PORT + 3))"
  throttled "$host_a"
  echo "=== 5. both loaded, each on its emulated host of $HOST_CPUS cores"
  measure "PostgreSQL, 2 hosts of $HOST_CPUS CPU" "$((PORT + 3)),$((PORT + 4))"
  throttled "$host_a"; throttled "$host_b"
  stop_all
  echo "--- audit chain after the four instances wrote to it"
  mfagate audit verify --data-dir "$work/pg" --database "$url"
else
  echo "=== 4-5. emulated hosts: skipped (no writable cpu controller under /sys/fs/cgroup: needs root)"
fi

echo
echo "=== summary (loopback, $CONNECTIONS connections, ${DURATION}s each; latencies from wrk;"
echo "    java us / pg us: CPU time per request of the gateway processes / of their PostgreSQL backends)"
printf '%-34s %10s %9s %9s %8s %9s %9s\n' "configuration" "req/s" "p50" "p99" "non-2xx" "java us" "pg us"
printf '%s\n' "${summary[@]}"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'; }
rate() { awk -v l="$1" '{ if (index($0, l) == 1) { print substr($0, 35) + 0; exit } }' < <(printf '%s\n' "${summary[@]}"); }
echo "two instances against one, same cores: $(ratio "$(rate "PostgreSQL, 2 instances")" "$(rate "PostgreSQL, 1 instance")")"
if [ -n "$(rate "PostgreSQL, 2 hosts")" ]; then
  echo "two instances against one, each on its own emulated host: $(ratio "$(rate "PostgreSQL, 2 hosts")" "$(rate "PostgreSQL, 1 host")")"
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
