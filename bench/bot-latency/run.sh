#!/usr/bin/env bash
# The bot's latency benchmark over loopback (Zulip emulator + real gateway in demo mode + real bot):
# sequential DM -> reply latency (median, p99; also minus the gateway round trip), and a burst of
# DMs at once (all answered? time to the last reply). Bounded: a few hundred DMs, then it stops.
#
# Usage: bench/bot-latency/run.sh [sequential DMs, default 500] [burst size, default 200]
set -euo pipefail
cd "$(dirname "$0")/../.."
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
cp_file=$(mktemp); trap 'rm -f "$cp_file"' EXIT
# Builds the gateway jar and the bot's test classes, and writes the bot's test classpath.
./mvnw -B -q -pl bot -am package -DskipTests dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null
exec $JAVA -Dmfagate.gateway.jar=gateway/target/mfagate.jar -Dlogback.configurationFile=bench/bot-latency/logback-bench.xml \
  -cp "bot/target/test-classes:bot/target/classes:$(cat "$cp_file")" dev.mfagate.bot.bench.BotLatencyBench "$@"
