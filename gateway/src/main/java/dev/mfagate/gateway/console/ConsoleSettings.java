package dev.mfagate.gateway.console;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * How the web console signs people in and how long their sessions last.
 *
 * @param issuer the OpenID Connect provider's issuer URL (its discovery document is read from
 *     {@code <issuer>/.well-known/openid-configuration})
 * @param clientId the client id registered at the provider
 * @param clientSecret the client secret (sent only to the provider's token endpoint); never printed
 * @param publicUrl the gateway's address as browsers reach it, such as {@code https://mfa.example.com};
 *     the provider redirects to {@code <publicUrl>/console/callback}, which must be registered there
 * @param idleTimeout a session unused this long is dead
 * @param absoluteLifetime a session is dead this long after sign-in, however busy
 * @param secureCookie whether cookies carry {@code Secure} (false only for plain HTTP on loopback)
 * @param autoLinkEmail whether an unlinked SSO identity whose provider-verified email is a person's
 *     {@code email:} identity is linked to that person at sign-in ({@code --auto-link-email}; off by default)
 * @param groupsClaim the ID token claim that lists the person's SSO groups ({@code --oidc-groups-claim},
 *     default {@value #DEFAULT_GROUPS_CLAIM}); its string values hold the roles bound to {@code sso-group:<value>}
 */
public record ConsoleSettings(URI issuer, String clientId, String clientSecret, URI publicUrl, Duration idleTimeout,
                              Duration absoluteLifetime, boolean secureCookie, boolean autoLinkEmail, String groupsClaim) {

    /** The claim read for SSO groups unless another is named. */
    public static final String DEFAULT_GROUPS_CLAIM = "groups";

    /** Settings reading the {@value #DEFAULT_GROUPS_CLAIM} claim. */
    public ConsoleSettings(URI issuer, String clientId, String clientSecret, URI publicUrl, Duration idleTimeout,
                           Duration absoluteLifetime, boolean secureCookie, boolean autoLinkEmail) {
        this(issuer, clientId, clientSecret, publicUrl, idleTimeout, absoluteLifetime, secureCookie, autoLinkEmail,
                DEFAULT_GROUPS_CLAIM);
    }

    /** Settings without automatic linking by email. */
    public ConsoleSettings(URI issuer, String clientId, String clientSecret, URI publicUrl, Duration idleTimeout,
                           Duration absoluteLifetime, boolean secureCookie) {
        this(issuer, clientId, clientSecret, publicUrl, idleTimeout, absoluteLifetime, secureCookie, false);
    }

    /** Default idle timeout: 15 minutes. */
    public static final Duration DEFAULT_IDLE = Duration.ofMinutes(15);
    /** Default absolute lifetime: 8 hours, a working day. */
    public static final Duration DEFAULT_LIFETIME = Duration.ofHours(8);

    /**
     * The console's address as browsers reach it, from {@code --console-url} ({@code serve}, and
     * {@code console break-glass enrol}, which prints links under it): an absolute https URL with a host
     * and no query or fragment; plain http only on a loopback address (a local test set-up), since
     * session cookies and passkey ceremonies must not cross a network in clear.
     *
     * @throws IllegalArgumentException naming {@code --console-url} and the rule; the value is not repeated
     */
    public static URI consoleUrl(String text) {
        URI url;
        try {
            url = new URI(text.strip());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("Invalid --console-url: not a URL");
        }
        requireConsoleUrl(url);
        if ("http".equals(url.getScheme()) && !isPlainLoopback(url)) {
            throw new IllegalArgumentException("Invalid --console-url: plain http is allowed only on a loopback address;"
                    + " browsers must reach the console over https");
        }
        return url;
    }

    /**
     * Whether {@code url} is plain http on {@code localhost}, 127.0.0.0/8 or {@code ::1}. Only literal
     * addresses count: a name such as {@code 127.example.com} is not loopback.
     */
    public static boolean isPlainLoopback(URI url) {
        String host = url.getHost();
        if (!"http".equals(url.getScheme()) || host == null) {
            return false;
        }
        String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        return h.equalsIgnoreCase("localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")
                || h.matches("127(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    }

    private static void requireConsoleUrl(URI publicUrl) {
        if (!("https".equals(publicUrl.getScheme()) || "http".equals(publicUrl.getScheme())) || publicUrl.getHost() == null
                || publicUrl.getRawQuery() != null || publicUrl.getRawFragment() != null) {
            throw new IllegalArgumentException("Invalid --console-url: must be the gateway's https URL as browsers reach it,"
                    + " without query or fragment");
        }
    }

    /** Validates. */
    public ConsoleSettings {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(clientSecret, "clientSecret");
        Objects.requireNonNull(publicUrl, "publicUrl");
        // The client secret and the codes that become sessions travel to the issuer: in clear only on loopback.
        if (!("https".equals(issuer.getScheme()) && issuer.getHost() != null || isPlainLoopback(issuer))) {
            throw new IllegalArgumentException("Invalid --oidc-issuer: must be an https URL (http only for a provider on loopback)");
        }
        if (clientId.isBlank() || clientId.length() > 255) {
            throw new IllegalArgumentException("Invalid --oidc-client-id: must be 1 to 255 characters");
        }
        if (clientSecret.isEmpty()) {
            throw new IllegalArgumentException("The OIDC client secret is empty; give --oidc-client-secret-file or MFAGATE_OIDC_CLIENT_SECRET");
        }
        requireConsoleUrl(publicUrl);
        Objects.requireNonNull(groupsClaim, "groupsClaim");
        if (!groupsClaim.matches("[A-Za-z0-9_.:/-]{1,128}")) {
            throw new IllegalArgumentException("Invalid --oidc-groups-claim: must be a claim name of 1 to 128 of"
                    + " A-Z a-z 0-9 _ . : / -");
        }
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(absoluteLifetime, "absoluteLifetime");
        if (idleTimeout.isNegative() || idleTimeout.isZero() || absoluteLifetime.compareTo(idleTimeout) < 0) {
            throw new IllegalArgumentException("Invalid console session times: the idle timeout must be positive and at most"
                    + " the absolute lifetime");
        }
    }

    /** Where the provider sends the browser back. */
    public URI redirectUri() {
        String base = publicUrl.toString().replaceAll("/+$", "");
        return URI.create(base + "/console/callback");
    }

    @Override
    public String toString() {
        return "ConsoleSettings[issuer=" + issuer + ", clientId=" + clientId + ", publicUrl=" + publicUrl
                + ", idleTimeout=" + idleTimeout + ", absoluteLifetime=" + absoluteLifetime + ", secureCookie=" + secureCookie
                + ", autoLinkEmail=" + autoLinkEmail + ", groupsClaim=" + groupsClaim + "]";
    }
}
