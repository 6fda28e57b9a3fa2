package dev.mfagate.gateway;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.commons.net.ntp.NTPUDPClient;
import org.apache.commons.net.ntp.TimeInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares the local clock with an NTP server (SNTP, RFC 4330, via Apache Commons Net) every
 * {@code interval}. A wrong clock gives wrong codes, so a skew above the threshold turns readiness
 * degraded, logs a warning and shows in the {@code mfagate_clock_skew_seconds} gauge.
 *
 * <p>Lifecycle: {@link #start()} once, {@link #close()} once. Thread-safe.
 */
public final class ClockCheck implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClockCheck.class);

    private final String server;
    private final int port;
    private final Duration threshold;
    private final Duration interval;
    private final GatewayMetrics metrics;
    private final AtomicReference<String> state = new AtomicReference<>("not checked yet");
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mfagate-clock-check");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param server the NTP server's host name or address
     * @param port its UDP port (123)
     * @param threshold the largest acceptable skew
     * @param interval how often to ask
     */
    public ClockCheck(String server, int port, Duration threshold, Duration interval, GatewayMetrics metrics) {
        this.server = Objects.requireNonNull(server, "server");
        this.port = port;
        this.threshold = threshold;
        this.interval = interval;
        this.metrics = metrics;
    }

    /** Starts checking now and then every interval. */
    public ClockCheck start() {
        scheduler.scheduleWithFixedDelay(this::checkNow, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** Asks the server once; returns the new state ({@code ok} or a reason). */
    public String checkNow() {
        NTPUDPClient client = new NTPUDPClient();
        client.setDefaultTimeout(Duration.ofSeconds(3));
        try {
            client.open();
            TimeInfo info = client.getTime(InetAddress.getByName(server), port);
            info.computeDetails();
            Long offsetMs = info.getOffset();
            if (offsetMs == null) {
                state.set("ntp answer without offset");
                return state.get();
            }
            // NTP's offset is reference minus local; the gauge shows local minus reference.
            Duration skew = Duration.ofMillis(-offsetMs);
            metrics.clockSkew(skew);
            if (skew.abs().compareTo(threshold) > 0) {
                String s = "clock skew " + skew.toMillis() + " ms exceeds " + threshold.toMillis() + " ms against " + server;
                if (!s.equals(state.getAndSet(s))) {
                    LOG.warn("Clock skew {} ms against NTP server {} exceeds {} ms: codes may be wrong", skew.toMillis(), server, threshold.toMillis());
                }
            } else {
                state.set("ok");
            }
        } catch (IOException e) {
            state.set("ntp server " + server + " unreachable: " + e.getClass().getSimpleName());
        } finally {
            client.close();
        }
        return state.get();
    }

    /** {@code ok}, or why the clock is not trusted. */
    public String state() {
        return state.get();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
