#!/usr/bin/env bash
# The bot's latency benchmark over loopback (Zulip emulator + real gateway in demo mode + real bot):
# sequential DM -> reply latency (median, p99; also minus the gateway round trip), and a burst of
# DMs at once (all answered? time to the last reply). Bounded: a few hundred DMs, then it stops.
#
# Usage: bench/bot-latency/run.sh [sequential DMs, default 500] [burst size, default 200]
set -euo pipefail
exec "$(dirname "$0")/bench-main.sh" BotLatencyBench "$@"
