#!/usr/bin/env bash
# The statements two gateway instances send PostgreSQL per audit batch while they share one chain:
# the head reads, the appends (a miss is an append that wrote nothing) and the bucket transactions.
# Two instances as shipped (bin/mfagate serve, its defaults) on a new database whose statements
# PostgreSQL logs (`log_statement = 'all'` for that database only), wrk over both for WARMUP s,
# then the statements logged during DURATION s of load, counted by kind, and the batches committed
# in that time (the head's updates, from pg_stat_user_tables). The logging slows PostgreSQL, so the
# request rate printed says little; the statements per batch are the figure.
#
# Usage: bench/chain-statements.sh
#   env: PG_HOST (127.0.0.1:5432), PG_USER (postgres, trust), PG_LOG (the server's log file,
#        /var/log/postgresql/postgresql-15-main.log: it must be readable here), JAR, PORT (18283;
#        uses PORT and PORT+1), WARMUP (10), DURATION (5), CONNECTIONS (32)
# Needs: a local PostgreSQL logging to PG_LOG, wrk, psql, curl. Loopback only; bounded; the
# database is dropped at the end, also on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
PG_HOST=${PG_HOST:-127.0.0.1:5432}; PG_USER=${PG_USER:-postgres}
PG_LOG=${PG_LOG:-/var/log/postgresql/postgresql-15-main.log}
PORT=${PORT:-18283}; WARMUP=${WARMUP:-10}; DURATION=${DURATION:-5}; CONNECTIONS=${CONNECTIONS:-32}
export MFAGATE_JAR=${JAR:-gateway/target/mfagate.jar}
for tool in wrk psql curl; do command -v $tool >/dev/null || { echo "bench: needs $tool" >&2; exit 1; }; done
[ -r "$PG_LOG" ] || { echo "bench: cannot read PostgreSQL's log $PG_LOG (set PG_LOG)" >&2; exit 1; }
admin="postgresql://$PG_USER@$PG_HOST/postgres"
db="mfagate_stmts_$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
url="postgresql://$PG_USER@$PG_HOST/$db"
work=$(mktemp -d); pids=()
cleanup() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql -q "$admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
psql -q "$admin" -c "CREATE DATABASE $db" -c "ALTER DATABASE $db SET log_statement = 'all'"
bin/mfagate aot --quiet
bin/mfagate init --data-dir "$work/pg" --database "$url" >/dev/null
TOKEN=$(bin/mfagate token create --data-dir "$work/pg" --database "$url" --name bench --labels 'bench-*' 2>/dev/null)
head -c 20 /dev/urandom | base32 | bin/mfagate seed add --data-dir "$work/pg" --database "$url" bench-aws >/dev/null  # thrown away
limits=(--rate-limit-label 1000000000/1s --rate-limit-principal 1000000000/1s --rate-limit-token 1000000000/1s)
bin/mfagate serve --port "$PORT" --metrics-port 0 "${limits[@]}" --data-dir "$work/pg" --database "$url" >"$work/a.log" 2>&1 &
pids+=($!)
MFAGATE_KEYSET="$(cat "$work/pg/keyset.json")" bin/mfagate serve --port $((PORT + 1)) --metrics-port 0 "${limits[@]}" \
  --data-dir "$work/none" --database "$url" >"$work/b.log" 2>&1 &
pids+=($!)
for p in "$PORT" $((PORT + 1)); do
  for _ in $(seq 600); do
    curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$p/totp/bench/aws" && continue 2
    sleep 0.05
  done
  echo "bench: the instance on $p did not serve a code"; cat "$work"/*.log; exit 1
done
load() { WRK_PORTS=$PORT,$((PORT + 1)) wrk -t2 -c"$CONNECTIONS" -d"$1s" -s bench/multi-instance.lua \
  -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/totp/bench/aws"; }
load "$WARMUP" >/dev/null
# Batches committed (the head's updates) and entries, as PostgreSQL's statistics count them; they
# are published with a delay of up to a second, so read after a pause.
stats() { sleep 1.2; psql -tAq "$url" -c "SELECT (SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = 'audit_head')
  || ' ' || (SELECT n_tup_ins FROM pg_stat_user_tables WHERE relname = 'audit_entry')"; }
s0=$(stats); o0=$(stat -c %s "$PG_LOG")
load "$DURATION" >"$work/wrk.txt"
o1=$(stat -c %s "$PG_LOG"); s1=$(stats)
tail -c +$((o0 + 1)) "$PG_LOG" | head -c $((o1 - o0)) | grep -F "@$db " >"$work/statements.log" || true
count() { grep -cE "$1" "$work/statements.log" || true; }
appends=$(count 'execute [^:]*: WITH head AS')
reads=$(count 'execute [^:]*: SELECT h\.seq, h\.mac')
buckets=$(count 'execute [^:]*: SELECT state as state FROM rate_limit_bucket')
requests=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
read -r u0 i0 <<<"$s0"; read -r u1 i1 <<<"$s1"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); jar $MFAGATE_JAR"
echo "load: $requests requests in ${DURATION}s over two instances ($(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt") req/s, slowed by the logging)"
awk -v r="$requests" -v a="$appends" -v h="$reads" -v b="$buckets" -v du=$((u1 - u0)) -v di=$((i1 - i0)) 'BEGIN {
  per = di / du; batches = r / per
  printf "entries per batch: %.1f (%d batches committed, %d entries, in the statistics'\'' window)\n", per, du, di
  printf "per batch: %.2f appends (%.2f of them misses), %.2f head reads; bucket transactions per request: %.3f\n",
    a / batches, (a - batches) / batches, h / batches, b / r }'
