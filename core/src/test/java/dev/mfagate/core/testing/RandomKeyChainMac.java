package dev.mfagate.core.testing;

import dev.mfagate.core.crypto.ChainMac;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** A {@link ChainMac} for tests: HMAC-SHA256 over a random 32-byte key. Thread-safe. */
public final class RandomKeyChainMac implements ChainMac {

    private final SecretKeySpec key;
    private final ThreadLocal<Mac> mac;

    /** A MAC with a fresh random key. */
    public RandomKeyChainMac() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        this.key = new SecretKeySpec(k, "HmacSHA256");
        this.mac = ThreadLocal.withInitial(() -> {
            try {
                Mac m = Mac.getInstance("HmacSHA256");
                m.init(key);
                return m;
            } catch (GeneralSecurityException e) {
                throw new AssertionError("HmacSHA256 is always available", e);
            }
        });
    }

    @Override
    public byte[] computeMac(byte[] data) {
        return mac.get().doFinal(data);
    }

    @Override
    public boolean verifyMac(byte[] expected, byte[] data) {
        return MessageDigest.isEqual(expected, computeMac(data));
    }
}
