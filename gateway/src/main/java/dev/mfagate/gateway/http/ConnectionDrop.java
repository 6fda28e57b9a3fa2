package dev.mfagate.gateway.http;

import java.net.InetAddress;

/**
 * Why the gateway dropped a connection without an HTTP answer. Such connections are counted and
 * logged (at most once a minute), never audited one by one: an audit entry per refused connection
 * would let anyone outside the allow-list fill the audit trail.
 */
public enum ConnectionDrop {
    /** The peer is outside {@code --allow-cidr} and is not a trusted proxy; closed at accept. */
    ADDRESS_NOT_ALLOWED("address_not_allowed"),
    /** The peer already holds {@code --max-connections-per-address} connections; closed at accept. */
    ADDRESS_CONNECTION_LIMIT("address_connection_limit"),
    /** A request did not arrive whole within {@code --request-header-timeout}. */
    REQUEST_HEADER_TIMEOUT("request_header_timeout");

    private final String reason;

    ConnectionDrop(String reason) {
        this.reason = reason;
    }

    /** The stable name used in metrics and logs. */
    public String reason() {
        return reason;
    }

    /** Told of every dropped connection; called on Jetty's accept or timer threads, so it must not block. */
    @FunctionalInterface
    public interface Listener {
        /**
         * @param drop why
         * @param peer the peer address, or null when it could not be read
         */
        void dropped(ConnectionDrop drop, InetAddress peer);
    }
}
