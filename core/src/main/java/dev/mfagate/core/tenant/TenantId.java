package dev.mfagate.core.tenant;

import dev.mfagate.core.Label;
import dev.mfagate.core.LabelPattern;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A tenant: one client, named by the client part of its labels ({@code acme} owns {@code acme-aws}
 * and {@code acme-db-prod}). Same grammar as a label's client part: {@code [a-z0-9][a-z0-9_.]*}, at
 * most {@value Label#MAX_PART_LENGTH} characters, kept lower-case.
 *
 * <p>Immutable and thread-safe.
 *
 * @param value the client part, lower-case
 */
public record TenantId(String value) implements Scope, Comparable<TenantId> {

    private static final Pattern CLIENT = Pattern.compile("[a-z0-9][a-z0-9_.]*");

    /** Validates and lower-cases. */
    public TenantId {
        Objects.requireNonNull(value, "value");
        value = dev.mfagate.api.LabelGrammar.asciiLowerCase(value);
        // Lower-cased already, so the check's A-Z never matches: [a-z0-9][a-z0-9_.]*.
        if (value.isEmpty() || value.length() > Label.MAX_PART_LENGTH
                || !dev.mfagate.api.LabelGrammar.isAsciiWord(value, "_.", true)) {
            throw new IllegalArgumentException("Invalid tenant " + describe(value)
                    + ": must be a label's client part, [a-z0-9][a-z0-9_.]* (no dash), at most "
                    + Label.MAX_PART_LENGTH + " characters");
        }
    }

    /**
     * Parses a tenant id.
     *
     * @throws IllegalArgumentException naming the rule broken
     */
    public static TenantId parse(String text) {
        return new TenantId(text);
    }

    /**
     * Parses the id of a tenant being created: as {@link #parse}, and refusing an id of 16 or more
     * letters and digits alone ({@link dev.mfagate.api.LabelGrammar#mayBeSecret}), the shape of a
     * pasted base32 or hex secret, which every listing, page and audit entry would then show. Ids of
     * tenants that exist are still parsed with {@link #parse}.
     *
     * @throws IllegalArgumentException naming the rule broken, never quoting a secret-shaped id
     */
    public static TenantId parseNew(String text) {
        TenantId id = parse(text);
        if (dev.mfagate.api.LabelGrammar.mayBeSecret(id.value())) {
            throw new IllegalArgumentException("Invalid tenant " + describe(id.value()) + ": 16 or more letters and digits"
                    + " alone look like a pasted secret; use a shorter id, or separate its words with '_' or '.'");
        }
        return id;
    }

    /** The tenant that owns {@code label}: its client part. */
    public static TenantId of(Label label) {
        return new TenantId(label.client());
    }

    /**
     * The one tenant every label {@code pattern} can match belongs to, or empty when it can reach
     * several tenants (so only the organisation may hold it).
     *
     * <p>Decided from the text: a label's client part ends at its first dash, so a pattern whose text
     * before its first dash is a literal tenant id (no {@code *}) matches only that tenant's labels:
     * {@code acme-*} and {@code acme-aws} are {@code acme}'s; {@code *}, {@code a*}, {@code *-aws}
     * and {@code acme*-x} are not confined. The test is sound (a pattern it confines never matches
     * another tenant's label); a pattern that matches no label at all and fails it (such as
     * {@code acme}) simply stays with the organisation.
     */
    public static Optional<TenantId> confining(LabelPattern pattern) {
        String text = pattern.value();
        int dash = text.indexOf('-');
        if (dash <= 0) {
            return Optional.empty();
        }
        String prefix = text.substring(0, dash);
        if (prefix.length() > Label.MAX_PART_LENGTH || !CLIENT.matcher(prefix).matches()) {
            return Optional.empty();
        }
        return Optional.of(new TenantId(prefix));
    }

    /** Whether {@code label} belongs to this tenant. */
    public boolean owns(Label label) {
        return value.equals(label.client());
    }

    @Override
    public boolean isOrganisation() {
        return false;
    }

    @Override
    public Optional<TenantId> tenant() {
        return Optional.of(this);
    }

    @Override
    public int compareTo(TenantId o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }

    /** As {@link dev.mfagate.api.LabelGrammar#describe}: a secret-shaped value is never quoted back. */
    static String describe(String value) {
        return dev.mfagate.api.LabelGrammar.describe(value);
    }
}
