package dev.mfagate.core.store;

import java.util.Objects;
import java.util.Set;

/**
 * The outcome of {@link Store#retireKeys()}.
 *
 * @param primaryKekId the KEK every data key is wrapped under, kept
 * @param retiredKekIds the older KEKs removed from the keyset (empty if there were none)
 */
public record KeyRetirement(String primaryKekId, Set<String> retiredKekIds) {

    /** Copies the set. */
    public KeyRetirement {
        Objects.requireNonNull(primaryKekId, "primaryKekId");
        retiredKekIds = Set.copyOf(retiredKekIds);
    }
}
