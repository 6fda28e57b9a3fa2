#!/usr/bin/env bash
# Reply latency while many code replies expire in the same second (Zulip emulator + real gateway in demo
# mode + real bot with its default outbound rate guard). Bounded: a few rounds, then it stops.
#
# Usage: bench/bot-latency/expiry-load.sh [rounds, default 5] [expiring per round, default 90] [samples per round, default 5]
set -euo pipefail
cd "$(dirname "$0")/../.."
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
cp_file=$(mktemp); trap 'rm -f "$cp_file"' EXIT
# Builds the gateway jar and the bot's test classes, and writes the bot's test classpath.
./mvnw -B -q -pl bot -am package -DskipTests dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null
exec $JAVA -Dmfagate.gateway.jar=gateway/target/mfagate.jar -Dlogback.configurationFile=bench/bot-latency/logback-bench.xml \
  -cp "bot/target/test-classes:bot/target/classes:$(cat "$cp_file")" dev.mfagate.bot.bench.ExpiryLoadBench "$@"
