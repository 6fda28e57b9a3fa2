package dev.mfagate.gateway.console;

import dev.mfagate.core.admin.AdminCaller;
import dev.mfagate.core.admin.AdminRequest;
import dev.mfagate.core.admin.AdminResult;
import dev.mfagate.core.admin.AdminServices;
import dev.mfagate.core.admin.RuleAdmin;
import dev.mfagate.core.console.ConsoleSessions.Session;
import dev.mfagate.core.issue.RequestMeta;
import dev.mfagate.core.policy.Rule;
import dev.mfagate.core.tenant.AdminAuthorizer;
import dev.mfagate.core.tenant.AdminAuthorizer.Action;
import dev.mfagate.core.tenant.AdminAuthorizer.Resource;
import dev.mfagate.core.tenant.Holder;
import dev.mfagate.core.tenant.Person;
import dev.mfagate.core.tenant.RoleBinding;
import dev.mfagate.core.tenant.Scope;
import dev.mfagate.core.tenant.TenantRepository;
import dev.mfagate.gateway.Readiness;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The console's administration pages: Access (rules and grants), Tokens, Members and roles, and
 * Health. Each page is a thin handler over the same core services as the admin API
 * ({@link AdminServices}), called as the signed-in person ({@link AdminCaller#session}), so
 * {@link AdminAuthorizer} decides every read and change exactly as for an admin token, and every
 * change is the service's {@code ADMIN} audit entry. A place (tenant) the person may not see gets
 * the same sentence as one that does not exist. Every change is a POST with the session's CSRF token.
 *
 * <pre>
 * GET  /console/access            rules of a place (?tenant=), ?label= for who may get it
 * POST /console/access/grant      a new rule
 * POST /console/access/revoke     revoke one
 * GET, POST /console/tokens...    tokens ({@link TokenPages})
 * GET  /console/members           role bindings of a place
 * POST /console/members/add       give a role
 * POST /console/members/remove    take it
 * GET  /console/health            operators: the readiness checks and the version
 * </pre>
 * Thread-safe.
 */
final class AdminPages {

    /** Grants that end within this are marked as ending soon. */
    static final Duration SOON = Duration.ofDays(7);

    /** What these pages share with {@link Console}: sessions, CSRF, frames, rendering, error handling. */
    interface Kit {
        /** The live session of the request, if any. */
        Optional<Session> session(Context ctx);

        /** Whether the form carries the session's CSRF token; otherwise answers 403 and audits it. */
        boolean csrfOk(Context ctx, Session s, RequestMeta meta);

        /** The frame of a page for {@code s}. */
        PageFrame frame(Session s, String title, RequestMeta meta);

        /** Renders {@code page} with {@code status}. */
        void render(Context ctx, HttpStatus status, Object page);

        /** Runs {@code body}; a failure becomes a plain page with the request id. */
        void guarded(Context ctx, Function<Context, RequestMeta> meta, Body body);

        /** People, role bindings and tenants. */
        TenantRepository tenants();

        /**
         * Whether the session stepped up with a passkey in the last minutes; otherwise answers with
         * the step-up page (back to page {@code then} afterwards) and audits the refusal.
         */
        boolean requireStepUp(Context ctx, Session s, RequestMeta meta, String why, String then);
    }

    /** A handler body that may throw. */
    @FunctionalInterface
    interface Body {
        void run() throws Exception;
    }

    private final Kit kit;
    private final AdminServices admin;
    private final Supplier<Readiness.Report> readiness;
    private final Clock clock;
    private final PageSupport support;

    /**
     * Pages over {@code admin}.
     *
     * @param readiness what {@code /readyz} reports, for the Health page
     */
    AdminPages(Kit kit, AdminServices admin, Supplier<Readiness.Report> readiness, Clock clock) {
        this.kit = Objects.requireNonNull(kit, "kit");
        this.admin = Objects.requireNonNull(admin, "admin");
        this.readiness = Objects.requireNonNull(readiness, "readiness");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.support = new PageSupport(kit, clock);
    }

    /** Every route these pages answer, for the gateway's route list. */
    static final List<String> ROUTES = List.of("/console/access", "/console/access/grant", "/console/access/revoke",
            "/console/tokens", "/console/tokens/create", "/console/tokens/revoke", "/console/members",
            "/console/members/add", "/console/members/remove", "/console/health", "/console/audit/export");

    /** Adds the routes. */
    void register(JavalinConfig cfg, Function<Context, RequestMeta> meta) {
        support.get(cfg, meta, "/console/access", (ctx, s, m) -> access(ctx, s, m, null, null));
        support.post(cfg, meta, "/console/access/grant", this::grant);
        support.post(cfg, meta, "/console/access/revoke", this::revokeRule);
        new TokenPages(support, admin).register(cfg, meta);
        support.get(cfg, meta, "/console/members", (ctx, s, m) -> members(ctx, s, m, PageSupport.param(ctx), null, null));
        support.post(cfg, meta, "/console/members/add", this::addMember);
        support.post(cfg, meta, "/console/members/remove", this::removeMember);
        support.get(cfg, meta, "/console/health", this::health);
    }

    // ---- Access -------------------------------------------------------------------------------

    private void access(Context ctx, Session s, RequestMeta meta, String error, String notice) {
        List<RoleBinding> bindings = support.bindings(s);
        List<Place> places = Places.where(kit.tenants(), bindings, Resource.RULES, Action.READ);
        Optional<Scope> target = PageSupport.target(PageSupport.param(ctx), places);
        if (target.isEmpty()) {
            support.notFound(ctx, s, meta, "Access");
            return;
        }
        AdminRequest r = support.request(s, target.get(), meta);
        Optional<List<RuleAdmin.Owned>> rules = support.done(ctx, s, meta, "Access", admin.rules().list(r));
        if (rules.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        String whoLabel = Objects.requireNonNullElse(ctx.queryParam("label"), "").strip();
        List<AccessPage.RuleRow> who = null;
        if (!whoLabel.isEmpty()) {
            AdminResult<List<RuleAdmin.Owned>> asked = admin.rules().access(r, whoLabel);
            if (asked instanceof AdminResult.Done<List<RuleAdmin.Owned>> d) {
                who = d.value().stream().map(o -> row(o, now)).toList();
            } else {
                error = "There is no label " + (dev.mfagate.core.Label.isValid(whoLabel) ? whoLabel : "like that") + " in "
                        + Places.place(target.get()).text() + ".";
                whoLabel = dev.mfagate.core.Label.isValid(whoLabel) ? whoLabel : "";
            }
        }
        Place place = Places.place(target.get());
        kit.render(ctx, error != null && notice == null && who == null && whoLabel.isEmpty() ? HttpStatus.UNPROCESSABLE_CONTENT
                : HttpStatus.OK, new AccessPage(kit.frame(s, "Access", meta), places, place.value(), place.text(),
                rules.get().stream().map(o -> row(o, now)).toList(), error, notice, whoLabel, who));
    }

    private void grant(Context ctx, Session s, RequestMeta meta) {
        Optional<Scope> target = Places.parse(PageSupport.param(ctx));
        if (target.isEmpty()) {
            support.notFound(ctx, s, meta, "Access");
            return;
        }
        Instant expires;
        Integer cap;
        try {
            expires = support.lastDay(ctx.formParam("expires"));
            cap = PageSupport.count(ctx.formParam("daily_cap"));
        } catch (IllegalArgumentException e) {
            access(ctx, s, meta, "Nothing was granted: " + e.getMessage(), null);
            return;
        }
        String principal = Objects.requireNonNullElse(ctx.formParam("principal"), "").strip();
        String pattern = Objects.requireNonNullElse(ctx.formParam("pattern"), "").strip();
        // The id is chosen here so that a refusal can be told without it: the person never saw it.
        String id = Rule.newId();
        AdminResult<RuleAdmin.Owned> result = admin.rules().create(support.request(s, target.get(), meta), id, principal, pattern,
                expires, cap);
        support.changed(ctx, s, meta, "Access", result, o -> access(ctx, s, meta, null, "Granted " + o.rule().describe() + "."),
                why -> access(ctx, s, meta, "Nothing was granted: " + withoutRuleId(why, id), null));
    }

    /** A refusal of the rule {@code id} as the person reads it: the core names the rule, which was never made. */
    static String withoutRuleId(String why, String id) {
        return why.replace("Rule " + id + ": ", "").replace(" for rule " + id, "");
    }

    private void revokeRule(Context ctx, Session s, RequestMeta meta) {
        Optional<Scope> target = Places.parse(PageSupport.param(ctx));
        if (target.isEmpty()) {
            support.notFound(ctx, s, meta, "Access");
            return;
        }
        String id = Objects.requireNonNullElse(ctx.formParam("id"), "");
        support.changed(ctx, s, meta, "Access", admin.rules().revoke(support.request(s, target.get(), meta), id),
                x -> access(ctx, s, meta, null, "Revoked rule " + id + "."),
                why -> access(ctx, s, meta, "Nothing was revoked: " + why, null));
    }

    private AccessPage.RuleRow row(RuleAdmin.Owned o, Instant now) {
        Rule rule = o.rule();
        boolean soon = rule.expiresAt().map(e -> e.isBefore(now.plus(SOON))).orElse(false);
        return new AccessPage.RuleRow(rule.id(), rule.principal().text(), rule.pattern().value(), Places.place(o.owner()).text(),
                rule.expiresAt().map(PageSupport::time).orElse(""),
                rule.dailyCap().isPresent() ? Integer.toString(rule.dailyCap().getAsInt()) : "", rule.createdBy(), soon);
    }

    // ---- Members ------------------------------------------------------------------------------

    private void members(Context ctx, Session s, RequestMeta meta, String param, String error, String notice) {
        List<Place> places = Places.where(kit.tenants(), support.bindings(s), Resource.MEMBERS, Action.READ);
        Optional<Scope> target = PageSupport.target(param, places);
        if (target.isEmpty()) {
            support.notFound(ctx, s, meta, "Members and roles");
            return;
        }
        Optional<List<RoleBinding>> bound = support.done(ctx, s, meta, "Members and roles",
                admin.tenants().members(support.request(s, target.get(), meta)));
        if (bound.isEmpty()) {
            return;
        }
        List<MembersPage.MemberRow> rows = bound.get().stream().map(b -> new MembersPage.MemberRow(b.holder().text(),
                b.holder() instanceof Holder.PersonHolder p ? kit.tenants().person(p.person()).map(Person::displayName).orElse("")
                        : "", b.role().text(), b.createdBy(), PageSupport.time(b.createdAt()))).toList();
        Place place = Places.place(target.get());
        List<String> roles = PageSupport.roles(target.get()).stream().filter(x -> !x.isEmpty()).toList();
        kit.render(ctx, error != null ? HttpStatus.UNPROCESSABLE_CONTENT : HttpStatus.OK, new MembersPage(
                kit.frame(s, "Members and roles", meta), places, place.value(), place.text(), rows, roles, error, notice));
    }

    private void addMember(Context ctx, Session s, RequestMeta meta) {
        String param = PageSupport.param(ctx);
        Optional<Scope> target = Places.parse(param);
        if (target.isEmpty()) {
            support.notFound(ctx, s, meta, "Members and roles");
            return;
        }
        String holder = Objects.requireNonNullElse(ctx.formParam("holder"), "").strip();
        String role = Objects.requireNonNullElse(ctx.formParam("role"), "");
        support.changed(ctx, s, meta, "Members and roles", admin.tenants().addMember(support.request(s, target.get(), meta), holder, role),
                b -> members(ctx, s, meta, param, null, "Gave " + b.holder().text() + " the role " + b.role().text() + "."),
                why -> members(ctx, s, meta, param, "Nothing was changed: " + why, null));
    }

    private void removeMember(Context ctx, Session s, RequestMeta meta) {
        String param = PageSupport.param(ctx);
        Optional<Scope> target = Places.parse(param);
        if (target.isEmpty()) {
            support.notFound(ctx, s, meta, "Members and roles");
            return;
        }
        String holder = Objects.requireNonNullElse(ctx.formParam("holder"), "");
        String role = Objects.requireNonNullElse(ctx.formParam("role"), "");
        support.changed(ctx, s, meta, "Members and roles", admin.tenants().removeMember(support.request(s, target.get(), meta), holder, role),
                x -> members(ctx, s, meta, param, null, "Took the role " + role + " from " + holder + "."),
                why -> members(ctx, s, meta, param, "Nothing was changed: " + why, null));
    }

    // ---- Health -------------------------------------------------------------------------------

    private void health(Context ctx, Session s, RequestMeta meta) {
        if (AdminAuthorizer.decide(support.bindings(s), Resource.KEYS, Action.READ, Scope.ORGANISATION) != AdminAuthorizer.Decision.ALLOW) {
            kit.render(ctx, HttpStatus.FORBIDDEN, new MessagePage(kit.frame(s, "Health", meta), "Health",
                    "Only the organisation's operators may see the gateway's health.", false, true));
            return;
        }
        Readiness.Report report = readiness.get();
        List<HealthPage.Check> checks = report.checks().entrySet().stream()
                .map(e -> new HealthPage.Check(e.getKey(), e.getValue(), e.getValue().equals("ok"))).toList();
        kit.render(ctx, HttpStatus.OK, new HealthPage(kit.frame(s, "Health", meta), report.status(), checks,
                dev.mfagate.gateway.cli.MfagateCommand.Version.version(), report.checks().containsKey("clock")));
    }

}
