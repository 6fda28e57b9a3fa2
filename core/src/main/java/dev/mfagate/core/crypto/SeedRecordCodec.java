package dev.mfagate.core.crypto;

import dev.mfagate.core.SecretBytes;
import dev.mfagate.core.totp.HmacAlgorithm;
import dev.mfagate.core.totp.TotpParameters;
import dev.mfagate.core.totp.TotpSeed;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/**
 * The plaintext of a sealed seed, format 1, big-endian:
 * <pre>
 * u8  format = 1
 * u8  algorithm: 1 SHA1, 2 SHA256, 3 SHA512
 * u8  digits
 * u32 period in seconds
 * u8  secret length, then the secret
 * u16 issuer length in UTF-8 bytes (0xFFFF: absent), then the bytes
 * u16 account name length (0xFFFF: absent), then the bytes
 * </pre>
 * Sized exactly up front so that no growing buffer leaves copies of the secret behind.
 */
final class SeedRecordCodec {

    private static final byte FORMAT_1 = 1;
    private static final int ABSENT = 0xFFFF;
    private static final int MAX_TEXT_BYTES = 0xFFFE;

    private SeedRecordCodec() {}

    /** Encodes {@code seed}; the caller must clear the returned array after use. */
    static byte[] encode(TotpSeed seed) {
        byte[] issuer = utf8(seed.issuer().orElse(null), "issuer");
        byte[] account = utf8(seed.accountName().orElse(null), "account name");
        byte[] secret = seed.secret().toByteArray();
        try {
            int size = 1 + 1 + 1 + 4 + 1 + secret.length + 2 + length(issuer) + 2 + length(account);
            ByteBuffer out = ByteBuffer.allocate(size);
            TotpParameters p = seed.parameters();
            out.put(FORMAT_1);
            out.put(algorithmCode(p.algorithm()));
            out.put((byte) p.digits());
            out.putInt((int) p.periodSeconds());
            out.put((byte) secret.length);
            out.put(secret);
            putText(out, issuer);
            putText(out, account);
            return out.array();
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    /**
     * Decodes a record; the caller clears {@code record} afterwards.
     *
     * @throws IllegalArgumentException naming the rule broken (never the content)
     */
    static TotpSeed decode(byte[] record) {
        ByteBuffer in = ByteBuffer.wrap(record);
        byte[] secret = null;
        try {
            if (in.get() != FORMAT_1) {
                throw new IllegalArgumentException("unknown record format");
            }
            HmacAlgorithm algorithm = algorithm(in.get());
            int digits = in.get();
            long periodSeconds = Integer.toUnsignedLong(in.getInt());
            int secretLength = Byte.toUnsignedInt(in.get());
            secret = new byte[secretLength];
            in.get(secret);
            String issuer = getText(in);
            String account = getText(in);
            if (in.hasRemaining()) {
                throw new IllegalArgumentException(in.remaining() + " trailing bytes");
            }
            TotpParameters parameters = new TotpParameters(algorithm, digits, Duration.ofSeconds(periodSeconds));
            return new TotpSeed(SecretBytes.copyOf(secret), parameters, issuer, account);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("record is truncated");
        } finally {
            if (secret != null) {
                Arrays.fill(secret, (byte) 0);
            }
        }
    }

    private static byte algorithmCode(HmacAlgorithm algorithm) {
        return switch (algorithm) {
            case SHA1 -> 1;
            case SHA256 -> 2;
            case SHA512 -> 3;
        };
    }

    private static HmacAlgorithm algorithm(byte code) {
        return switch (code) {
            case 1 -> HmacAlgorithm.SHA1;
            case 2 -> HmacAlgorithm.SHA256;
            case 3 -> HmacAlgorithm.SHA512;
            default -> throw new IllegalArgumentException("unknown algorithm code " + code);
        };
    }

    private static byte[] utf8(String text, String what) {
        if (text == null) {
            return null;
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_TEXT_BYTES) {
            throw new IllegalArgumentException("Invalid " + what + ": " + bytes.length
                    + " bytes of UTF-8; must be at most " + MAX_TEXT_BYTES);
        }
        return bytes;
    }

    private static int length(byte[] text) {
        return text == null ? 0 : text.length;
    }

    private static void putText(ByteBuffer out, byte[] text) {
        if (text == null) {
            out.putShort((short) ABSENT);
        } else {
            out.putShort((short) text.length);
            out.put(text);
        }
    }

    private static String getText(ByteBuffer in) {
        int length = Short.toUnsignedInt(in.getShort());
        if (length == ABSENT) {
            return null;
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("text field is not UTF-8");
        }
    }
}
