package dev.mfagate.gateway;

import dev.mfagate.core.Label;
import dev.mfagate.core.totp.TotpSeed;
import java.util.Optional;
import java.util.SortedSet;

/**
 * Where the gateway finds seeds: the encrypted store, then read-only environment seeds.
 * Implementations are thread-safe; {@link #find} decrypts, so callers destroy the seed after use.
 */
public interface SeedLookup {

    /** The seed for {@code label}, decrypted for one use, or empty. */
    Optional<TotpSeed> find(Label label);

    /** Every label that has a seed. */
    SortedSet<Label> labels();
}
