#!/usr/bin/env bash
# Reply latency while many code replies expire in the same second (Zulip emulator + real gateway in demo
# mode + real bot with its default outbound rate guard). Bounded: a few rounds, then it stops.
#
# Usage: bench/bot-latency/expiry-load.sh [rounds, default 5] [expiring per round, default 90] [samples per round, default 5]
set -euo pipefail
exec "$(dirname "$0")/bench-main.sh" ExpiryLoadBench "$@"
