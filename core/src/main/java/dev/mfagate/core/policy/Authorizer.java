package dev.mfagate.core.policy;

import dev.mfagate.core.Label;
import dev.mfagate.core.store.Database;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * The gateway's policy entry point: decides a request with the current {@link Policy} and
 * enforces daily caps.
 *
 * <p>{@link #authorize} returns what {@link Policy#decide} returns, except that when the grant is
 * a capped rule it takes one use from {@link DailyUsage}; if that rule's cap is used up it tries
 * the next capped rule that also grants the label, and when none is left the request is denied
 * with {@link DenialReason#DAILY_CAP_REACHED}. An uncapped grant is always preferred, so it never
 * uses a capped rule's allowance. A use is taken as soon as the request is authorised (before the
 * audit write and the code), so a request that later fails still counts.
 *
 * <p>The gateway calls, per request: lockout check, rate limit, {@code authorize}, audit, code.
 * Thread-safe; one per process.
 */
public final class Authorizer {

    private final PolicyRepository policies;
    private final DailyUsage usage;

    /** An authorizer over {@code policies} counting caps in {@code usage}. */
    public Authorizer(PolicyRepository policies, DailyUsage usage) {
        this.policies = Objects.requireNonNull(policies, "policies");
        this.usage = Objects.requireNonNull(usage, "usage");
    }

    /** An authorizer on {@code db} with the default policy cache staleness. */
    public static Authorizer open(Database db) {
        return new Authorizer(new PolicyRepository(db), new DailyUsage(db));
    }

    /** The policy store behind this authorizer. */
    public PolicyRepository policies() {
        return policies;
    }

    /**
     * Decides whether {@code subject} may get a code for {@code label} at {@code now}; when the
     * grant is capped, uses one of today's allowance.
     */
    public PolicyDecision authorize(Subject subject, Label label, Instant now) {
        Policy policy = policies.snapshot();
        PolicyDecision decision = policy.decide(subject, label, now);
        if (!(decision instanceof PolicyDecision.Allowed allowed)
                || allowed.rule().isEmpty()
                || allowed.rule().get().dailyCap().isEmpty()) {
            return decision;
        }
        for (Rule rule : policy.grantingRules(subject, label, now)) {
            // Sorted uncapped-first, and the decision above chose a capped rule: all are capped.
            if (usage.tryConsume(rule, subject.principalKey(), label, now)) {
                return PolicyDecision.Allowed.byRule(rule);
            }
        }
        return new PolicyDecision.Denied(DenialReason.DAILY_CAP_REACHED);
    }

    /**
     * How many codes a day {@code subject} may have for {@code label} at {@code now}: the sum of the caps of
     * the rules that grant it, when every one is capped (what a {@link DenialReason#DAILY_CAP_REACHED} refusal
     * can tell the person); empty when an uncapped rule grants it, or none does.
     */
    public OptionalInt dailyAllowance(Subject subject, Label label, Instant now) {
        List<Rule> granting = policies.snapshot().grantingRules(subject, label, now);
        if (granting.isEmpty() || granting.stream().anyMatch(r -> r.dailyCap().isEmpty())) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(granting.stream().mapToInt(r -> r.dailyCap().getAsInt()).sum());
    }

    /**
     * The labels among {@code all} that {@code subject} may get now, sorted. Daily caps are not
     * consulted: a label whose cap is used up today is still listed.
     */
    public List<Label> listAllowed(Subject subject, Collection<Label> all, Instant now) {
        return policies.snapshot().listAllowed(subject, all, now);
    }
}
