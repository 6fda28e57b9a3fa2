package dev.mfagate.bot;

import static net.logstash.logback.argument.StructuredArguments.kv;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares the bot's clock with the Zulip server's {@code Date} header. Codes are only as good as the
 * clocks: when skew passes the threshold, readiness turns degraded and a warning is logged (once per
 * crossing, not on every response). {@code Date} has whole-second resolution, so a second of the
 * measured skew is noise. Thread-safe.
 */
final class ClockWatch {
    private static final Logger log = LoggerFactory.getLogger(ClockWatch.class);

    private final long thresholdMillis;
    private final BotMetrics metrics;
    private final AtomicLong skewMillis = new AtomicLong();
    private final AtomicBoolean degraded = new AtomicBoolean();

    ClockWatch(Duration threshold, BotMetrics metrics) {
        this.thresholdMillis = threshold.toMillis();
        this.metrics = metrics;
    }

    void observe(Instant serverDate, Instant localReceived) {
        // The header names the whole second the server answered in; compare against the middle of it.
        long skew = localReceived.toEpochMilli() - (serverDate.toEpochMilli() + 500);
        skewMillis.set(skew);
        metrics.clockSkew(skew);
        boolean over = Math.abs(skew) > thresholdMillis;
        if (degraded.compareAndSet(!over, over)) {
            if (over) {
                log.warn("clock skew against the Zulip server is beyond the threshold; readiness degraded {} {}",
                        kv("skew_seconds", skew / 1000.0), kv("threshold_seconds", thresholdMillis / 1000.0));
            } else {
                log.info("clock skew back within the threshold {}", kv("skew_seconds", skew / 1000.0));
            }
        }
    }

    long skewMillis() {
        return skewMillis.get();
    }

    boolean degraded() {
        return degraded.get();
    }
}
