package dev.mfagate.gateway.http;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.eclipse.jetty.util.InetAddressSet;

/**
 * Who may connect and how: the client address allow-list, the proxies whose
 * {@code X-Forwarded-For} is believed, TLS from PEM files, connection limits and timeouts.
 *
 * @param allowCidrs client networks allowed (IPv4 and IPv6 CIDRs or addresses); empty allows all
 * @param trustedProxies proxies whose {@code X-Forwarded-For} header is believed; empty (the default) believes none
 * @param tlsCertificate a PEM certificate chain, or null for plain HTTP
 * @param tlsPrivateKey the PEM PKCS#8 private key of that certificate, or null
 * @param allowPlainHttpOffLoopback whether plain HTTP may listen on a non-loopback address
 * @param idleTimeout how long a connection may stay silent; every byte received restarts it
 * @param maxConnections the most connections held at once; more wait in the kernel's accept queue
 * @param maxConnectionsPerAddress the most connections one peer address (other than a trusted proxy) may hold; 0 for no cap
 * @param requestHeaderTimeout how long a request may take to arrive whole (request line and headers), from its
 *                             first byte or, for a connection's first request, from the connection; trickling
 *                             bytes does not extend it
 */
public record NetworkOptions(List<String> allowCidrs, List<String> trustedProxies, Path tlsCertificate, Path tlsPrivateKey,
                             boolean allowPlainHttpOffLoopback, Duration idleTimeout, int maxConnections,
                             int maxConnectionsPerAddress, Duration requestHeaderTimeout) {

    /** The default of {@link #maxConnections}. */
    public static final int DEFAULT_MAX_CONNECTIONS = 2048;
    /** The default of {@link #maxConnectionsPerAddress}: above what a load balancer's health checks or a bench client need. */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 64;
    /** The default of {@link #requestHeaderTimeout}. */
    public static final Duration DEFAULT_REQUEST_HEADER_TIMEOUT = Duration.ofSeconds(10);

    /** Options with the default connection limits and request header timeout. */
    public NetworkOptions(List<String> allowCidrs, List<String> trustedProxies, Path tlsCertificate, Path tlsPrivateKey,
                          boolean allowPlainHttpOffLoopback, Duration idleTimeout) {
        this(allowCidrs, trustedProxies, tlsCertificate, tlsPrivateKey, allowPlainHttpOffLoopback, idleTimeout,
                DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_ADDRESS, DEFAULT_REQUEST_HEADER_TIMEOUT);
    }

    /** Validates every CIDR and limit now, so a typo stops the start with a clear message. */
    public NetworkOptions {
        allowCidrs = List.copyOf(allowCidrs);
        trustedProxies = List.copyOf(trustedProxies);
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(requestHeaderTimeout, "requestHeaderTimeout");
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("Invalid --idle-timeout " + idleTimeout + "; must be positive");
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("Invalid --max-connections " + maxConnections + "; must be at least 1");
        }
        if (maxConnectionsPerAddress < 0) {
            throw new IllegalArgumentException("Invalid --max-connections-per-address " + maxConnectionsPerAddress
                    + "; must be 0 (no cap) or more");
        }
        if (requestHeaderTimeout.toMillis() < 1) {
            throw new IllegalArgumentException("Invalid --request-header-timeout " + requestHeaderTimeout
                    + "; must be at least 1 ms");
        }
        if ((tlsCertificate == null) != (tlsPrivateKey == null)) {
            throw new IllegalArgumentException("TLS needs both --tls-cert and --tls-key");
        }
        addressSet("--allow-cidr", allowCidrs);
        addressSet("--trusted-proxy", trustedProxies);
    }

    /**
     * Loopback-friendly defaults: no allow-list, no trusted proxy, plain HTTP, 30 s idle timeout,
     * 2048 connections, 64 per address, 10 s for a request's headers.
     */
    public static NetworkOptions defaults() {
        return new NetworkOptions(List.of(), List.of(), null, null, false, Duration.ofSeconds(30));
    }

    /** Whether TLS is configured. */
    public boolean tls() {
        return tlsCertificate != null;
    }

    static InetAddressSet addressSet(String flag, List<String> cidrs) {
        InetAddressSet set = new InetAddressSet();
        for (String c : cidrs) {
            String v = c.strip();
            if (!v.matches("[0-9A-Fa-f:.]+(/[0-9]{1,3})?")) {
                throw new IllegalArgumentException("Invalid " + flag + " '" + shown(v) + "'; use an address or CIDR such as 10.0.0.0/8 or fd00::/8");
            }
            try {
                set.add(v);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("Invalid " + flag + " '" + shown(v) + "'; use an address or CIDR such as 10.0.0.0/8 or fd00::/8");
            }
        }
        return set;
    }

    private static String shown(String v) {
        return v.length() > 50 ? v.substring(0, 50) + "…" : v;
    }
}
