package dev.mfagate.core.totp;

import dev.mfagate.core.SecretBytes;
import java.util.Objects;
import java.util.Optional;

/**
 * One TOTP seed: the secret and its public parameters, plus the issuer and account name an
 * {@code otpauth://} URI carried (kept for display only).
 *
 * <p>A final class, not a record, because it holds a secret: {@link #toString()} never shows it
 * and there is no {@code equals}. The secret is read with {@link #secret()}; {@link #destroy()}
 * clears it when the seed is no longer needed.
 */
public final class TotpSeed {

    /** RFC 4226 asks for at least 128 bits; real services sometimes use 80, so 80 bits is the floor. */
    public static final int MIN_SECRET_SIZE_BYTES = 10;
    /** A generous ceiling; no real service needs more, and it bounds what an import can store. */
    public static final int MAX_SECRET_SIZE_BYTES = 128;

    private final SecretBytes secret;
    private final TotpParameters parameters;
    private final String issuer;
    private final String accountName;

    /**
     * @param secret the key; at least {@value #MIN_SECRET_SIZE_BYTES} and at most {@value #MAX_SECRET_SIZE_BYTES} bytes
     * @param parameters algorithm, digits and period
     * @param issuer the issuer from the URI, or null
     * @param accountName the account name from the URI, or null
     */
    public TotpSeed(SecretBytes secret, TotpParameters parameters, String issuer, String accountName) {
        this.secret = Objects.requireNonNull(secret, "secret");
        this.parameters = Objects.requireNonNull(parameters, "parameters");
        if (secret.sizeBytes() < MIN_SECRET_SIZE_BYTES || secret.sizeBytes() > MAX_SECRET_SIZE_BYTES) {
            throw new IllegalArgumentException("Invalid secret size in bytes " + secret.sizeBytes()
                    + "; must be from " + MIN_SECRET_SIZE_BYTES + " to " + MAX_SECRET_SIZE_BYTES);
        }
        this.issuer = issuer;
        this.accountName = accountName;
    }

    /** A seed with default parameters and no issuer. */
    public static TotpSeed of(SecretBytes secret, TotpParameters parameters) {
        return new TotpSeed(secret, parameters, null, null);
    }

    /** The secret key. */
    public SecretBytes secret() {
        return secret;
    }

    /** Algorithm, digits and period. */
    public TotpParameters parameters() {
        return parameters;
    }

    /** The issuer, if the source named one. */
    public Optional<String> issuer() {
        return Optional.ofNullable(issuer);
    }

    /** The account name, if the source named one. */
    public Optional<String> accountName() {
        return Optional.ofNullable(accountName);
    }

    /** Clears the secret. */
    public void destroy() {
        secret.destroy();
    }

    /** Shows the parameters, never the secret. */
    @Override
    public String toString() {
        return "TotpSeed[" + parameters + ", secret hidden]";
    }
}
