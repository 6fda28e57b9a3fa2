package dev.mfagate.gateway.http;

import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.internal.HttpConnection;

/**
 * Jetty's HTTP/1.1 connections, except that a connection reads its socket on one thread at a time.
 *
 * <p>Jetty 12.1 can run a connection's read loop on two threads at once after a request it refuses
 * while parsing (an over-long request line, oversized headers): the parsing thread hands the error
 * response to another thread and goes on to return the connection's request buffer to the shared
 * pool, while the error response, once written, starts the read loop again on a third thread. When
 * that thread takes up the buffer before the first has returned it, it goes on filling it with the
 * rest of the refused request after the pool has given it to another connection, and the refused
 * client's bytes end up in that connection's response or request (a gateway test once read
 * {@code HTTP/1.1 xxx...} back, the tail of another socket's over-long URI). A lock around the loop makes the later run wait until the first has let go of the
 * buffer; uncontended, which is every time but this one, it costs an atomic operation per read.
 * Jetty offers no setting for this, so the connection is subclassed here.
 */
public class SerialHttpConnectionFactory extends HttpConnectionFactory {

    /** @param config the connections' HTTP configuration */
    public SerialHttpConnectionFactory(HttpConfiguration config) {
        super(config);
    }

    @Override
    public Connection newConnection(Connector connector, EndPoint endPoint) {
        HttpConnection connection = newSerialConnection(getHttpConfiguration(), connector, endPoint);
        connection.setTransferEncodingChunkMaxLength(getTransferEncodingChunkMaxLength());
        return configure(connection, connector, endPoint);
    }

    /** The connection for {@code endPoint}; a test overrides this to watch the read loop. */
    protected SerialHttpConnection newSerialConnection(HttpConfiguration config, Connector connector, EndPoint endPoint) {
        return new SerialHttpConnection(config, connector, endPoint);
    }

    /** A connection whose read loop ({@link #onFillable}, also reached through {@link #run}) holds a lock. */
    public static class SerialHttpConnection extends HttpConnection {

        private final ReentrantLock reading = new ReentrantLock();

        /** As {@link HttpConnection#HttpConnection}. */
        public SerialHttpConnection(HttpConfiguration config, Connector connector, EndPoint endPoint) {
            super(config, connector, endPoint);
        }

        @Override
        public void onFillable() {
            reading.lock();
            try {
                super.onFillable();
            } finally {
                reading.unlock();
            }
        }
    }
}
