package dev.mfagate.zulip.emulator;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One HTTP request and, optionally, its response, as plain text: what {@link ZulipSpecValidator} checks.
 * A bot test can build these from its own client's traffic; the emulator builds them from what it serves.
 *
 * @param method HTTP method, upper case
 * @param path request path including {@code /api/v1}, without the query string
 * @param query raw (still percent-encoded) query string, or empty
 * @param requestHeaders request headers by name (case as sent)
 * @param requestBody request body text, or empty
 * @param status response status, or 0 to check only the request
 * @param responseContentType response {@code Content-Type}, or null
 * @param responseBody response body text, or null
 */
public record ApiExchange(
        String method,
        String path,
        String query,
        Map<String, List<String>> requestHeaders,
        String requestBody,
        int status,
        String responseContentType,
        String responseBody) {

    public ApiExchange {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        query = query == null ? "" : query;
        requestHeaders = Map.copyOf(requestHeaders);
        requestBody = requestBody == null ? "" : requestBody;
    }

    /** The first value of a request header, matched case-insensitively, or null. */
    public String requestHeader(String name) {
        for (Map.Entry<String, List<String>> e : requestHeaders.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
                return e.getValue().get(0);
            }
        }
        return null;
    }
}
