package dev.mfagate.core.store;

import java.util.Objects;

/**
 * The outcome of {@link Store#rotateKeys()}.
 *
 * @param previousKekId the KEK data keys were wrapped under before; kept in the keyset for unwrapping until {@link Store#retireKeys()}
 * @param newKekId the KEK every data key is wrapped under now
 * @param rewrappedDataKeys how many data keys were re-wrapped (one per stored seed)
 */
public record KeyRotation(String previousKekId, String newKekId, int rewrappedDataKeys) {

    /** Validates the fields. */
    public KeyRotation {
        Objects.requireNonNull(previousKekId, "previousKekId");
        Objects.requireNonNull(newKekId, "newKekId");
        if (rewrappedDataKeys < 0) {
            throw new IllegalArgumentException("Invalid rewrappedDataKeys " + rewrappedDataKeys + "; must be >= 0");
        }
    }
}
