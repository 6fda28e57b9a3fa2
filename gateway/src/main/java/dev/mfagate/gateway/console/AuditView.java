package dev.mfagate.gateway.console;

import dev.mfagate.core.Label;
import dev.mfagate.core.audit.AuditEntry;
import dev.mfagate.core.audit.AuditEvent;
import dev.mfagate.core.audit.AuditExporter;
import dev.mfagate.core.audit.Outcome;
import dev.mfagate.core.console.ConsoleSessions.Session;
import dev.mfagate.core.tenant.AdminAuthorizer;
import dev.mfagate.core.tenant.RoleBinding;
import dev.mfagate.core.tenant.Scope;
import dev.mfagate.core.tenant.TenantId;
import dev.mfagate.core.tenant.TenantRepository;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * What of the audit trail a signed-in person may read, decided by {@link AdminAuthorizer} (AUDIT,
 * READ): an organisation auditor (or operator) every entry; a tenant's admin or approver the entries
 * about that tenant's labels. Entries without a label (sign-ins, label lists) are the organisation's.
 * Read-only; thread-safe.
 */
final class AuditView {

    /** Entries on one page. */
    static final int PAGE = 50;
    /** How far back the page looks. */
    static final Duration WINDOW = Duration.ofDays(30);

    private final AuditExporter exporter;
    private final TenantRepository tenants;

    AuditView(AuditExporter exporter, TenantRepository tenants) {
        this.exporter = Objects.requireNonNull(exporter, "exporter");
        this.tenants = Objects.requireNonNull(tenants, "tenants");
    }

    /** Who may read what. */
    record Reach(boolean everything, Set<String> tenantIds) {
        boolean any() {
            return everything || !tenantIds.isEmpty();
        }

        String text() {
            return everything ? "every tenant and the organisation" : "tenant " + String.join(", ", tenantIds);
        }

        boolean covers(AuditEvent e) {
            if (everything) {
                return true;
            }
            if (e.label() == null) {
                return false;
            }
            int dash = e.label().indexOf('-');
            return dash > 0 && tenantIds.contains(e.label().substring(0, dash));
        }
    }

    Reach reach(Session session) {
        List<RoleBinding> bindings = tenants.bindingsOf(session.actor().holders());
        boolean all = AdminAuthorizer.decide(bindings, AdminAuthorizer.Resource.AUDIT, AdminAuthorizer.Action.READ,
                Scope.ORGANISATION) == AdminAuthorizer.Decision.ALLOW;
        Set<String> ids = new TreeSet<>();
        for (RoleBinding b : bindings) {
            b.scope().tenant().filter(t -> AdminAuthorizer.decide(bindings, AdminAuthorizer.Resource.AUDIT,
                    AdminAuthorizer.Action.READ, t) == AdminAuthorizer.Decision.ALLOW).map(TenantId::value).ifPresent(ids::add);
        }
        return new Reach(all, ids);
    }

    /**
     * The newest {@link #PAGE} entries the person may read that match the filters, below
     * {@code beforeSeq} when given; one more is looked for to know whether an older page exists.
     */
    List<AuditEntry> page(Reach reach, String label, String outcome, Long beforeSeq, Instant now) {
        Predicate<AuditEvent> filter = reach::covers;
        if (label != null && !label.isBlank()) {
            String canonical = Label.parse(label.strip()).value();
            filter = filter.and(e -> canonical.equals(e.label()));
        }
        if (outcome != null && !outcome.isBlank()) {
            Outcome o = Outcome.valueOf(outcome);
            filter = filter.and(e -> e.outcome() == o);
        }
        Predicate<AuditEvent> keep = filter;
        Deque<AuditEntry> newest = new ArrayDeque<>();
        exporter.forEach(now.minus(WINDOW), now.plusSeconds(1), entry -> {
            if ((beforeSeq == null || entry.seq() < beforeSeq) && keep.test(entry.event())) {
                newest.addFirst(entry);
                if (newest.size() > PAGE + 1) {
                    newest.removeLast();
                }
            }
        });
        return List.copyOf(newest);
    }

    static List<String> outcomes() {
        return Arrays.stream(Outcome.values()).map(Enum::name).toList();
    }

    static AuditPage.Row row(AuditEntry entry) {
        AuditEvent e = entry.event();
        StringBuilder who = new StringBuilder();
        if (e.tokenId() != null) {
            who.append("token ").append(e.tokenId());
        }
        if (e.zulipUserId() != null) {
            who.append(who.isEmpty() ? "" : ", ").append("Zulip user ").append(e.zulipUserId());
        }
        if (e.detail() != null) {
            who.append(who.isEmpty() ? "" : "; ").append(e.detail());
        }
        return new AuditPage.Row(entry.seq(), e.time().truncatedTo(ChronoUnit.SECONDS).toString(), e.outcome().name(),
                Objects.requireNonNullElse(e.reason(), ""), Objects.requireNonNullElse(e.label(), ""), who.toString(),
                Objects.requireNonNullElse(e.requestId(), ""));
    }
}
