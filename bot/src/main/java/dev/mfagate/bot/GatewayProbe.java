package dev.mfagate.bot;

import dev.mfagate.bot.gateway.GatewayClient;

/** Asks whether the gateway is reachable at most every few seconds, for {@code /readyz}. Thread-safe. */
final class GatewayProbe {
    private static final long MAX_AGE_NANOS = 5_000_000_000L;

    private final GatewayClient gateway;
    private long checkedNanos;
    private boolean reachable;
    private boolean checked;

    GatewayProbe(GatewayClient gateway) {
        this.gateway = gateway;
    }

    synchronized boolean reachable() {
        long now = System.nanoTime();
        if (!checked || now - checkedNanos > MAX_AGE_NANOS) {
            reachable = gateway.reachable();
            checkedNanos = now;
            checked = true;
        }
        return reachable;
    }
}
