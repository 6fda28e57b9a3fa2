package dev.mfagate.core.store;

import dev.mfagate.core.Label;
import dev.mfagate.core.totp.HmacAlgorithm;
import dev.mfagate.core.totp.TotpParameters;
import java.time.Instant;
import java.util.Objects;

/**
 * What may be shown about a stored seed: everything but the secret. Read from the clear columns
 * (the authenticated copy of the parameters is inside the ciphertext and is what codes use).
 *
 * @param label the seed's label
 * @param algorithm the HMAC function
 * @param digits code length, 6 to 8
 * @param periodSeconds the time step in seconds, 1 to 86400
 * @param issuer the issuer the seed was imported with, or {@code null}
 * @param accountName the account name the seed was imported with, or {@code null}
 * @param version the seed version, from 1; a label added again after removal gets a higher one
 * @param createdAt when this version was stored, to the millisecond
 */
public record SeedInfo(Label label, HmacAlgorithm algorithm, int digits, long periodSeconds, String issuer,
        String accountName, int version, Instant createdAt) {

    /** Validates the fields with the rules of {@link TotpParameters}. */
    public SeedInfo {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(createdAt, "createdAt");
        if (digits < TotpParameters.MIN_DIGITS || digits > TotpParameters.MAX_DIGITS) {
            throw new IllegalArgumentException("Invalid digits " + digits + "; must be from "
                    + TotpParameters.MIN_DIGITS + " to " + TotpParameters.MAX_DIGITS);
        }
        if (periodSeconds < 1 || periodSeconds > TotpParameters.MAX_PERIOD.toSeconds()) {
            throw new IllegalArgumentException("Invalid period " + periodSeconds + " s; must be from 1 to "
                    + TotpParameters.MAX_PERIOD.toSeconds());
        }
        if (version < 1) {
            throw new IllegalArgumentException("Invalid version " + version + "; must be at least 1");
        }
    }
}
