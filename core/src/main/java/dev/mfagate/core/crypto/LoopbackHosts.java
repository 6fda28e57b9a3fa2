package dev.mfagate.core.crypto;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Whether a URL's host is this machine, for the one case where a key provider may be reached over
 * plain HTTP: a test double or a local agent that nothing on the network can overhear. Only
 * literal addresses and the name {@code localhost} count; no name is looked up, so DNS cannot turn
 * a remote host into a loopback one. Stateless and thread-safe.
 */
final class LoopbackHosts {

    private LoopbackHosts() {
    }

    /**
     * Whether {@code host} (as {@link java.net.URI#getHost()} gives it, IPv6 in brackets) is
     * {@code localhost}, an address in 127.0.0.0/8 or {@code ::1}.
     */
    static boolean isLoopback(String host) {
        if (host == null || host.isEmpty()) {
            return false;
        }
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (h.toLowerCase(Locale.ROOT).equals("localhost")) {
            return true;
        }
        if (h.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) {
            String[] octets = h.split("\\.");
            for (String octet : octets) {
                if (Integer.parseInt(octet) > 255) {
                    return false;
                }
            }
            return octets[0].equals("127");
        }
        if (!h.contains(":")) {
            // A name other than localhost, such as 127.example.com: never looked up, never loopback.
            return false;
        }
        try {
            // With a colon the text is parsed as an IPv6 literal, never looked up in DNS.
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
