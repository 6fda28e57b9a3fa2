package dev.mfagate.bot;

/**
 * What {@code /readyz} reports.
 *
 * @param queueRegistered whether the bot holds a Zulip event queue
 * @param gatewayReachable whether the gateway answered HTTP lately
 * @param clockSkewMillis the local clock minus Zulip's {@code Date}, last seen
 * @param clockSkewDegraded whether that skew is beyond the threshold
 */
public record Readiness(boolean queueRegistered, boolean gatewayReachable, long clockSkewMillis, boolean clockSkewDegraded) {

    /** {@code ready}, {@code degraded} (working, but the clock is off) or {@code not_ready}. */
    public String status() {
        if (!queueRegistered || !gatewayReachable) {
            return "not_ready";
        }
        return clockSkewDegraded ? "degraded" : "ready";
    }

    /** The JSON body of {@code /readyz}. */
    public String toJson() {
        return "{\"status\":\"" + status() + "\",\"zulip_queue_registered\":" + queueRegistered + ",\"gateway_reachable\":" + gatewayReachable
                + ",\"clock_skew_seconds\":" + (clockSkewMillis / 1000.0) + ",\"clock_skew_degraded\":" + clockSkewDegraded + "}";
    }
}
