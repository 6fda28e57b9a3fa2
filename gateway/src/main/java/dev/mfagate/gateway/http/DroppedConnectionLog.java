package dev.mfagate.gateway.http;

import java.net.InetAddress;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs dropped connections without letting a flood of them flood the log: the first drop is
 * logged at once, later ones are summed into at most one warning a minute (counts by reason and the
 * latest peer). Passes every drop on to {@code next} (the metrics). Thread-safe.
 */
public final class DroppedConnectionLog implements ConnectionDrop.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(DroppedConnectionLog.class);
    private static final long INTERVAL_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(1);

    private final ConnectionDrop.Listener next;
    private final Map<ConnectionDrop, Long> pending = new EnumMap<>(ConnectionDrop.class);
    private InetAddress latest;
    private long nextLogNanos = System.nanoTime();

    /** @param next told of every drop (for example the metrics) */
    public DroppedConnectionLog(ConnectionDrop.Listener next) {
        this.next = Objects.requireNonNull(next, "next");
    }

    @Override
    public void dropped(ConnectionDrop drop, InetAddress peer) {
        next.dropped(drop, peer);
        String line;
        synchronized (this) {
            pending.merge(drop, 1L, Long::sum);
            latest = peer;
            long now = System.nanoTime();
            if (now - nextLogNanos < 0) {
                return;
            }
            nextLogNanos = now + INTERVAL_NANOS;
            StringJoiner counts = new StringJoiner(", ");
            pending.forEach((d, n) -> counts.add(d.reason() + " " + n));
            pending.clear();
            line = counts + "; latest from " + (latest == null ? "an unknown address" : latest.getHostAddress());
        }
        LOG.warn("Dropped connections without an answer ({}); at most one such line a minute", line);
    }
}
