package dev.mfagate.core.store;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of {@link Store#migrateKeys}.
 *
 * @param fromReference where the KEK lived before ({@code file} or a provider reference)
 * @param toReference where it lives now
 * @param previousKekId the KEK data keys were wrapped under before (kept in the keyset until {@code keys retire})
 * @param newKekId the fresh KEK every data key is wrapped under now
 * @param rewrappedDataKeys how many data keys were re-wrapped and verified
 * @param movedKeysetFile where the old {@code keyset.json} was moved, when the keys left the file
 */
public record KeyMigration(String fromReference, String toReference, String previousKekId, String newKekId,
                           int rewrappedDataKeys, Optional<Path> movedKeysetFile) {

    /** Validates presence. */
    public KeyMigration {
        Objects.requireNonNull(fromReference, "fromReference");
        Objects.requireNonNull(toReference, "toReference");
        Objects.requireNonNull(previousKekId, "previousKekId");
        Objects.requireNonNull(newKekId, "newKekId");
        Objects.requireNonNull(movedKeysetFile, "movedKeysetFile");
    }
}
