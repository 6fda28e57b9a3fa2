package dev.mfagate.gateway.console;

import dev.mfagate.core.Label;
import dev.mfagate.core.admin.AdminResult;
import dev.mfagate.core.admin.AdminServices;
import dev.mfagate.core.admin.AuditAdmin;
import dev.mfagate.core.audit.AuditEntry;
import dev.mfagate.core.audit.VerificationResult;
import dev.mfagate.core.console.ConsoleSessions.Session;
import dev.mfagate.core.issue.RequestMeta;
import dev.mfagate.core.tenant.AdminAuthorizer;
import dev.mfagate.core.tenant.PersonId;
import dev.mfagate.core.tenant.Scope;
import dev.mfagate.core.tenant.TenantId;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The console's audit page and its export. The page lists what {@link AuditView} lets the person
 * read (decided by {@link AdminAuthorizer}, AUDIT, READ), filtered by label, person, outcome and
 * days, newest first and paged; the organisation's auditors and operators may verify the chain
 * ({@link AuditAdmin#chain}). The export is {@link AuditAdmin#export}, the admin API's own JSON
 * lines, of the organisation for those who read it all and otherwise of the person's tenant.
 *
 * <pre>
 * GET /console/audit          ?label= &amp;person= &amp;outcome= &amp;since=DAY &amp;until=DAY &amp;before=SEQ &amp;verify=1
 * GET /console/audit/export   the same filters; application/x-ndjson, as an attachment
 * </pre>
 * Thread-safe.
 */
final class AuditPages {

    private final AdminPages.Kit kit;
    private final AuditView view;
    private final AdminServices admin;
    private final Clock clock;
    private final PageSupport support;

    AuditPages(AdminPages.Kit kit, AuditView view, AdminServices admin, Clock clock) {
        this.kit = Objects.requireNonNull(kit, "kit");
        this.view = Objects.requireNonNull(view, "view");
        this.admin = Objects.requireNonNull(admin, "admin");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.support = new PageSupport(kit, clock);
    }

    /** What the filters say, checked; {@code error} is set when one is not valid. */
    private record Filters(String label, String outcome, String person, String since, String until, String before,
                           boolean valid) {

        static Filters of(Context ctx) {
            String label = text(ctx, "label");
            String outcome = text(ctx, "outcome");
            String person = text(ctx, "person");
            String since = text(ctx, "since");
            String until = text(ctx, "until");
            String before = ctx.queryParam("before");
            boolean valid = (label.isEmpty() || Label.isValid(label))
                    && (outcome.isEmpty() || AuditView.outcomes().contains(outcome))
                    && (person.isEmpty() || person.matches("[a-z0-9][a-z0-9_.-]{0,63}"))
                    && (since.isEmpty() || day(since) != null) && (until.isEmpty() || day(until) != null)
                    && (before == null || before.matches("[1-9][0-9]{0,17}"));
            return new Filters(label, outcome, person, since, until, before, valid);
        }

        Instant sinceInstant() {
            return since.isEmpty() ? null : day(since).atStartOfDay(ZoneOffset.UTC).toInstant();
        }

        Instant untilInstant() {
            return until.isEmpty() ? null : day(until).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        }

        /** The filters as a query string, without paging. */
        String query() {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("label", label);
            q.put("person", person);
            q.put("outcome", outcome);
            q.put("since", since);
            q.put("until", until);
            return q.entrySet().stream().map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                    .collect(Collectors.joining("&"));
        }

        private static String text(Context ctx, String name) {
            return Objects.requireNonNullElse(ctx.queryParam(name), "").strip();
        }

        private static LocalDate day(String text) {
            try {
                return LocalDate.parse(text);
            } catch (DateTimeParseException e) {
                return null;
            }
        }
    }

    void register(JavalinConfig cfg, Function<Context, RequestMeta> meta) {
        cfg.routes.get("/console/audit", ctx -> kit.guarded(ctx, meta, () -> signedIn(ctx, meta, this::page)));
        cfg.routes.get("/console/audit/export", ctx -> kit.guarded(ctx, meta, () -> signedIn(ctx, meta, this::export)));
    }

    private interface Handler {
        void handle(Context ctx, Session s, RequestMeta meta);
    }

    private void signedIn(Context ctx, Function<Context, RequestMeta> meta, Handler h) {
        Optional<Session> s = kit.session(ctx);
        if (s.isEmpty()) {
            ctx.redirect("/console", HttpStatus.SEE_OTHER);
            return;
        }
        h.handle(ctx, s.get(), meta.apply(ctx));
    }

    private void page(Context ctx, Session s, RequestMeta meta) {
        AuditView.Reach reach = view.reach(s);
        Filters f = Filters.of(ctx);
        PageFrame frame = kit.frame(s, "Audit", meta);
        if (!f.valid()) {
            invalid(ctx, frame);
            return;
        }
        List<AuditEntry> entries = !reach.any() ? List.of() : view.page(reach, new AuditView.Ask(f.label(), f.outcome(),
                f.person().isEmpty() ? null : new PersonId(f.person()), f.sinceInstant(), f.untilInstant(),
                f.before() == null ? null : Long.parseLong(f.before())), clock.instant());
        List<AuditPage.Row> rows = entries.stream().limit(AuditView.PAGE).map(AuditView::row).toList();
        String older = entries.size() > AuditView.PAGE ? "/console/audit?" + f.query() + "&before=" + rows.getLast().seq() : null;
        boolean canVerify = AdminAuthorizer.decide(support.bindings(s), AdminAuthorizer.Resource.AUDIT, AdminAuthorizer.Action.READ,
                Scope.ORGANISATION) == AdminAuthorizer.Decision.ALLOW;
        String chain = null;
        boolean intact = false;
        if (canVerify && "1".equals(ctx.queryParam("verify"))) {
            AdminResult<VerificationResult> verified = admin.audit().chain(support.request(s, Scope.ORGANISATION, meta));
            if (verified instanceof AdminResult.Done<VerificationResult> d) {
                chain = d.value().describe();
                intact = d.value().isIntact();
            }
        }
        kit.render(ctx, HttpStatus.OK, new AuditPage(frame, reach.text(), reach.any(), f.label(), f.outcome(), f.person(),
                f.since(), f.until(), AuditView.outcomes(), rows, older, "/console/audit/export?" + f.query(), canVerify,
                chain, intact));
    }

    private void export(Context ctx, Session s, RequestMeta meta) {
        AuditView.Reach reach = view.reach(s);
        Filters f = Filters.of(ctx);
        if (!f.valid()) {
            invalid(ctx, kit.frame(s, "Audit", meta));
            return;
        }
        // Every tenant the page shows: an admin of two tenants exports both (each tenant's entries
        // oldest first, one tenant after the other, each read audited), not only the first.
        List<Scope> targets = reach.everything() ? List.of(Scope.ORGANISATION)
                : reach.tenantIds().stream().sorted().map(id -> (Scope) new TenantId(id)).toList();
        if (targets.isEmpty()) {
            kit.render(ctx, HttpStatus.FORBIDDEN, new MessagePage(kit.frame(s, "Audit", meta), "Audit",
                    "You may not read the audit trail: that takes the admin or approver role of a tenant, or the auditor role.",
                    false, true));
            return;
        }
        AuditAdmin.Ask ask = new AuditAdmin.Ask(blank(f.label()), blank(f.person()), blank(f.outcome()),
                f.sinceInstant() == null ? null : f.sinceInstant().toString(),
                f.untilInstant() == null ? null : f.untilInstant().toString(), null, null);
        List<java.util.function.ToLongFunction<Writer>> exports = new java.util.ArrayList<>();
        for (Scope target : targets) {
            switch (admin.audit().export(support.request(s, target, meta), ask)) {
                case AdminResult.Done<java.util.function.ToLongFunction<Writer>> done -> exports.add(done.value());
                case AdminResult.Refused<java.util.function.ToLongFunction<Writer>> refused -> {
                    kit.render(ctx, HttpStatus.UNPROCESSABLE_CONTENT, new MessagePage(kit.frame(s, "Audit", meta), "Audit",
                            "Nothing was exported: " + refused.message() + ".", false, true));
                    return;
                }
            }
        }
        ctx.status(200).contentType("application/x-ndjson");
        ctx.header("Content-Disposition", "attachment; filename=\"mfagate-audit.jsonl\"");
        Writer out = new OutputStreamWriter(ctx.outputStream(), StandardCharsets.UTF_8);
        exports.forEach(export -> export.applyAsLong(out));
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void invalid(Context ctx, PageFrame frame) {
        kit.render(ctx, HttpStatus.BAD_REQUEST, new MessagePage(frame, "Audit", "The filter is not valid: give a label such as"
                + " acme-aws, a person id such as ann, days such as 2026-12-31, and an outcome from the list.", false, true));
    }


    private static String blank(String text) {
        return text.isEmpty() ? null : text;
    }

}
