package dev.mfagate.core.seed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.mfagate.core.seed.SeedImportException.Kind;
import java.util.Locale;
import java.util.Random;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Assertions shared by the seed tests: the kind, the rule in the message, and no secret in it. */
final class Rejections {

    /** Shortest run of a secret's characters that may not appear in a message. */
    private static final int WINDOW = 6;

    private Rejections() {
    }

    /**
     * Asserts that {@code call} fails with {@code kind}, that the message is one line containing
     * {@code rule}, and that it contains no run of {@value #WINDOW} characters of any {@code secrets}.
     */
    static SeedImportException assertRejected(ThrowingCallable call, Kind kind, String rule, String... secrets) {
        SeedImportException e = catchThrowableOfType(SeedImportException.class, call);
        assertThat(e).as("expected a SeedImportException of kind %s", kind).isNotNull();
        assertThat(e.kind()).as("kind of: %s", e.getMessage()).isEqualTo(kind);
        assertThat(e.getMessage()).contains(rule).doesNotContain("\n").doesNotContain("\r");
        for (String secret : secrets) {
            assertNoSecret(e.getMessage(), secret);
        }
        return e;
    }

    /** Asserts that {@code text} holds no run of {@value #WINDOW} characters of {@code secret}, ignoring case. */
    static void assertNoSecret(String text, String secret) {
        String haystack = text.toUpperCase(Locale.ROOT);
        String needle = secret.toUpperCase(Locale.ROOT);
        for (int i = 0; i + WINDOW <= needle.length(); i++) {
            assertThat(haystack).as("message must not contain part of the secret")
                    .doesNotContain(needle.substring(i, i + WINDOW));
        }
    }

    /** A random base32 secret of {@code sizeBytes} bytes, unpadded, so tests never use a real one. */
    static String randomBase32(Random random, int sizeBytes) {
        byte[] bytes = new byte[sizeBytes];
        random.nextBytes(bytes);
        return new org.apache.commons.codec.binary.Base32().encodeToString(bytes).replace("=", "");
    }
}
