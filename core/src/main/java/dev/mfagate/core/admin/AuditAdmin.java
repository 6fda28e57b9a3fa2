package dev.mfagate.core.admin;

import dev.mfagate.core.Label;
import dev.mfagate.core.audit.AuditEntry;
import dev.mfagate.core.audit.AuditQuery;
import dev.mfagate.core.audit.AuditVerifier;
import dev.mfagate.core.audit.Outcome;
import dev.mfagate.core.audit.VerificationResult;
import dev.mfagate.core.tenant.AdminAuthorizer.Action;
import dev.mfagate.core.tenant.AdminAuthorizer.Resource;
import dev.mfagate.core.tenant.Identity;
import dev.mfagate.core.tenant.PersonId;
import dev.mfagate.core.tenant.TenantId;
import dev.mfagate.core.tenant.TenantRepository;
import java.io.Writer;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToLongFunction;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The audit trail over the admin API: query the target's entries (a tenant's, or every entry at
 * the organisation) by label, person, outcome and time, a page at a time; export them as JSON lines;
 * and the chain's status ({@link AuditVerifier}, organisation only). Reading is itself audited.
 * Thread-safe.
 */
public final class AuditAdmin {

    /** The page size when none is asked for. */
    public static final int DEFAULT_PAGE = 100;

    private static final Pattern WHOLE = Pattern.compile("[+-]?[0-9]+");

    /**
     * What a caller asks for, as text from the request; every part optional.
     *
     * @param label a label
     * @param person a person id: entries of their Zulip identities
     * @param outcome an outcome name, such as {@code DENIED}
     * @param since from this time (ISO-8601), inclusive
     * @param until to this time, exclusive
     * @param after entries after this sequence number
     * @param limit the page size, 1 to {@value AuditQuery#MAX_PAGE}
     */
    public record Ask(String label, String person, String outcome, String since, String until, String after, String limit) {
    }

    /**
     * One page.
     *
     * @param entries the entries, in seq order
     * @param nextAfter the {@code after} of the next page, when this page is full
     */
    public record Page(List<AuditEntry> entries, Optional<Long> nextAfter) {
    }

    private final AuditQuery query;
    private final AuditVerifier verifier;
    private final TenantRepository tenants;
    private final AdminDesk desk;

    /** A service over the trail. */
    public AuditAdmin(AuditQuery query, AuditVerifier verifier, TenantRepository tenants, AdminDesk desk) {
        this.query = Objects.requireNonNull(query, "query");
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.tenants = Objects.requireNonNull(tenants, "tenants");
        this.desk = Objects.requireNonNull(desk, "desk");
    }

    /** A page of the target's entries matching {@code ask}. */
    public AdminResult<Page> query(AdminRequest r, Ask ask) {
        Optional<AdminResult.Refused<Page>> refused = desk.authorize(r, Resource.AUDIT, Action.READ);
        if (refused.isPresent()) {
            return refused.get();
        }
        AuditQuery.Filter filter;
        int limit;
        try {
            filter = filter(r, ask);
            limit = ask.limit() == null ? DEFAULT_PAGE : (int) wholeNumber(ask.limit(), "limit", 1, AuditQuery.MAX_PAGE);
        } catch (IllegalArgumentException e) {
            return AdminResult.invalid(e.getMessage());
        }
        desk.read(r, "queried the audit");
        List<AuditEntry> entries = query.page(filter, limit);
        Optional<Long> next = entries.size() == limit ? Optional.of(entries.get(entries.size() - 1).seq()) : Optional.empty();
        return new AdminResult.Done<>(new Page(entries, next));
    }

    /**
     * The export of the target's entries matching {@code ask} (its limit ignored), once the read is
     * audited: a function that streams them to a writer and returns how many it wrote.
     */
    public AdminResult<ToLongFunction<Writer>> export(AdminRequest r, Ask ask) {
        Optional<AdminResult.Refused<ToLongFunction<Writer>>> refused = desk.authorize(r, Resource.AUDIT, Action.READ);
        if (refused.isPresent()) {
            return refused.get();
        }
        AuditQuery.Filter filter;
        try {
            filter = filter(r, ask);
        } catch (IllegalArgumentException e) {
            return AdminResult.invalid(e.getMessage());
        }
        desk.read(r, "exported the audit");
        return new AdminResult.Done<>(out -> query.export(filter, out));
    }

    /** Verifies the whole chain (the organisation's audit). */
    public AdminResult<VerificationResult> chain(AdminRequest r) {
        Optional<AdminResult.Refused<VerificationResult>> refused = desk.authorize(r, Resource.AUDIT, Action.READ);
        if (refused.isPresent()) {
            return refused.get();
        }
        if (!r.target().isOrganisation()) {
            return AdminResult.notFound();
        }
        desk.read(r, "verified the audit chain");
        return new AdminResult.Done<>(verifier.verify());
    }

    private AuditQuery.Filter filter(AdminRequest r, Ask ask) {
        Optional<String> label = Optional.ofNullable(ask.label()).map(l -> Label.parse(l).value());
        Optional<Set<Long>> users = Optional.ofNullable(ask.person()).map(p -> tenants.person(new PersonId(p))
                .map(person -> person.identities().stream().filter(i -> i instanceof Identity.ZulipUser)
                        .map(i -> ((Identity.ZulipUser) i).userId()).collect(Collectors.toSet()))
                .orElse(Set.of()));
        Optional<Outcome> outcome = Optional.ofNullable(ask.outcome()).map(o -> {
            try {
                return Outcome.valueOf(o.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Invalid outcome: must be one of " + List.of(Outcome.values()));
            }
        });
        return new AuditQuery.Filter(r.target().tenant().map(TenantId::value), label, users, outcome,
                time(ask.since(), Instant.EPOCH, "since"), time(ask.until(), Instant.parse("9999-12-31T23:59:59Z"), "until"),
                ask.after() == null ? 0 : wholeNumber(ask.after(), "after", 0, Long.MAX_VALUE));
    }

    /**
     * {@code text} as a whole number from {@code min} to {@code max}. A number of digits too long
     * for a {@code long} is out of the range, not "not a number"; the message never quotes
     * {@code text}.
     */
    static long wholeNumber(String text, String name, long min, long max) {
        String range = " from " + min + " to " + max;
        if (!WHOLE.matcher(text).matches()) {
            throw new IllegalArgumentException("Invalid " + name + ": must be a whole number" + range);
        }
        try {
            long value = Long.parseLong(text);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // Digits only, too many of them for a long: out of the range too.
        }
        throw new IllegalArgumentException("Invalid " + name + ": must be" + range);
    }

    private static Instant time(String text, Instant otherwise, String name) {
        if (text == null) {
            return otherwise;
        }
        try {
            return Instant.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("Invalid " + name + ": must be an ISO-8601 instant such as 2026-01-31T00:00:00Z");
        }
    }
}
