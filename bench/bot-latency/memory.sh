#!/usr/bin/env bash
# The bot's resident memory as shipped: bin/mfagate-bot with the launcher's defaults answers one DM,
# then a burst of DMs from as many people (the Zulip emulator and the real gateway in demo mode over
# loopback); prints the bot's VmRSS and VmHWM when ready, after the burst and 5 s later. Bounded.
#
# Usage: bench/bot-latency/memory.sh [burst size, default 200]
set -euo pipefail
cd "$(dirname "$0")/../.."
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
cp_file=$(mktemp); trap 'rm -f "$cp_file"' EXIT
# Builds the gateway and bot jars and the bot's test classes, and writes the bot's test classpath.
./mvnw -B -q -pl bot -am package -DskipTests dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null
exec $JAVA -Dmfagate.gateway.jar=gateway/target/mfagate.jar -Dlogback.configurationFile=bench/bot-latency/logback-bench.xml \
  -cp "bot/target/test-classes:bot/target/classes:$(cat "$cp_file")" dev.mfagate.bot.bench.BotMemoryBench "$@"
