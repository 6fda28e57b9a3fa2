package dev.mfagate.zulip.emulator;

import java.util.Objects;

/**
 * One API request the emulator answered, for tests that assert on order ({@link ZulipEmulator#apiCalls()}).
 *
 * @param method the HTTP method
 * @param path the path under {@code /api/v1}, e.g. {@code /messages/12}
 * @param status the HTTP status of the answer
 */
public record ApiCall(String method, String path, int status) {
    public ApiCall {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
    }

    /** Whether this is {@code method} on a path matching {@code pathRegex} (e.g. {@code "/messages/\\d+"}). */
    public boolean is(String method, String pathRegex) {
        return this.method.equals(method) && path.matches(pathRegex);
    }
}
