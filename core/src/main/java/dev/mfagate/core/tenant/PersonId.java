package dev.mfagate.core.tenant;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A person's stable id in mfagate, chosen by whoever adds them ({@code ann}, {@code ann.lee}):
 * {@code [a-z0-9][a-z0-9_.-]*}, at most 64 characters, lower-case. Rules and role bindings name it
 * as {@code person:<id>}. Immutable.
 *
 * @param value the id
 */
public record PersonId(String value) implements Comparable<PersonId> {

    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");

    /** Validates and lower-cases. */
    public PersonId {
        Objects.requireNonNull(value, "value");
        value = dev.mfagate.api.LabelGrammar.asciiLowerCase(value);
        if (!ID.matcher(value).matches()) {
            throw new IllegalArgumentException("Invalid person id " + TenantId.describe(value)
                    + ": must match [a-z0-9][a-z0-9_.-]* and be at most 64 characters");
        }
    }

    /**
     * Parses the id of a person being added: as the constructor, and refusing an id of 16 or more
     * letters and digits alone, the shape of a pasted secret (see {@link TenantId#parseNew}).
     *
     * @throws IllegalArgumentException naming the rule broken, never quoting a secret-shaped id
     */
    public static PersonId parseNew(String text) {
        PersonId id = new PersonId(text);
        if (dev.mfagate.api.LabelGrammar.mayBeSecret(id.value())) {
            throw new IllegalArgumentException("Invalid person id " + TenantId.describe(id.value()) + ": 16 or more letters and"
                    + " digits alone look like a pasted secret; use a shorter id, or separate its words with '.', '_' or '-'");
        }
        return id;
    }

    /** The id as a message shows it: as it is, or only its length when it looks like a pasted secret. */
    public String shown() {
        return dev.mfagate.api.LabelGrammar.mayBeSecret(value) ? "(" + value.length() + " characters, not shown)" : value;
    }

    @Override
    public int compareTo(PersonId o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
