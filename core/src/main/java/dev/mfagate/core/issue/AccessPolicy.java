package dev.mfagate.core.issue;

import dev.mfagate.core.Label;
import dev.mfagate.core.policy.Authorizer;
import dev.mfagate.core.policy.DenialReason;
import dev.mfagate.core.policy.PolicyDecision;
import dev.mfagate.core.policy.Subject;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.OptionalInt;

/**
 * The policy step of {@link CodeIssuer}: the stored rules ({@link #rules}) or, in demo mode, the
 * token's scope alone ({@link #tokenScopeOnly}). Implementations are thread-safe.
 */
public interface AccessPolicy {

    /** Decides, and uses one of today's allowance when the grant is capped. */
    PolicyDecision decide(Subject subject, Label label, Instant now);

    /** How many codes a day the granting rules allow, when all are capped; else empty. */
    OptionalInt dailyAllowance(Subject subject, Label label, Instant now);

    /** The labels among {@code all} that {@link #decide} would allow (caps not consulted), sorted. */
    List<Label> listAllowed(Subject subject, Collection<Label> all, Instant now);

    /** Deny by default: the rules in the store, capped by the token's scope. */
    static AccessPolicy rules(Authorizer authorizer) {
        return new AccessPolicy() {
            @Override
            public PolicyDecision decide(Subject subject, Label label, Instant now) {
                return authorizer.authorize(subject, label, now);
            }

            @Override
            public OptionalInt dailyAllowance(Subject subject, Label label, Instant now) {
                return authorizer.dailyAllowance(subject, label, now);
            }

            @Override
            public List<Label> listAllowed(Subject subject, Collection<Label> all, Instant now) {
                return authorizer.listAllowed(subject, all, now);
            }
        };
    }

    /** The demo mode's policy: whatever the token's scope covers. */
    static AccessPolicy tokenScopeOnly() {
        return new AccessPolicy() {
            @Override
            public PolicyDecision decide(Subject subject, Label label, Instant now) {
                return subject.token().covers(label) ? PolicyDecision.Allowed.byTokenScope()
                        : new PolicyDecision.Denied(DenialReason.OUTSIDE_TOKEN_SCOPE);
            }

            @Override
            public OptionalInt dailyAllowance(Subject subject, Label label, Instant now) {
                return OptionalInt.empty();
            }

            @Override
            public List<Label> listAllowed(Subject subject, Collection<Label> all, Instant now) {
                return all.stream().filter(subject.token()::covers).sorted().toList();
            }
        };
    }
}
