package dev.mfagate.core.seed;

import dev.mfagate.core.seed.SeedImportException.Kind;
import dev.mfagate.core.totp.TotpSeed;
import java.util.Arrays;
import org.apache.commons.codec.binary.Base32;

/**
 * Decodes a base32 secret (RFC 4648 alphabet) the lenient way people type and paste them, and
 * rejects everything else with the position of the first bad character.
 *
 * <p>Accepted: lower case, spaces and dashes anywhere, missing or trailing {@code =} padding, and
 * unused low bits in the last character (authenticators ignore them too). Rejected: any other
 * character, padding followed by more data, and lengths no byte string encodes to (1, 3 or 6
 * characters past a multiple of 8), which mean a character was lost or added.
 */
final class Base32Secret {

    /** Enough characters for {@link TotpSeed#MAX_SECRET_SIZE_BYTES}; longer input is rejected before decoding. */
    private static final int MAX_CHARACTERS = (TotpSeed.MAX_SECRET_SIZE_BYTES * 8 + 4) / 5;

    // Commons Codec decodes leniently, skipping characters outside the alphabet; the checks here
    // run first so that nothing is ever skipped silently.
    private static final Base32 BASE32 = new Base32();

    private Base32Secret() {
    }

    /**
     * The secret's bytes; the caller must clear them.
     *
     * @param what names the value in messages, for example "secret" or "secret parameter"
     */
    static byte[] decode(String text, String what) throws SeedImportException {
        byte[] normalized = new byte[Math.min(text.length(), MAX_CHARACTERS)];
        int count = 0;
        boolean padding = false;
        try {
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == ' ' || c == '-') {
                    continue;
                }
                if (c == '=') {
                    padding = true;
                    continue;
                }
                char upper = c >= 'a' && c <= 'z' ? (char) (c - 'a' + 'A') : c;
                if (!(upper >= 'A' && upper <= 'Z') && !(upper >= '2' && upper <= '7')) {
                    throw new SeedImportException(Kind.BAD_BASE32, what + " is not base32: character " + (i + 1)
                            + " is not in A-Z or 2-7 (spaces, dashes and trailing '=' are allowed)");
                }
                if (padding) {
                    throw new SeedImportException(Kind.BAD_BASE32, what + " is not base32: character " + (i + 1)
                            + " follows '=' padding, which may only come at the end");
                }
                if (count == MAX_CHARACTERS) {
                    throw new SeedImportException(Kind.SECRET_TOO_LONG, what + " has more than " + MAX_CHARACTERS
                            + " base32 characters; must be at most " + TotpSeed.MAX_SECRET_SIZE_BYTES + " bytes");
                }
                normalized[count++] = (byte) upper;
            }
            if (count == 0) {
                throw new SeedImportException(Kind.BAD_BASE32, what + " has no base32 characters");
            }
            int rest = count % 8;
            if (rest == 1 || rest == 3 || rest == 6) {
                throw new SeedImportException(Kind.BAD_BASE32, what + " is not base32: " + count
                        + " characters is not a length any secret encodes to (a character lost or added?)");
            }
            byte[] exact = Arrays.copyOf(normalized, count);
            byte[] secret = BASE32.decode(exact);
            Arrays.fill(exact, (byte) 0);
            try {
                checkSize(secret.length, what);
            } catch (SeedImportException e) {
                Arrays.fill(secret, (byte) 0);
                throw e;
            }
            return secret;
        } finally {
            Arrays.fill(normalized, (byte) 0);
        }
    }

    /** Throws if a secret of {@code sizeBytes} is too short or too long. */
    static void checkSize(int sizeBytes, String what) throws SeedImportException {
        if (sizeBytes < TotpSeed.MIN_SECRET_SIZE_BYTES) {
            throw new SeedImportException(Kind.SECRET_TOO_SHORT, what + " is " + sizeBytes
                    + " bytes; must be at least " + TotpSeed.MIN_SECRET_SIZE_BYTES + " bytes (80 bits)");
        }
        if (sizeBytes > TotpSeed.MAX_SECRET_SIZE_BYTES) {
            throw new SeedImportException(Kind.SECRET_TOO_LONG, what + " is " + sizeBytes
                    + " bytes; must be at most " + TotpSeed.MAX_SECRET_SIZE_BYTES + " bytes");
        }
    }
}
