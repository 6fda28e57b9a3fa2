package dev.mfagate.gateway.http;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.eclipse.jetty.util.InetAddressSet;

/**
 * Who may connect and how: the client address allow-list, the proxies whose
 * {@code X-Forwarded-For} is believed, TLS from PEM files, and connection timeouts.
 *
 * @param allowCidrs client networks allowed (IPv4 and IPv6 CIDRs or addresses); empty allows all
 * @param trustedProxies proxies whose {@code X-Forwarded-For} header is believed; empty (the default) believes none
 * @param tlsCertificate a PEM certificate chain, or null for plain HTTP
 * @param tlsPrivateKey the PEM PKCS#8 private key of that certificate, or null
 * @param allowPlainHttpOffLoopback whether plain HTTP may listen on a non-loopback address
 * @param idleTimeout how long a connection may stay silent, also mid-request (bounds slow clients)
 */
public record NetworkOptions(List<String> allowCidrs, List<String> trustedProxies, Path tlsCertificate, Path tlsPrivateKey,
                             boolean allowPlainHttpOffLoopback, Duration idleTimeout) {

    /** Validates every CIDR now, so a typo stops the start with a clear message. */
    public NetworkOptions {
        allowCidrs = List.copyOf(allowCidrs);
        trustedProxies = List.copyOf(trustedProxies);
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if ((tlsCertificate == null) != (tlsPrivateKey == null)) {
            throw new IllegalArgumentException("TLS needs both --tls-cert and --tls-key");
        }
        addressSet("--allow-cidr", allowCidrs);
        addressSet("--trusted-proxy", trustedProxies);
    }

    /** Loopback-friendly defaults: no allow-list, no trusted proxy, plain HTTP, 30 s idle timeout. */
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
