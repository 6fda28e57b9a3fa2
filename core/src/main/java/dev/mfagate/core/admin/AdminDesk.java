package dev.mfagate.core.admin;

import dev.mfagate.core.audit.AuditEvent;
import dev.mfagate.core.audit.Outcome;
import dev.mfagate.core.issue.AuditSink;
import dev.mfagate.core.tenant.AdminAuthorizer;
import dev.mfagate.core.tenant.AdminAuthorizer.Action;
import dev.mfagate.core.tenant.AdminAuthorizer.Decision;
import dev.mfagate.core.tenant.AdminAuthorizer.Resource;
import dev.mfagate.core.tenant.Scope;
import java.util.Objects;
import java.util.Optional;

/**
 * What every administrative service shares: the one authorisation step ({@link AdminAuthorizer}
 * over the caller's role bindings: a token's one role, or a console session's person and SSO groups)
 * and the audit entries. A change is an {@code ADMIN} entry; a read
 * an {@code ALLOWED} entry with reason {@code admin_read}; both are committed before the answer
 * leaves. An entry's {@code detail} starts with {@code tenant <id>;} or {@code organisation;} (what
 * the audit query filters tenants by), then names the caller and the change, never a secret.
 * Thread-safe.
 */
public final class AdminDesk {

    private final AuditSink audit;
    private final String instanceId;

    /** A desk committing to {@code audit}, naming {@code instanceId} in its entries. */
    public AdminDesk(AuditSink audit, String instanceId) {
        this.audit = Objects.requireNonNull(audit, "audit");
        this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
    }

    /** The authoriser's answer for {@code caller}: a pure function of the bindings it holds. */
    public static Decision decide(AdminCaller caller, Resource resource, Action action, Scope target) {
        return AdminAuthorizer.decide(caller.bindings(), resource, action, target);
    }

    /**
     * Empty when the caller may act on {@code resource} in the request's target; else the refusal:
     * {@link AdminResult.Kind#FORBIDDEN}, or {@link AdminResult.Kind#NOT_FOUND} exactly as for a
     * missing object when the target is a tenant the caller may not see.
     */
    <T> Optional<AdminResult.Refused<T>> authorize(AdminRequest r, Resource resource, Action action) {
        return switch (decide(r.caller(), resource, action, r.target())) {
            case ALLOW -> Optional.empty();
            case DENY -> Optional.of(new AdminResult.Refused<>(AdminResult.Kind.FORBIDDEN,
                    "Your role does not allow this here", "admin_forbidden"));
            case NOT_VISIBLE -> Optional.of(new AdminResult.Refused<>(AdminResult.Kind.NOT_FOUND,
                    AdminResult.NOT_FOUND_MESSAGE, "not_visible"));
        };
    }

    /** Commits the {@code ADMIN} entry of a change; {@code change} must hold no secret. */
    void changed(AdminRequest r, String action, String label, String ruleId, String change) {
        audit.commit(event(r, Outcome.ADMIN, action, label, ruleId, change));
    }

    /**
     * Commits one {@code ADMIN} entry per changed label, each naming its label, all before the
     * answer leaves; {@code changes} (one per label, in order) must hold no secret.
     */
    void changedEach(AdminRequest r, String action, java.util.List<String> labels, java.util.List<String> changes) {
        java.util.List<AuditEvent> events = new java.util.ArrayList<>(labels.size());
        for (int i = 0; i < labels.size(); i++) {
            events.add(event(r, Outcome.ADMIN, action, labels.get(i), null, changes.get(i)));
        }
        audit.commitAll(events);
    }

    /** Commits the {@code ALLOWED} entry of a read. */
    void read(AdminRequest r, String what) {
        audit.commit(event(r, Outcome.ALLOWED, "admin_read", null, null, what));
    }

    /** The prefix of an entry's detail that names its tenant, as the audit query matches it. */
    static String scopePrefix(Scope scope) {
        return scope.tenant().map(t -> "tenant " + t.value() + ";").orElse("organisation;");
    }

    private AuditEvent event(AdminRequest r, Outcome outcome, String reason, String label, String ruleId, String text) {
        return AuditEvent.builder(r.now(), outcome)
                .requestId(r.meta().requestId())
                .route(r.meta().route())
                .remoteAddress(r.meta().remoteAddress())
                .tokenId(r.caller().tokenId())
                .label(label)
                .ruleId(ruleId)
                .reason(reason)
                .instanceId(instanceId)
                .detail(scopePrefix(r.target()) + " by " + r.caller().describe() + "; " + text)
                .build();
    }
}
