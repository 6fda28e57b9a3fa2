package dev.mfagate.bot.secret;

/**
 * A credential the bot holds: its Zulip API key or its gateway token.
 *
 * <p>Deliberately not a record: {@link #toString()} never shows the value, there is no
 * {@code equals}, and the value comes out only through {@link #reveal()}, which the two HTTP clients
 * call when they build an {@code Authorization} header. A package of its own, below every other
 * package of the bot, so that the configuration and both clients share it without a package cycle.
 * Immutable and thread-safe. Java strings cannot
 * be cleared, so the value lives as long as the process; out of scope here.
 */
public final class Secret {
    private final String value;

    private Secret(String value) {
        this.value = value;
    }

    /**
     * Wraps {@code value}, which must be non-blank printable ASCII without spaces (a header value).
     *
     * @throws IllegalArgumentException saying which rule is broken, never showing the value
     */
    public static Secret of(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("is missing or empty");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                throw new IllegalArgumentException("must be printable ASCII without spaces (character " + (i + 1) + " is not)");
            }
        }
        return new Secret(value);
    }

    /** Wraps a value known to be well-formed, for tests and tools. */
    public static Secret ofTrusted(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("secret must not be blank");
        }
        return new Secret(value);
    }

    /** The value, for building one request header; never log or format it. */
    public String reveal() {
        return value;
    }

    /** Whether {@code text} contains this secret, for log scans in tests and the redaction guard. */
    public boolean occursIn(CharSequence text) {
        return text != null && text.toString().contains(value);
    }

    @Override
    public String toString() {
        return "Secret[redacted]";
    }
}
