package dev.mfagate.core.seed;

import dev.mfagate.core.totp.TotpSeed;
import java.util.Objects;
import java.util.Optional;

/**
 * One seed read by a batch import, with where it came from.
 *
 * <p>{@link TotpSeed#toString()} hides the secret, so this record's {@code toString} does too;
 * equality compares the seed by identity. The seed belongs to the caller, who should destroy it
 * once it is stored.
 *
 * @param index 1-based position in the batch, as {@code #N} in a label mapping file names it
 * @param source where the entry came from, for example {@code export.png QR 2, migration entry 3}
 * @param issuer the issuer, if the source named one
 * @param accountName the account name, if the source named one
 * @param seed the seed
 */
public record ImportedEntry(int index, String source, Optional<String> issuer, Optional<String> accountName, TotpSeed seed) {

    /** Checks that the index is positive and nothing is null. */
    public ImportedEntry {
        if (index < 1) {
            throw new IllegalArgumentException("Invalid index " + index + "; must be at least 1");
        }
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(accountName, "accountName");
        Objects.requireNonNull(seed, "seed");
    }

    /** {@code ISSUER:ACCOUNT}, or just the account when there is no issuer: the key a mapping file uses. */
    public String mappingKey() {
        return issuer.map(i -> i + ":").orElse("") + accountName.orElse("");
    }

    /** How messages name this entry: {@code entry 3 (source, ISSUER:ACCOUNT)}. */
    String describe() {
        String key = mappingKey();
        return "entry " + index + " (" + source + (key.isEmpty() ? "" : ", " + Shown.value(key)) + ")";
    }
}
