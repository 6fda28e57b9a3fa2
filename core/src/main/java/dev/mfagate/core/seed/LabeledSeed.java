package dev.mfagate.core.seed;

import dev.mfagate.core.Label;
import dev.mfagate.core.totp.TotpSeed;
import java.util.Objects;

/**
 * An imported entry with the label it will be stored under.
 *
 * @param label the label
 * @param entry the imported entry, with its seed and where it came from
 */
public record LabeledSeed(Label label, ImportedEntry entry) {

    /** Checks for nulls. */
    public LabeledSeed {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(entry, "entry");
    }

    /** The seed to store. */
    public TotpSeed seed() {
        return entry.seed();
    }
}
