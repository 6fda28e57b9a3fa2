#!/usr/bin/env bash
# Runs one of the bot's benchmark mains (bot/src/test/java/dev/mfagate/bot/bench) with the bot's test
# class path, after building the gateway and bot jars and the bot's test classes. Used by run.sh,
# expiry-load.sh and memory.sh: bench/bot-latency/bench-main.sh CLASS [ARGS...]
set -euo pipefail
cd "$(dirname "$0")/../.."
main=$1; shift
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
cp_file=$(mktemp); trap 'rm -f "$cp_file"' EXIT
./mvnw -B -q -pl bot -am package -DskipTests dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null
$JAVA -Dmfagate.gateway.jar=gateway/target/mfagate.jar -Dlogback.configurationFile=bench/bot-latency/logback-bench.xml \
  -cp "bot/target/test-classes:bot/target/classes:$(cat "$cp_file")" "dev.mfagate.bot.bench.$main" "$@"
