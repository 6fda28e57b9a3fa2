package dev.mfagate.gateway.console;

import dev.mfagate.core.Label;
import dev.mfagate.core.audit.AuditEntry;
import dev.mfagate.core.audit.AuditEvent;
import dev.mfagate.core.audit.AuditExporter;
import dev.mfagate.core.audit.Outcome;
import dev.mfagate.core.console.ConsoleSessions.Session;
import dev.mfagate.core.tenant.AdminAuthorizer;
import dev.mfagate.core.tenant.Holder;
import dev.mfagate.core.tenant.Identity;
import dev.mfagate.core.tenant.PersonId;
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
import java.util.regex.Pattern;

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

    /** What the page asks for: every part optional (null); the time range is [since, until). */
    record Ask(String label, String outcome, PersonId person, Instant since, Instant until, Long beforeSeq) {
    }

    /**
     * The newest {@link #PAGE} entries the person may read that match {@code ask}, below its
     * {@code beforeSeq} when given, from the last {@link #WINDOW} unless a time range is given; one
     * more is looked for to know whether an older page exists. A person filter matches the entries
     * that name {@code person:<id>} (console acts) and those of the person's Zulip identities.
     */
    List<AuditEntry> page(Reach reach, Ask ask, Instant now) {
        Predicate<AuditEvent> filter = reach::covers;
        if (ask.label() != null && !ask.label().isBlank()) {
            String canonical = Label.parse(ask.label().strip()).value();
            filter = filter.and(e -> canonical.equals(e.label()));
        }
        if (ask.outcome() != null && !ask.outcome().isBlank()) {
            Outcome o = Outcome.valueOf(ask.outcome());
            filter = filter.and(e -> e.outcome() == o);
        }
        if (ask.person() != null) {
            Pattern named = Pattern.compile("(?<![a-z0-9._-])person:" + Pattern.quote(ask.person().value()) + "(?![a-z0-9._-])");
            Set<Long> zulip = tenants.person(ask.person()).map(p -> p.identities().stream()
                    .filter(i -> i instanceof Identity.ZulipUser).map(i -> ((Identity.ZulipUser) i).userId())
                    .collect(java.util.stream.Collectors.toSet())).orElse(Set.of());
            filter = filter.and(e -> (e.detail() != null && named.matcher(e.detail()).find())
                    || (e.zulipUserId() != null && zulip.contains(e.zulipUserId())));
        }
        Long beforeSeq = ask.beforeSeq();
        Instant since = ask.since() != null ? ask.since() : ask.until() != null ? ask.until().minus(WINDOW) : now.minus(WINDOW);
        Instant until = ask.until() != null ? ask.until() : now.plusSeconds(1);
        Predicate<AuditEvent> keep = filter;
        Deque<AuditEntry> newest = new ArrayDeque<>();
        exporter.forEach(since, until, entry -> {
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
