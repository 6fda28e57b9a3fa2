package dev.mfagate.core.testing;

import dev.mfagate.core.SecretBytes;
import dev.mfagate.core.totp.TotpParameters;
import dev.mfagate.core.totp.TotpSeed;
import java.security.SecureRandom;

/**
 * Seeds for tests: random secrets (so a scan for them cannot hit by accident) and their base32
 * text. Thread-safe.
 */
public final class TestSeeds {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

    private TestSeeds() {}

    /** A seed of {@code sizeBytes} random bytes with {@code parameters}, no issuer. */
    public static TotpSeed random(int sizeBytes, TotpParameters parameters) {
        return TotpSeed.of(SecretBytes.copyOf(randomBytes(sizeBytes)), parameters);
    }

    /** A 20-byte SHA1/6/30 s seed. */
    public static TotpSeed random() {
        return random(20, TotpParameters.DEFAULT);
    }

    /** {@code n} random bytes. */
    public static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    /** RFC 4648 base32, upper-case, without padding: how seeds are usually written. */
    public static String base32(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        int buffer = 0;
        int bits = 0;
        for (byte b : bytes) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                out.append(BASE32[(buffer >>> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(BASE32[(buffer << (5 - bits)) & 31]);
        }
        return out.toString();
    }

    /** Whether {@code needle} occurs in {@code haystack}. */
    public static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
