package dev.mfagate.core.policy;

import java.util.Objects;

/**
 * A grant refused because the owner has a rule identical to it already: the same principal, pattern,
 * expiry and daily cap. A second such rule would change nothing but the count of rules to revoke,
 * and is most often a form sent twice (a reload after "Grant"). An {@link IllegalArgumentException},
 * as every other refused grant, so that a door that does not tell them apart still refuses it; the
 * admin API and the console tell it apart to answer a conflict.
 *
 * <p>Immutable.
 */
public final class DuplicateRuleException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** The id of the rule that exists already. */
    private final String existingId;

    /**
     * A refusal naming {@code existing}.
     *
     * @param existing the stored rule the refused one is identical to
     */
    public DuplicateRuleException(Rule existing) {
        super("Rule " + Objects.requireNonNull(existing, "existing").id() + " already grants this (" + existing.principal().text()
                + " -> " + existing.pattern().value() + ", the same last day and daily cap); nothing was granted");
        this.existingId = existing.id();
    }

    /** The id of the rule that exists already. */
    public String existingId() {
        return existingId;
    }
}
