package dev.mfagate.gateway.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.eclipse.jetty.util.InetAddressSet;

/**
 * Works out the client's address and whether it may connect.
 *
 * <p>The peer address is the client unless the peer is a trusted proxy; then the
 * {@code X-Forwarded-For} list is read right to left and the first address that is not a trusted
 * proxy is the client (entries to its left could be forged by the client). A request may carry the
 * header on several lines (a client sends one, a proxy appends its own, as HAProxy's
 * {@code option forwardfor} does): the lines are one list, in the order received (RFC 9110,
 * section 5.3). The RFC 7239 {@code Forwarded} header is not read: proxies must send
 * {@code X-Forwarded-For}. Thread-safe.
 */
public final class ClientAddresses {

    private final InetAddressSet allowed;
    private final boolean allowAll;
    private final InetAddressSet proxies;
    private final boolean anyProxy;

    /** From validated options. */
    public ClientAddresses(NetworkOptions options) {
        this.allowed = NetworkOptions.addressSet("--allow-cidr", options.allowCidrs());
        this.allowAll = options.allowCidrs().isEmpty();
        this.proxies = NetworkOptions.addressSet("--trusted-proxy", options.trustedProxies());
        this.anyProxy = !options.trustedProxies().isEmpty();
    }

    /** The client address for a connection from {@code peer} with one {@code X-Forwarded-For} line, or null for none. */
    public String client(String peer, String forwardedFor) {
        return client(peer, forwardedFor == null ? List.of() : List.of(forwardedFor));
    }

    /**
     * The client address for a connection from {@code peer} with every {@code X-Forwarded-For}
     * line of the request, in the order received.
     */
    public String client(String peer, List<String> forwardedForLines) {
        if (!anyProxy || forwardedForLines.isEmpty() || !isIn(proxies, peer)) {
            return peer;
        }
        List<String> hops = List.of(String.join(",", forwardedForLines).split(","));
        for (int i = hops.size() - 1; i >= 0; i--) {
            String hop = hops.get(i).strip();
            if (!isLiteral(hop)) {
                return peer;
            }
            if (!isIn(proxies, hop)) {
                return hop;
            }
        }
        return peer;
    }

    /**
     * Whether a connection from {@code peer} may be accepted at all: its address is allowed, or it
     * is a trusted proxy (whose clients are judged per request, from {@code X-Forwarded-For}).
     */
    public boolean mayConnect(InetAddress peer) {
        return allowAll || allowed.test(peer) || (anyProxy && proxies.test(peer));
    }

    /** Whether {@code peer} is a trusted proxy. */
    public boolean isTrustedProxy(InetAddress peer) {
        return anyProxy && proxies.test(peer);
    }

    /** Whether {@code client} may use the gateway. */
    public boolean isAllowed(String client) {
        return allowAll || isIn(allowed, client);
    }

    private static boolean isIn(InetAddressSet set, String address) {
        if (!isLiteral(address)) {
            return false;
        }
        try {
            // A literal address: getByName does no DNS lookup for it.
            return set.test(InetAddress.getByName(address));
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static boolean isLiteral(String s) {
        return !s.isEmpty() && s.length() <= 45 && s.matches("[0-9A-Fa-f:.\\[\\]%a-zA-Z0-9]+") && (s.indexOf(':') >= 0 || s.matches("[0-9.]+"));
    }
}
