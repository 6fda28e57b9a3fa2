#!/usr/bin/env bash
# The bot's resident memory as shipped: bin/mfagate-bot with the launcher's defaults answers one DM,
# then a burst of DMs from as many people (the Zulip emulator and the real gateway in demo mode over
# loopback); prints the bot's VmRSS, VmHWM and thread count when ready, after the burst and 5 s later. Bounded.
#
# Usage: bench/bot-latency/memory.sh [burst size, default 200]
set -euo pipefail
exec "$(dirname "$0")/bench-main.sh" BotMemoryBench "$@"
