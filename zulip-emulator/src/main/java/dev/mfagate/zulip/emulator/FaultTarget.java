package dev.mfagate.zulip.emulator;

import java.util.Locale;
import java.util.Objects;

/**
 * Which requests a fault applies to: an HTTP method (or any) and a path pattern relative to {@code /api/v1}.
 * In the pattern, {@code *} stands for one path segment and a trailing {@code /**} for any remainder:
 * {@code "/messages/*}{@code /reactions"}, {@code "/events"}, {@code "/**"}.
 *
 * @param method upper-case HTTP method, or {@code null} for any
 * @param pathPattern path pattern relative to {@code /api/v1}, starting with {@code /}
 */
public record FaultTarget(String method, String pathPattern) {

    /** Every request. */
    public static final FaultTarget ANY = new FaultTarget(null, "/**");

    public FaultTarget {
        Objects.requireNonNull(pathPattern, "pathPattern");
        if (!pathPattern.startsWith("/")) {
            throw new IllegalArgumentException("pathPattern '" + pathPattern + "' must start with '/' (relative to /api/v1)");
        }
        method = method == null ? null : method.toUpperCase(Locale.ROOT);
    }

    /** Requests with this method and path pattern, e.g. {@code of("POST", "/messages")}. */
    public static FaultTarget of(String method, String pathPattern) {
        return new FaultTarget(Objects.requireNonNull(method, "method"), pathPattern);
    }

    /** Requests of any method to this path pattern, e.g. {@code path("/events")}. */
    public static FaultTarget path(String pathPattern) {
        return new FaultTarget(null, pathPattern);
    }

    boolean matches(String requestMethod, String apiPath) {
        if (method != null && !method.equals(requestMethod)) {
            return false;
        }
        String[] want = pathPattern.substring(1).split("/", -1);
        String[] have = apiPath.startsWith("/") ? apiPath.substring(1).split("/", -1) : apiPath.split("/", -1);
        for (int i = 0; i < want.length; i++) {
            if (want[i].equals("**") && i == want.length - 1) {
                return true;
            }
            if (i >= have.length || !(want[i].equals("*") || want[i].equals(have[i]))) {
                return false;
            }
        }
        return want.length == have.length;
    }
}
