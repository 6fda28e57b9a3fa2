package dev.mfagate.gateway.console;

import dev.mfagate.core.admin.AdminCaller;
import dev.mfagate.core.admin.AdminRequest;
import dev.mfagate.core.admin.AdminResult;
import dev.mfagate.core.admin.AdminServices;
import dev.mfagate.core.admin.RuleAdmin;
import dev.mfagate.core.admin.TokenAdmin;
import dev.mfagate.core.console.ConsoleSessions.Session;
import dev.mfagate.core.issue.RequestMeta;
import dev.mfagate.core.policy.Rule;
import dev.mfagate.core.store.CreatedToken;
import dev.mfagate.core.tenant.AdminAuthorizer;
import dev.mfagate.core.tenant.AdminAuthorizer.Action;
import dev.mfagate.core.tenant.AdminAuthorizer.Resource;
import dev.mfagate.core.tenant.Holder;
import dev.mfagate.core.tenant.Person;
import dev.mfagate.core.tenant.Role;
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
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The console's administration pages: Access (rules and grants), Tokens, Members and roles, and
 * Health. Each page is a thin handler over the same core services as the admin API
 * ({@link AdminServices}), called as the signed-in person ({@link AdminCaller#consolePerson}), so
 * {@link AdminAuthorizer} decides every read and change exactly as for an admin token, and every
 * change is the service's {@code ADMIN} audit entry. A place (tenant) the person may not see gets
 * the same sentence as one that does not exist. Every change is a POST with the session's CSRF token.
 *
 * <pre>
 * GET  /console/access            rules of a place (?tenant=), ?label= for who may get it
 * POST /console/access/grant      a new rule
 * POST /console/access/revoke     revoke one
 * GET  /console/tokens            tokens of a place with their last use
 * POST /console/tokens/create     a new token, its secret shown on this answer only
 * POST /console/tokens/revoke     revoke one
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
    }

    /** A handler body that may throw. */
    @FunctionalInterface
    interface Body {
        void run() throws Exception;
    }

    @FunctionalInterface
    private interface Handler {
        void handle(Context ctx, Session s, RequestMeta meta) throws Exception;
    }

    private final Kit kit;
    private final AdminServices admin;
    private final Supplier<Readiness.Report> readiness;
    private final Clock clock;

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
    }

    /** Every route these pages answer, for the gateway's route list. */
    static final List<String> ROUTES = List.of("/console/access", "/console/access/grant", "/console/access/revoke",
            "/console/tokens", "/console/tokens/create", "/console/tokens/revoke", "/console/members",
            "/console/members/add", "/console/members/remove", "/console/health", "/console/audit/export");

    /** Adds the routes. */
    void register(JavalinConfig cfg, Function<Context, RequestMeta> meta) {
        get(cfg, meta, "/console/access", (ctx, s, m) -> access(ctx, s, m, null, null));
        post(cfg, meta, "/console/access/grant", this::grant);
        post(cfg, meta, "/console/access/revoke", this::revokeRule);
        get(cfg, meta, "/console/tokens", (ctx, s, m) -> tokens(ctx, s, m, param(ctx), null, null));
        post(cfg, meta, "/console/tokens/create", this::createToken);
        post(cfg, meta, "/console/tokens/revoke", this::revokeToken);
        get(cfg, meta, "/console/members", (ctx, s, m) -> members(ctx, s, m, param(ctx), null, null));
        post(cfg, meta, "/console/members/add", this::addMember);
        post(cfg, meta, "/console/members/remove", this::removeMember);
        get(cfg, meta, "/console/health", this::health);
    }

    private void get(JavalinConfig cfg, Function<Context, RequestMeta> meta, String path, Handler h) {
        cfg.routes.get(path, ctx -> kit.guarded(ctx, meta, () -> {
            Optional<Session> s = kit.session(ctx);
            if (s.isEmpty()) {
                ctx.redirect("/console", HttpStatus.SEE_OTHER);
                return;
            }
            h.handle(ctx, s.get(), meta.apply(ctx));
        }));
    }

    private void post(JavalinConfig cfg, Function<Context, RequestMeta> meta, String path, Handler h) {
        cfg.routes.post(path, ctx -> kit.guarded(ctx, meta, () -> {
            RequestMeta m = meta.apply(ctx);
            Optional<Session> s = kit.session(ctx);
            if (s.isEmpty()) {
                kit.render(ctx, HttpStatus.UNAUTHORIZED, new MessagePage(PageFrame.anonymous("Signed out", m.requestId()),
                        "Signed out", "Your session has ended; sign in again. Nothing was done.", true, true));
                return;
            }
            if (kit.csrfOk(ctx, s.get(), m)) {
                h.handle(ctx, s.get(), m);
            }
        }));
    }

    // ---- Access -------------------------------------------------------------------------------

    private void access(Context ctx, Session s, RequestMeta meta, String error, String notice) {
        List<RoleBinding> bindings = bindings(s);
        List<Place> places = Places.where(kit.tenants(), bindings, Resource.RULES, Action.READ);
        Optional<Scope> target = target(param(ctx), places);
        if (target.isEmpty()) {
            notFound(ctx, s, meta, "Access");
            return;
        }
        AdminRequest r = request(s, target.get(), meta);
        Optional<List<RuleAdmin.Owned>> rules = done(ctx, s, meta, "Access", admin.rules().list(r));
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
                error = "There is no label " + (isLabel(whoLabel) ? whoLabel : "like that") + " in "
                        + Places.place(target.get()).text() + ".";
                whoLabel = isLabel(whoLabel) ? whoLabel : "";
            }
        }
        Place place = Places.place(target.get());
        kit.render(ctx, error != null && notice == null && who == null && whoLabel.isEmpty() ? HttpStatus.UNPROCESSABLE_CONTENT
                : HttpStatus.OK, new AccessPage(kit.frame(s, "Access", meta), places, place.value(), place.text(),
                rules.get().stream().map(o -> row(o, now)).toList(), error, notice, whoLabel, who));
    }

    private void grant(Context ctx, Session s, RequestMeta meta) {
        Optional<Scope> target = Places.parse(param(ctx));
        if (target.isEmpty()) {
            notFound(ctx, s, meta, "Access");
            return;
        }
        Instant expires;
        Integer cap;
        try {
            expires = date(ctx.formParam("expires"));
            cap = count(ctx.formParam("daily_cap"));
        } catch (IllegalArgumentException e) {
            access(ctx, s, meta, e.getMessage(), null);
            return;
        }
        String principal = Objects.requireNonNullElse(ctx.formParam("principal"), "").strip();
        String pattern = Objects.requireNonNullElse(ctx.formParam("pattern"), "").strip();
        AdminResult<RuleAdmin.Owned> result = admin.rules().create(request(s, target.get(), meta), null, principal, pattern,
                expires, cap);
        changed(ctx, s, meta, "Access", result, o -> access(ctx, s, meta, null, "Granted " + o.rule().describe() + "."),
                why -> access(ctx, s, meta, "Nothing was granted: " + why, null));
    }

    private void revokeRule(Context ctx, Session s, RequestMeta meta) {
        Optional<Scope> target = Places.parse(param(ctx));
        if (target.isEmpty()) {
            notFound(ctx, s, meta, "Access");
            return;
        }
        String id = Objects.requireNonNullElse(ctx.formParam("id"), "");
        changed(ctx, s, meta, "Access", admin.rules().revoke(request(s, target.get(), meta), id),
                x -> access(ctx, s, meta, null, "Revoked rule " + id + "."),
                why -> access(ctx, s, meta, "Nothing was revoked: " + why, null));
    }

    private AccessPage.RuleRow row(RuleAdmin.Owned o, Instant now) {
        Rule rule = o.rule();
        boolean soon = rule.expiresAt().map(e -> e.isBefore(now.plus(SOON))).orElse(false);
        return new AccessPage.RuleRow(rule.id(), rule.principal().text(), rule.pattern().value(), Places.place(o.owner()).text(),
                rule.expiresAt().map(AdminPages::time).orElse(""),
                rule.dailyCap().isPresent() ? Integer.toString(rule.dailyCap().getAsInt()) : "", rule.createdBy(), soon);
    }

    // ---- Tokens -------------------------------------------------------------------------------

    private void tokens(Context ctx, Session s, RequestMeta meta, String param, String error, String notice) {
        List<Place> places = Places.where(kit.tenants(), bindings(s), Resource.TOKENS, Action.READ);
        Optional<Scope> target = target(param, places);
        if (target.isEmpty()) {
            notFound(ctx, s, meta, "Tokens");
            return;
        }
        Optional<List<TokenAdmin.Listed>> listed = done(ctx, s, meta, "Tokens",
                admin.tokens().list(request(s, target.get(), meta)));
        if (listed.isEmpty()) {
            return;
        }
        List<TokensPage.TokenRow> rows = listed.get().stream().map(l -> new TokensPage.TokenRow(l.info().id(), l.info().name(),
                l.info().labelPattern(), l.info().role().map(Role::text).orElse("code token"), time(l.info().createdAt()),
                l.info().expiresAt().map(AdminPages::time).orElse(""), l.lastUsedAt().map(AdminPages::time).orElse("never"),
                l.info().revokedAt().map(AdminPages::time).orElse(""))).toList();
        Place place = Places.place(target.get());
        kit.render(ctx, error != null ? HttpStatus.UNPROCESSABLE_CONTENT : HttpStatus.OK, new TokensPage(
                kit.frame(s, "Tokens", meta), places, place.value(), place.text(), rows, roles(target.get()), error, notice));
    }

    private void createToken(Context ctx, Session s, RequestMeta meta) {
        String param = param(ctx);
        Optional<Scope> target = Places.parse(param);
        if (target.isEmpty()) {
            notFound(ctx, s, meta, "Tokens");
            return;
        }
        Instant expires;
        try {
            expires = date(ctx.formParam("expires"));
        } catch (IllegalArgumentException e) {
            tokens(ctx, s, meta, param, e.getMessage(), null);
            return;
        }
        String role = blankToNull(ctx.formParam("role"));
        String labels = blankToNull(ctx.formParam("labels"));
        AdminResult<CreatedToken> result = admin.tokens().create(request(s, target.get(), meta),
                Objects.requireNonNullElse(ctx.formParam("name"), ""), role, labels, false, expires);
        changed(ctx, s, meta, "Tokens", result, created -> {
            Place place = Places.place(target.get());
            kit.render(ctx, HttpStatus.OK, new TokenCreatedPage(kit.frame(s, "Token created", meta), place.value(),
                    place.text(), created.info().id(), created.info().name(), created.info().labelPattern(), created.plaintext()));
        }, why -> tokens(ctx, s, meta, param, "No token was created: " + why, null));
    }

    private void revokeToken(Context ctx, Session s, RequestMeta meta) {
        String param = param(ctx);
        Optional<Scope> target = Places.parse(param);
        if (target.isEmpty()) {
            notFound(ctx, s, meta, "Tokens");
            return;
        }
        String id = Objects.requireNonNullElse(ctx.formParam("id"), "");
        changed(ctx, s, meta, "Tokens", admin.tokens().revoke(request(s, target.get(), meta), id),
                t -> tokens(ctx, s, meta, param, null, "Revoked token " + t.id() + " (" + t.name() + ")."),
                why -> tokens(ctx, s, meta, param, "Nothing was revoked: " + why, null));
    }

    private static List<String> roles(Scope place) {
        return place.isOrganisation() ? List.of("", "operator", "auditor") : List.of("", "admin", "approver", "member");
    }

    // ---- Members ------------------------------------------------------------------------------

    private void members(Context ctx, Session s, RequestMeta meta, String param, String error, String notice) {
        List<Place> places = Places.where(kit.tenants(), bindings(s), Resource.MEMBERS, Action.READ);
        Optional<Scope> target = target(param, places);
        if (target.isEmpty()) {
            notFound(ctx, s, meta, "Members and roles");
            return;
        }
        Optional<List<RoleBinding>> bound = done(ctx, s, meta, "Members and roles",
                admin.tenants().members(request(s, target.get(), meta)));
        if (bound.isEmpty()) {
            return;
        }
        List<MembersPage.MemberRow> rows = bound.get().stream().map(b -> new MembersPage.MemberRow(b.holder().text(),
                b.holder() instanceof Holder.PersonHolder p ? kit.tenants().person(p.person()).map(Person::displayName).orElse("")
                        : "", b.role().text(), b.createdBy(), time(b.createdAt()))).toList();
        Place place = Places.place(target.get());
        List<String> roles = roles(target.get()).stream().filter(x -> !x.isEmpty()).toList();
        kit.render(ctx, error != null ? HttpStatus.UNPROCESSABLE_CONTENT : HttpStatus.OK, new MembersPage(
                kit.frame(s, "Members and roles", meta), places, place.value(), place.text(), rows, roles, error, notice));
    }

    private void addMember(Context ctx, Session s, RequestMeta meta) {
        String param = param(ctx);
        Optional<Scope> target = Places.parse(param);
        if (target.isEmpty()) {
            notFound(ctx, s, meta, "Members and roles");
            return;
        }
        String holder = Objects.requireNonNullElse(ctx.formParam("holder"), "").strip();
        String role = Objects.requireNonNullElse(ctx.formParam("role"), "");
        changed(ctx, s, meta, "Members and roles", admin.tenants().addMember(request(s, target.get(), meta), holder, role),
                b -> members(ctx, s, meta, param, null, "Gave " + b.holder().text() + " the role " + b.role().text() + "."),
                why -> members(ctx, s, meta, param, "Nothing was changed: " + why, null));
    }

    private void removeMember(Context ctx, Session s, RequestMeta meta) {
        String param = param(ctx);
        Optional<Scope> target = Places.parse(param);
        if (target.isEmpty()) {
            notFound(ctx, s, meta, "Members and roles");
            return;
        }
        String holder = Objects.requireNonNullElse(ctx.formParam("holder"), "");
        String role = Objects.requireNonNullElse(ctx.formParam("role"), "");
        changed(ctx, s, meta, "Members and roles", admin.tenants().removeMember(request(s, target.get(), meta), holder, role),
                x -> members(ctx, s, meta, param, null, "Took the role " + role + " from " + holder + "."),
                why -> members(ctx, s, meta, param, "Nothing was changed: " + why, null));
    }

    // ---- Health -------------------------------------------------------------------------------

    private void health(Context ctx, Session s, RequestMeta meta) {
        if (AdminAuthorizer.decide(bindings(s), Resource.KEYS, Action.READ, Scope.ORGANISATION) != AdminAuthorizer.Decision.ALLOW) {
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

    // ---- shared -------------------------------------------------------------------------------

    private List<RoleBinding> bindings(Session s) {
        return kit.tenants().bindingsOf(List.of(new Holder.PersonHolder(s.person())));
    }

    private AdminRequest request(Session s, Scope target, RequestMeta meta) {
        return new AdminRequest(AdminCaller.consolePerson(s.person(), bindings(s), s.ref()), target, meta, clock.instant());
    }

    /** The {@code tenant} the query or form names, or null. */
    private static String param(Context ctx) {
        String q = ctx.queryParam("tenant");
        return q != null ? q : ctx.formParam("tenant");
    }

    /** The place asked for; the first the person may use when none is; empty when the text names no place. */
    private static Optional<Scope> target(String param, List<Place> places) {
        if (param == null || param.isBlank()) {
            return Places.parse(places.isEmpty() ? Places.ORGANISATION : places.getFirst().value());
        }
        return Places.parse(param.strip());
    }

    /** The value of a read, or the refusal rendered (a missing place and one not visible alike). */
    private <T> Optional<T> done(Context ctx, Session s, RequestMeta meta, String title, AdminResult<T> result) {
        return switch (result) {
            case AdminResult.Done<T> d -> Optional.of(d.value());
            case AdminResult.Refused<T> r -> {
                refused(ctx, s, meta, title, r);
                yield Optional.empty();
            }
        };
    }

    private <T> void changed(Context ctx, Session s, RequestMeta meta, String title, AdminResult<T> result,
                             java.util.function.Consumer<T> onDone, java.util.function.Consumer<String> onInvalid) {
        switch (result) {
            case AdminResult.Done<T> d -> onDone.accept(d.value());
            case AdminResult.Refused<T> r when r.kind() == AdminResult.Kind.INVALID || r.kind() == AdminResult.Kind.CONFLICT ->
                    onInvalid.accept(sentence(r.message()));
            case AdminResult.Refused<T> r -> refused(ctx, s, meta, title, r);
        }
    }

    private void refused(Context ctx, Session s, RequestMeta meta, String title, AdminResult.Refused<?> r) {
        switch (r.kind()) {
            case NOT_FOUND -> notFound(ctx, s, meta, title);
            case FORBIDDEN -> kit.render(ctx, HttpStatus.FORBIDDEN, new MessagePage(kit.frame(s, title, meta), title,
                    "Your roles do not allow this here; nothing was done.", false, true));
            default -> kit.render(ctx, HttpStatus.UNPROCESSABLE_CONTENT, new MessagePage(kit.frame(s, title, meta), title,
                    sentence(r.message()), false, true));
        }
    }

    private void notFound(Context ctx, Session s, RequestMeta meta, String title) {
        kit.render(ctx, HttpStatus.NOT_FOUND, new MessagePage(kit.frame(s, title, meta), title,
                AdminResult.NOT_FOUND_MESSAGE + ".", false, true));
    }

    private static String sentence(String message) {
        return message.endsWith(".") ? message : message + ".";
    }

    /** A date field: the grant or token lasts to the end of that UTC day; null when empty. */
    private static Instant date(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return LocalDate.parse(text.strip()).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("The date must be a day such as 2026-12-31.");
        }
    }

    private static Integer count(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        if (!text.strip().matches("[1-9][0-9]{0,5}")) {
            throw new IllegalArgumentException("The daily cap must be a whole number from 1 to 999999.");
        }
        return Integer.parseInt(text.strip());
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.strip();
    }

    private static boolean isLabel(String text) {
        try {
            dev.mfagate.core.Label.parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static String time(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
