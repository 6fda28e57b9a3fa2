package dev.mfagate.core.tenant;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A human mfagate knows, with the identities that recognise them.
 *
 * @param id the person's id
 * @param displayName a name for listings, 1 to 128 printable characters (never used to match)
 * @param identities the linked identities, sorted by their text
 * @param createdAt when the person was added
 */
public record Person(PersonId id, String displayName, List<Identity> identities, Instant createdAt) {

    private static final Pattern NAME = Pattern.compile("[^\\p{Cntrl}]{1,128}");

    /** Validates and copies. */
    public Person {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(displayName, "displayName");
        Objects.requireNonNull(createdAt, "createdAt");
        identities = List.copyOf(identities);
        requireDisplayName(displayName);
    }

    /** @throws IllegalArgumentException unless 1 to 128 characters without control characters */
    public static void requireDisplayName(String displayName) {
        if (!NAME.matcher(displayName).matches() || displayName.isBlank()) {
            throw new IllegalArgumentException("Invalid display name: must be 1 to 128 characters, no control characters");
        }
    }
}
