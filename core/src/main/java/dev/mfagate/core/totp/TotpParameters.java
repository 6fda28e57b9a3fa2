package dev.mfagate.core.totp;

import java.time.Duration;
import java.util.Objects;

/**
 * The public parameters of a TOTP seed (RFC 6238): HMAC algorithm, number of digits and time step.
 *
 * @param algorithm the HMAC function
 * @param digits code length, 6 to 8
 * @param period the time step, 1 second to 1 day, whole seconds
 */
public record TotpParameters(HmacAlgorithm algorithm, int digits, Duration period) {

    /** The shortest code RFC 4226 allows. */
    public static final int MIN_DIGITS = 6;
    /** The longest code this gateway serves. */
    public static final int MAX_DIGITS = 8;
    /** The shortest step allowed. */
    public static final Duration MIN_PERIOD = Duration.ofSeconds(1);
    /** The longest step allowed. */
    public static final Duration MAX_PERIOD = Duration.ofDays(1);

    /** The parameters nearly every service uses: SHA1, 6 digits, 30 s. */
    public static final TotpParameters DEFAULT = new TotpParameters(HmacAlgorithm.SHA1, 6, Duration.ofSeconds(30));

    /** Validates the ranges. */
    public TotpParameters {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(period, "period");
        if (digits < MIN_DIGITS || digits > MAX_DIGITS) {
            throw new IllegalArgumentException("Invalid digits " + digits + "; must be from "
                    + MIN_DIGITS + " to " + MAX_DIGITS);
        }
        if (period.compareTo(MIN_PERIOD) < 0 || period.compareTo(MAX_PERIOD) > 0 || period.toNanosPart() != 0) {
            throw new IllegalArgumentException("Invalid period " + period.toSeconds() + " s; must be whole seconds from 1 to 86400");
        }
    }

    /** The period in whole seconds. */
    public long periodSeconds() {
        return period.toSeconds();
    }
}
