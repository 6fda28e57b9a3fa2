package dev.mfagate.core.admin;

import dev.mfagate.core.Label;
import dev.mfagate.core.LabelPattern;
import dev.mfagate.core.policy.PolicyRepository;
import dev.mfagate.core.policy.Principal;
import dev.mfagate.core.policy.Rule;
import dev.mfagate.core.tenant.AdminAuthorizer.Action;
import dev.mfagate.core.tenant.AdminAuthorizer.Resource;
import dev.mfagate.core.tenant.Scope;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Rules and grants over the admin API: create, list and revoke the rules a tenant (or the
 * organisation) owns, and answer "who may get this label, and by which rule". A tenant's rule
 * names only the tenant's labels ({@link Scope#requireCovers}); another owner's rule answers as a
 * missing one. Thread-safe.
 */
public final class RuleAdmin {

    /**
     * A rule and its owner.
     *
     * @param rule the rule
     * @param owner the tenant that owns it, or the organisation
     */
    public record Owned(Rule rule, Scope owner) {
        /** Validates. */
        public Owned {
            Objects.requireNonNull(rule, "rule");
            Objects.requireNonNull(owner, "owner");
        }
    }

    private final PolicyRepository policy;
    private final AdminDesk desk;

    /** A service over {@code policy}. */
    public RuleAdmin(PolicyRepository policy, AdminDesk desk) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.desk = Objects.requireNonNull(desk, "desk");
    }

    /** The rules the target owns, by id. */
    public AdminResult<List<Owned>> list(AdminRequest r) {
        Optional<AdminResult.Refused<List<Owned>>> refused = desk.authorize(r, Resource.RULES, Action.READ);
        if (refused.isPresent()) {
            return refused.get();
        }
        List<Owned> out = owned().stream().filter(o -> o.owner().equals(r.target())).toList();
        desk.read(r, "listed " + out.size() + " rule(s)");
        return new AdminResult.Done<>(out);
    }

    /**
     * Grants {@code principal} the labels of {@code pattern}, owned by the target.
     *
     * @param id the rule id, or null for a random one
     * @param expiresAt when the grant ends, or null
     * @param dailyCap codes per principal and label each UTC day, or null
     */
    public AdminResult<Owned> create(AdminRequest r, String id, String principal, String pattern, Instant expiresAt,
                                     Integer dailyCap) {
        Optional<AdminResult.Refused<Owned>> refused = desk.authorize(r, Resource.RULES, Action.CHANGE);
        if (refused.isPresent()) {
            return refused.get();
        }
        Rule rule;
        try {
            rule = new Rule(id != null ? id : Rule.newId(), Principal.parse(Objects.requireNonNullElse(principal, "")),
                    LabelPattern.parse(Objects.requireNonNullElse(pattern, "")), Optional.ofNullable(expiresAt),
                    dailyCap == null ? OptionalInt.empty() : OptionalInt.of(dailyCap), r.caller().describe(), r.now());
            PolicyRepository.requireGrantable(rule);
            r.target().requireCovers(rule.pattern());
        } catch (IllegalArgumentException e) {
            return AdminResult.invalid(e.getMessage());
        }
        if (expiresAt != null && !expiresAt.isAfter(r.now())) {
            return AdminResult.invalid("Invalid expires_at " + expiresAt + "; must be after now (" + r.now() + ")");
        }
        if (policy.list().stream().anyMatch(x -> x.id().equals(rule.id()))) {
            return AdminResult.conflict("A rule with id " + rule.id() + " exists; choose another id");
        }
        Rule stored;
        try {
            stored = policy.grant(rule, r.target());
        } catch (dev.mfagate.core.policy.DuplicateRuleException e) {
            // Most often the same form sent twice: refused, naming the rule that grants it already.
            return AdminResult.conflict(e.getMessage());
        } catch (IllegalArgumentException e) {
            // A person or token the store does not hold, or a rule of that id added since the check above.
            return AdminResult.invalid(e.getMessage());
        }
        desk.changed(r, "grant", null, stored.id(), "granted " + stored.describe());
        return new AdminResult.Done<>(new Owned(stored, r.target()));
    }

    /** Revokes the target's rule {@code id}. */
    public AdminResult<Boolean> revoke(AdminRequest r, String id) {
        Optional<AdminResult.Refused<Boolean>> refused = desk.authorize(r, Resource.RULES, Action.CHANGE);
        if (refused.isPresent()) {
            return refused.get();
        }
        Optional<Owned> rule = owned().stream().filter(o -> o.rule().id().equals(id) && o.owner().equals(r.target())).findFirst();
        if (rule.isEmpty() || !policy.revoke(id)) {
            return AdminResult.notFound();
        }
        desk.changed(r, "revoke", null, id, "revoked " + rule.get().rule().describe());
        return new AdminResult.Done<>(true);
    }

    /**
     * Who may get {@code label} (one of the target tenant's), and by which rule: every unexpired rule
     * of any owner whose pattern covers it. A label outside the tenant answers as missing.
     */
    public AdminResult<List<Owned>> access(AdminRequest r, String label) {
        Optional<AdminResult.Refused<List<Owned>>> refused = desk.authorize(r, Resource.RULES, Action.READ);
        if (refused.isPresent()) {
            return refused.get();
        }
        // The organisation's operators and auditors read every rule, so any label is theirs to ask about;
        // a tenant's people only their tenant's labels.
        Optional<Label> own = r.target().isOrganisation() ? valid(label) : SeedAdmin.own(r, label);
        if (own.isEmpty()) {
            return AdminResult.notFound();
        }
        List<Owned> out = owned().stream()
                .filter(o -> o.rule().covers(own.get()) && o.rule().isActiveAt(r.now())).toList();
        desk.read(r, "listed " + out.size() + " rule(s) granting " + own.get());
        return new AdminResult.Done<>(out);
    }

    private static Optional<Label> valid(String label) {
        return label != null && Label.isValid(label) ? Optional.of(Label.parse(label)) : Optional.empty();
    }

    private List<Owned> owned() {
        Map<String, Scope> owners = policy.owners();
        return policy.list().stream()
                .map(rule -> new Owned(rule, owners.getOrDefault(rule.id(), Scope.of(rule.pattern()))))
                .toList();
    }
}
