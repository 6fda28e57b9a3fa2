package dev.mfagate.zulip.emulator;

import java.util.Objects;

/**
 * One way an HTTP exchange departs from Zulip's OpenAPI description.
 *
 * @param method HTTP method of the exchange
 * @param path request path, including {@code /api/v1}
 * @param status response status, or 0 when only the request was checked
 * @param side whether the request or the response is at fault
 * @param rule the validator's rule key, e.g. {@code validation.response.body.schema.required}
 * @param message what is wrong, with the JSON pointer where the validator gives one
 */
public record SpecViolation(String method, String path, int status, Side side, String rule, String message) {

    /** Which half of the exchange broke the contract. */
    public enum Side { REQUEST, RESPONSE }

    public SpecViolation {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(side, "side");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return side + " " + method + " " + path + (status == 0 ? "" : " -> " + status) + ": [" + rule + "] " + message;
    }
}
