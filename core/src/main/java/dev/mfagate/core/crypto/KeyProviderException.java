package dev.mfagate.core.crypto;

import java.util.Objects;

/**
 * A key provider refused, failed or could not be reached. The message names the provider, the key
 * and what failed, for example {@code Key provider awskms:arn:aws:kms:...:key/1234 (key
 * arn:aws:kms:...:key/1234): unwrapping the keyset failed: access denied (AccessDeniedException)};
 * it never carries a secret, and a service's own words are kept short and printable.
 */
public final class KeyProviderException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What kind of failure; decides whether a retry can help. */
    public enum Failure {
        /** No answer: network, DNS, timeout, no HSM slot or token. */
        UNREACHABLE("unreachable"),
        /** Credentials missing or refused, permission denied, wrong PIN. */
        ACCESS_DENIED("access denied"),
        /** The service asks us to slow down. */
        THROTTLED("throttled"),
        /** The key exists but may not be used now (disabled, pending deletion). */
        KEY_DISABLED("key disabled or not usable"),
        /** No such key. */
        KEY_NOT_FOUND("key not found"),
        /** The ciphertext does not open under this key in this scope (wrong key, wrong context, altered). */
        BAD_CIPHERTEXT("the wrapped keyset does not open under this key and scope"),
        /** The service answers but cannot serve (Vault sealed, 5xx). */
        UNAVAILABLE("service unavailable"),
        /** The reference or the settings beside it are wrong. */
        MISCONFIGURED("misconfigured"),
        /** Anything else. */
        FAILED("failed");

        private final String description;

        Failure(String description) {
            this.description = description;
        }

        /** A few words for messages. */
        public String description() {
            return description;
        }
    }

    private final String provider;
    private final Failure failure;

    /**
     * @param provider the provider reference (no secret)
     * @param key the key's name
     * @param operation what was attempted, such as {@code unwrapping the keyset}
     * @param failure the kind of failure
     * @param detail a short, secret-free detail (the service's error type), or null
     */
    public KeyProviderException(String provider, String key, String operation, Failure failure, String detail) {
        this(provider, key, operation, failure, detail, null);
    }

    /** As the other constructor, keeping {@code cause} for the log (its message is not repeated here). */
    public KeyProviderException(String provider, String key, String operation, Failure failure, String detail,
                                Throwable cause) {
        super("Key provider " + provider + " (key " + key + "): " + operation + " failed: " + failure.description()
                + (detail == null || detail.isBlank() ? "" : " (" + clean(detail) + ")"), cause);
        this.provider = Objects.requireNonNull(provider, "provider");
        this.failure = Objects.requireNonNull(failure, "failure");
    }

    /** The provider reference. */
    public String provider() {
        return provider;
    }

    /** The kind of failure. */
    public Failure failure() {
        return failure;
    }

    /** Printable ASCII, at most 200 characters: service messages may carry anything. */
    static String clean(String detail) {
        String printable = detail.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > 200 ? printable.substring(0, 200) + "..." : printable;
    }
}
