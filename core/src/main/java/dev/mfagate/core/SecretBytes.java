package dev.mfagate.core;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;

/**
 * Secret key material, such as a TOTP seed or a data key, held so that it is hard to leak.
 *
 * <p>Modelled on Tink's {@code SecretBytes}: there is no {@code toString} that shows the bytes, no
 * {@code equals}/{@code hashCode}; callers get copies only, compare in constant time, and
 * {@link #destroy()} overwrites the bytes when the secret is no longer needed.
 *
 * <p>Thread-safe for reads; {@link #destroy()} should be called by the owner once, after use.
 */
public final class SecretBytes {

    private final byte[] bytes;
    private volatile boolean destroyed;

    private SecretBytes(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Copies {@code bytes}; the caller should clear its own array. */
    public static SecretBytes copyOf(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        return new SecretBytes(bytes.clone());
    }

    /** The length in bytes. */
    public int sizeBytes() {
        return bytes.length;
    }

    /** A fresh copy of the secret; the caller must clear it when done. */
    public byte[] toByteArray() {
        if (destroyed) {
            throw new IllegalStateException("SecretBytes was destroyed; it can no longer be read");
        }
        return bytes.clone();
    }

    /** Constant-time comparison of the contents. */
    public boolean equalsSecretBytes(SecretBytes other) {
        return MessageDigest.isEqual(bytes, other.bytes);
    }

    /** Overwrites the bytes with zeros; later reads fail. */
    public void destroy() {
        destroyed = true;
        Arrays.fill(bytes, (byte) 0);
    }

    /** Shows only the size, never the bytes. */
    @Override
    public String toString() {
        return "SecretBytes[" + bytes.length + " bytes, hidden]";
    }
}
