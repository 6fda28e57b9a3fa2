package dev.mfagate.gateway.http;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.component.AbstractLifeCycle;

/**
 * Closes a connection whose request does not arrive whole (request line and headers) within a
 * fixed time, however its bytes trickle in. Jetty's idle timeout starts again with every byte
 * received, so a client sending one header line every few seconds would hold its connection for
 * ever; this deadline does not move.
 *
 * <p>The clock starts when the connection opens (for its first request) and, on a kept-alive
 * connection, when the first byte of the next request is seen; a connection that stays silent
 * between requests is left to the idle timeout. While a request is being handled nothing is
 * checked. A sweep every quarter of the timeout (at most every 250 ms) compares the bytes each
 * HTTP/1.1 connection has read with what it had read when its last request ended, so a deadline
 * is enforced within that much of its time.
 *
 * <p>Install it on the connector as a bean (it is a {@link Connection.Listener} and a life cycle)
 * and on the {@link HttpConfiguration} as a customizer (Jetty calls that once a request's headers
 * are complete). Thread-safe.
 */
public final class RequestHeaderTimeout extends AbstractLifeCycle implements Connection.Listener, HttpConfiguration.Customizer {

    private final long timeoutNanos;
    private final long sweepMillis;
    private final ConnectionDrop.Listener listener;
    private final Map<Connection, Progress> open = new ConcurrentHashMap<>();
    private volatile ScheduledExecutorService sweeper;

    /**
     * @param timeout how long a request may take to arrive whole
     * @param listener told of every connection closed for being late
     */
    public RequestHeaderTimeout(Duration timeout, ConnectionDrop.Listener listener) {
        if (timeout.toMillis() < 1) {
            throw new IllegalArgumentException("Invalid request header timeout " + timeout + "; must be at least 1 ms");
        }
        this.timeoutNanos = timeout.toNanos();
        this.sweepMillis = Math.max(10, Math.min(250, timeout.toMillis() / 4));
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    @Override
    protected void doStart() {
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mfagate-request-header-timeout");
            t.setDaemon(true);
            return t;
        });
        s.scheduleWithFixedDelay(this::sweep, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
        sweeper = s;
    }

    @Override
    protected void doStop() {
        ScheduledExecutorService s = sweeper;
        if (s != null) {
            s.shutdownNow();
        }
        open.clear();
    }

    @Override
    public void onOpened(Connection connection) {
        // Only the HTTP connection knows requests; a TLS connection beneath it is covered through it.
        if (connection instanceof ConnectionMetaData) {
            open.put(connection, new Progress(System.nanoTime()));
        }
    }

    @Override
    public void onClosed(Connection connection) {
        open.remove(connection);
    }

    @Override
    public Request customize(Request request, HttpFields.Mutable responseHeaders) {
        Connection connection = request.getConnectionMetaData().getConnection();
        Progress progress = open.get(connection);
        if (progress != null) {
            progress.handling = true;
            Request.addCompletionListener(request, failure -> progress.ended(connection.getBytesIn()));
        }
        return request;
    }

    /** How many connections are being watched (open HTTP connections). */
    public int watched() {
        return open.size();
    }

    private void sweep() {
        long now = System.nanoTime();
        open.forEach((connection, progress) -> {
            if (progress.isLate(now, connection.getBytesIn(), timeoutNanos)) {
                open.remove(connection);
                InetAddress peer = connection instanceof ConnectionMetaData m
                        && m.getRemoteSocketAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
                connection.getEndPoint().close();
                listener.dropped(ConnectionDrop.REQUEST_HEADER_TIMEOUT, peer);
            }
        });
    }

    /** Where one connection is: handling a request, or receiving one since {@link #startedNanos}. */
    private static final class Progress {
        private static final long NOT_STARTED = Long.MIN_VALUE;
        volatile boolean handling;
        /** Bytes read when the last request ended: more means the next one has begun. */
        volatile long bytesAtLastEnd;
        /** When the request now arriving began, or {@link #NOT_STARTED}. */
        volatile long startedNanos;

        Progress(long openedNanos) {
            this.startedNanos = openedNanos;
        }

        void ended(long bytesIn) {
            bytesAtLastEnd = bytesIn;
            startedNanos = NOT_STARTED;
            handling = false;
        }

        /** Called by the sweeper only. */
        boolean isLate(long now, long bytesIn, long timeoutNanos) {
            if (handling) {
                return false;
            }
            long started = startedNanos;
            if (started == NOT_STARTED) {
                if (bytesIn > bytesAtLastEnd) {
                    startedNanos = now;
                }
                return false;
            }
            return now - started > timeoutNanos;
        }
    }
}
