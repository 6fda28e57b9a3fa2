package dev.mfagate.core.policy;

import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of evaluating a request against policy: {@link Allowed} or {@link Denied}.
 * Both are expected outcomes and come back as values; switch over them.
 */
public sealed interface PolicyDecision {

    /** Whether the request is allowed. */
    boolean isAllowed();

    /**
     * The request is allowed.
     *
     * @param rule the rule that grants it, or empty when the token's own scope is the grant
     *     (a direct request by a token that may not act on behalf of users)
     */
    record Allowed(Optional<Rule> rule) implements PolicyDecision {
        /** Validates. */
        public Allowed {
            Objects.requireNonNull(rule, "rule");
        }

        /** Allowed by the token's own scope. */
        public static Allowed byTokenScope() {
            return new Allowed(Optional.empty());
        }

        /** Allowed by {@code rule}. */
        public static Allowed byRule(Rule rule) {
            return new Allowed(Optional.of(rule));
        }

        /** For the audit trail: {@code rule:<id>} or {@code token-scope}. */
        public String grant() {
            return rule.map(r -> "rule:" + r.id()).orElse("token-scope");
        }

        @Override
        public boolean isAllowed() {
            return true;
        }
    }

    /**
     * The request is denied.
     *
     * @param reason why
     */
    record Denied(DenialReason reason) implements PolicyDecision {
        /** Validates. */
        public Denied {
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public boolean isAllowed() {
            return false;
        }
    }
}
