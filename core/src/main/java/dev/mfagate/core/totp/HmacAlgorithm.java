package dev.mfagate.core.totp;

import java.util.Locale;

/** The HMAC functions RFC 6238 allows, with their JCA names and the seed size RFC 6238 Appendix B uses. */
public enum HmacAlgorithm {
    SHA1("HmacSHA1", 20),
    SHA256("HmacSHA256", 32),
    SHA512("HmacSHA512", 64);

    private final String jcaName;
    private final int referenceSeedSizeBytes;

    HmacAlgorithm(String jcaName, int referenceSeedSizeBytes) {
        this.jcaName = jcaName;
        this.referenceSeedSizeBytes = referenceSeedSizeBytes;
    }

    /** The algorithm name for {@link javax.crypto.Mac#getInstance(String)}. */
    public String jcaName() {
        return jcaName;
    }

    /** The seed length RFC 6238's test vectors use for this algorithm (its output size). */
    public int referenceSeedSizeBytes() {
        return referenceSeedSizeBytes;
    }

    /**
     * Parses the {@code algorithm} parameter of an {@code otpauth://} URI ({@code SHA1},
     * {@code SHA256}, {@code SHA512}, case-insensitive).
     *
     * @throws IllegalArgumentException naming the value and the allowed ones
     */
    public static HmacAlgorithm fromUriName(String name) {
        String upper = name.trim().toUpperCase(Locale.ROOT);
        for (HmacAlgorithm a : values()) {
            if (a.name().equals(upper)) {
                return a;
            }
        }
        String shown = name.length() <= 20 ? "'" + name + "'" : "(" + name.length() + " characters)";
        throw new IllegalArgumentException("Unknown algorithm " + shown + "; must be SHA1, SHA256 or SHA512");
    }
}
