package dev.mfagate.gateway;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.mfagate.api.admin.AdminWire;
import dev.mfagate.core.admin.AdminRequest;
import dev.mfagate.core.admin.AdminResult;
import dev.mfagate.core.admin.AdminServices;
import dev.mfagate.core.admin.AuditAdmin;
import dev.mfagate.core.issue.RefusalReason;
import dev.mfagate.core.policy.Subject;
import dev.mfagate.core.tenant.Scope;
import dev.mfagate.core.tenant.TenantId;
import dev.mfagate.core.console.ConsoleSessions.Session;
import dev.mfagate.gateway.ApiErrors.Exchange;
import dev.mfagate.gateway.console.Console;
import dev.mfagate.gateway.http.ApiException;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * The admin API under {@code /api/v1/}: each route behind the same {@link ApiGuard} as the code
 * routes (token, audit of every refusal), each handler a few lines that read the request, call one
 * core service ({@link AdminServices}) and map its {@link AdminResult}: done to JSON, refused to the
 * one error mapper ({@code bad_request}, {@code forbidden}, {@code unknown_object} for a missing
 * object and for another tenant's alike, {@code conflict}).
 *
 * <p>{@code {tenant}} is a tenant id, or {@value #ORGANISATION} for the organisation. Bodies are
 * read with a bound: a declared {@code Content-Length} over the limit is refused (413) before
 * anything is read, and a body sent without one is read up to the limit and no further. JSON bodies
 * take the server's body limit; seed uploads (JSON or an image) {@link #MAX_SEED_UPLOAD_BYTES}.
 *
 * <p><b>Console sessions.</b> When the console is served, a request without an {@code Authorization}
 * header that carries the console's session cookie is that session's request: the cookie must name
 * a live session (else 401 {@code unauthenticated}, as for a bad token), and a change (POST, PUT,
 * PATCH, DELETE) must carry the session's CSRF token in {@value #CSRF_HEADER}, compared in constant
 * time (else 403 {@code csrf_refused}, audited, nothing done). The caller is then the session's
 * person with its SSO group claims ({@link AdminServices#caller(dev.mfagate.core.tenant.AdminActor, String)}),
 * decided by the same {@link dev.mfagate.core.tenant.AdminAuthorizer} as every caller. A request
 * with an {@code Authorization} header is decided on its token alone, whatever cookie it carries.
 * Thread-safe.
 */
final class AdminRoutes {

    /** The header a change made with a console session cookie carries the session's CSRF token in. */
    static final String CSRF_HEADER = "X-CSRF-Token";
    /** The console {@link Session} a request is made with (attribute). */
    static final String SESSION = "mfagate.console-session";
    private static final Set<HandlerType> CHANGES = Set.of(HandlerType.POST, HandlerType.PUT, HandlerType.PATCH,
            HandlerType.DELETE);

    /** The path segment that names the organisation where a tenant would go. */
    static final String ORGANISATION = "_org";
    /** The largest seed upload (a QR photo or a batch of URIs), in bytes. */
    static final long MAX_SEED_UPLOAD_BYTES = dev.mfagate.gateway.http.JettySetup.MAX_UPLOAD_KIB * 1024L;

    private static final String T = "/api/v1/tenants/{tenant}";
    static final String TENANTS = "/api/v1/tenants";
    static final String TENANT = T;
    static final String MEMBERS = T + "/members";
    static final String MEMBER = T + "/members/{role}/{holder}";
    static final String SEEDS = T + "/seeds";
    static final String SEED = T + "/seeds/{label}";
    static final String SEED_DISABLE = T + "/seeds/{label}/disable";
    static final String RULES = T + "/rules";
    static final String RULE = T + "/rules/{id}";
    static final String ACCESS = T + "/labels/{label}/access";
    static final String TOKENS = T + "/tokens";
    static final String TOKEN = T + "/tokens/{id}";
    static final String AUDIT = T + "/audit";
    static final String AUDIT_EXPORT = T + "/audit/export";
    static final String CHAIN = "/api/v1/audit/chain";

    /** Every admin route and the methods it answers. */
    static final Map<String, Set<HandlerType>> ROUTES = routes();

    /**
     * Strict: no field the route does not document, none given twice, nothing after the object, and
     * a number where one is documented ({@code 1.5} or {@code "5"} is not a daily cap of 1 or 5).
     */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final AdminServices admin;
    private final Clock clock;
    private final long maxJsonBytes;
    private final Console console;
    private final ListGate lists;

    /**
     * @param console the web console whose sessions are callers too, or null when it is not served
     * @param lists the bound on list requests at once, shared with {@code GET /labels}
     */
    AdminRoutes(AdminServices admin, Clock clock, long maxJsonBytes, Console console, ListGate lists) {
        this.lists = Objects.requireNonNull(lists, "lists");
        this.admin = Objects.requireNonNull(admin, "admin");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.maxJsonBytes = maxJsonBytes;
        this.console = console;
    }

    private static Map<String, Set<HandlerType>> routes() {
        Map<String, Set<HandlerType>> m = new LinkedHashMap<>();
        m.put(TENANTS, Set.of(HandlerType.GET, HandlerType.POST));
        m.put(TENANT, Set.of(HandlerType.GET));
        m.put(MEMBERS, Set.of(HandlerType.GET, HandlerType.POST));
        m.put(MEMBER, Set.of(HandlerType.DELETE));
        m.put(SEEDS, Set.of(HandlerType.GET, HandlerType.POST));
        m.put(SEED, Set.of(HandlerType.DELETE));
        m.put(SEED_DISABLE, Set.of(HandlerType.POST));
        m.put(RULES, Set.of(HandlerType.GET, HandlerType.POST));
        m.put(RULE, Set.of(HandlerType.DELETE));
        m.put(ACCESS, Set.of(HandlerType.GET));
        m.put(TOKENS, Set.of(HandlerType.GET, HandlerType.POST));
        m.put(TOKEN, Set.of(HandlerType.DELETE));
        m.put(AUDIT, Set.of(HandlerType.GET));
        m.put(AUDIT_EXPORT, Set.of(HandlerType.GET));
        m.put(CHAIN, Set.of(HandlerType.GET));
        return java.util.Collections.unmodifiableMap(m);
    }

    /** Registers every admin route behind {@code guard}; other methods on them answer 405, after the guard. */
    void register(JavalinConfig cfg, PathGuards guards, ApiGuard guard) {
        for (var route : ROUTES.entrySet()) {
            String path = route.getKey();
            Handler tokenGuard = guard.forRoute(path);
            String allow = String.join(", ", route.getValue().stream().map(HandlerType::name).sorted().toList());
            guards.add(path, ctx -> {
                if (!sessionGuard(ctx, path)) {
                    tokenGuard.handle(ctx);
                }
            }, route.getValue(), ctx -> {
                ctx.header("Allow", allow);
                throw ApiException.atDoor(RefusalReason.METHOD_NOT_ALLOWED, "Allowed on this route: " + allow);
            });
        }
        on(cfg, HandlerType.GET, TENANTS, ctx -> ok(ctx, admin.tenants().list(req(ctx, Scope.ORGANISATION)),
                l -> new AdminWire.Tenants(l.stream().map(AdminViews::tenant).toList())));
        on(cfg, HandlerType.POST, TENANTS, ctx -> {
            AdminWire.TenantCreate body = json(ctx, AdminWire.TenantCreate.class);
            created(ctx, admin.tenants().create(req(ctx, Scope.ORGANISATION), body.tenant(),
                    Objects.requireNonNullElse(body.admins(), List.of()), body.adminToken()), AdminViews::created);
        });
        on(cfg, HandlerType.GET, TENANT, ctx -> ok(ctx, admin.tenants().show(req(ctx)), AdminViews::tenant));
        on(cfg, HandlerType.GET, MEMBERS, ctx -> ok(ctx, admin.tenants().members(req(ctx)),
                l -> new AdminWire.Members(l.stream().map(AdminViews::member).toList())));
        on(cfg, HandlerType.POST, MEMBERS, ctx -> {
            AdminWire.MemberAdd body = json(ctx, AdminWire.MemberAdd.class);
            created(ctx, admin.tenants().addMember(req(ctx), body.holder(), body.role()), AdminViews::member);
        });
        on(cfg, HandlerType.DELETE, MEMBER, ctx -> ok(ctx, admin.tenants().removeMember(req(ctx), ctx.pathParam("holder"),
                ctx.pathParam("role")), x -> new AdminWire.Status("removed")));
        on(cfg, HandlerType.GET, SEEDS, lists.gated(ctx -> {
            // Written before the turn is given back, so that no more lists than the gate lets run are held.
            AdminWire.Seeds seeds = new AdminWire.Seeds(value(admin.seeds().list(req(ctx))).stream().map(AdminViews::seed).toList());
            ctx.status(200);
            dev.mfagate.gateway.http.JsonBodies.write(ctx, seeds);
        }));
        on(cfg, HandlerType.POST, SEEDS, this::addSeeds);
        on(cfg, HandlerType.POST, SEED_DISABLE, ctx -> ok(ctx, admin.seeds().disable(req(ctx), label(ctx)), AdminViews::seed));
        on(cfg, HandlerType.DELETE, SEED, ctx -> ok(ctx, admin.seeds().remove(req(ctx), label(ctx)),
                x -> new AdminWire.Status("removed")));
        on(cfg, HandlerType.GET, RULES, ctx -> ok(ctx, admin.rules().list(req(ctx)),
                l -> new AdminWire.Rules(l.stream().map(AdminViews::rule).toList())));
        on(cfg, HandlerType.POST, RULES, ctx -> {
            AdminWire.RuleCreate b = json(ctx, AdminWire.RuleCreate.class);
            created(ctx, admin.rules().create(req(ctx), b.id(), b.principal(), b.pattern(), instant(b.expiresAt(), "expires_at"),
                    b.dailyCap()), AdminViews::rule);
        });
        on(cfg, HandlerType.DELETE, RULE, ctx -> ok(ctx, admin.rules().revoke(req(ctx), ctx.pathParam("id")),
                x -> new AdminWire.Status("revoked")));
        on(cfg, HandlerType.GET, ACCESS, ctx -> {
            String label = label(ctx);
            ok(ctx, admin.rules().access(req(ctx), label),
                    l -> new AdminWire.Access(label.toLowerCase(java.util.Locale.ROOT), l.stream().map(AdminViews::rule).toList()));
        });
        on(cfg, HandlerType.GET, TOKENS, ctx -> ok(ctx, admin.tokens().list(req(ctx)),
                l -> new AdminWire.Tokens(l.stream().map(AdminViews::token).toList())));
        on(cfg, HandlerType.POST, TOKENS, ctx -> {
            AdminWire.TokenCreate b = json(ctx, AdminWire.TokenCreate.class);
            created(ctx, admin.tokens().create(req(ctx), b.name(), b.role(), b.labels(), Boolean.TRUE.equals(b.onBehalf()),
                    instant(b.expiresAt(), "expires_at")),
                    AdminViews::created);
        });
        on(cfg, HandlerType.DELETE, TOKEN, ctx -> ok(ctx, admin.tokens().revoke(req(ctx), ctx.pathParam("id")),
                t -> AdminViews.token(t, java.util.Optional.empty())));
        on(cfg, HandlerType.GET, AUDIT, ctx -> ok(ctx, admin.audit().query(req(ctx), ask(ctx)),
                p -> new AdminWire.AuditPage(p.entries().stream().map(AdminViews::audit).toList(), p.nextAfter().orElse(null))));
        on(cfg, HandlerType.GET, AUDIT_EXPORT, this::exportAudit);
        on(cfg, HandlerType.GET, CHAIN, ctx -> ok(ctx, admin.audit().chain(req(ctx, Scope.ORGANISATION)),
                v -> new AdminWire.ChainStatus(v.isIntact(), v.describe())));
    }

    /**
     * Takes the request as a console session's when it has no {@code Authorization} header and carries
     * the session cookie: the session must be live, and a change must echo its CSRF token.
     *
     * @return whether the request is a session's (else the token guard decides)
     */
    private boolean sessionGuard(Context ctx, String route) {
        if (console == null || ctx.header("Authorization") != null || ctx.cookie(console.sessionCookieName()) == null) {
            return false;
        }
        ctx.attribute(ApiGuard.ROUTE, route);
        Session session = console.liveSession(ctx).orElseThrow(() -> ApiException.atDoor(RefusalReason.UNAUTHENTICATED,
                "The console session has ended or is unknown; sign in again, or send Authorization: Bearer <token>"));
        ctx.attribute(SESSION, session);
        if (CHANGES.contains(ctx.method())) {
            String sent = ctx.header(CSRF_HEADER);
            boolean ok = sent != null && MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8),
                    session.csrfToken().getBytes(StandardCharsets.UTF_8));
            if (!ok) {
                throw ApiException.atDoor(RefusalReason.CSRF_REFUSED, "A change made with a console session must carry the"
                        + " session's CSRF token in " + CSRF_HEADER + "; nothing was done");
            }
        }
        return true;
    }

    private static void on(JavalinConfig cfg, HandlerType method, String route, Handler handler) {
        cfg.routes.addHttpHandler(method, route, handler);
    }

    /** Seeds from JSON ({@code labels}, {@code text}) or an image body with {@code ?label=} per seed. */
    private void addSeeds(Context ctx) {
        String type = Objects.requireNonNullElse(ctx.contentType(), "").toLowerCase(java.util.Locale.ROOT);
        if (type.startsWith("image/")) {
            byte[] image = body(ctx, MAX_SEED_UPLOAD_BYTES);
            created(ctx, admin.seeds().addImage(req(ctx), ctx.queryParams("label"), image), this::seeds);
        } else if (type.startsWith("application/json")) {
            AdminWire.SeedUpload b = parse(body(ctx, MAX_SEED_UPLOAD_BYTES), AdminWire.SeedUpload.class);
            created(ctx, admin.seeds().addText(req(ctx), b.labels(), b.text()), this::seeds);
        } else {
            throw ApiException.atDoor(RefusalReason.BAD_REQUEST,
                    "Send the seeds as application/json {\"labels\": [...], \"text\": \"...\"} or as an image with ?label= per seed");
        }
    }

    private AdminWire.Seeds seeds(List<dev.mfagate.core.store.SeedInfo> stored) {
        return new AdminWire.Seeds(stored.stream().map(i -> AdminViews.seed(i, java.util.Optional.empty())).toList());
    }

    /** JSON lines, streamed once the read is audited; a refusal leaves the response to the error mapper. */
    private void exportAudit(Context ctx) {
        var export = value(admin.audit().export(req(ctx), ask(ctx)));
        ctx.status(200).contentType("application/x-ndjson");
        Writer out = new OutputStreamWriter(ctx.outputStream(), StandardCharsets.UTF_8);
        export.applyAsLong(out);
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static AuditAdmin.Ask ask(Context ctx) {
        return new AuditAdmin.Ask(ctx.queryParam("label"), ctx.queryParam("person"), ctx.queryParam("outcome"),
                ctx.queryParam("since"), ctx.queryParam("until"), ctx.queryParam("after"), ctx.queryParam("limit"));
    }

    /** The request, in the tenant the path names. */
    private AdminRequest req(Context ctx) {
        String tenant = ctx.pathParam("tenant");
        Scope target;
        if (ORGANISATION.equals(tenant)) {
            target = Scope.ORGANISATION;
        } else {
            try {
                target = TenantId.parse(tenant);
            } catch (IllegalArgumentException e) {
                throw ApiException.atDoor(RefusalReason.NO_SUCH_OBJECT, AdminResult.NOT_FOUND_MESSAGE);
            }
        }
        return req(ctx, target);
    }

    private AdminRequest req(Context ctx, Scope target) {
        Session session = ctx.attribute(SESSION);
        if (session != null) {
            return new AdminRequest(admin.caller(session.actor(), session.ref()), target, Exchange.of(ctx).meta(ctx),
                    clock.instant());
        }
        Subject.Token token = ctx.attribute(ApiGuard.TOKEN);
        return new AdminRequest(admin.caller(token.tokenId()), target, Exchange.of(ctx).meta(ctx), clock.instant());
    }

    /** The {@code {label}} path part, kept for the audit entry of a refusal. */
    private static String label(Context ctx) {
        String label = ctx.pathParam("label");
        ctx.attribute(Exchange.LABEL, label.length() > 200 ? label.substring(0, 200) : label);
        return label;
    }

    private static <T> void ok(Context ctx, AdminResult<T> result, Function<T, Object> wire) {
        ctx.status(200).json(wire.apply(value(result)));
    }

    private static <T> void created(Context ctx, AdminResult<T> result, Function<T, Object> wire) {
        ctx.status(201).json(wire.apply(value(result)));
    }

    /** The value of a done act, or the refusal thrown for the one error mapper (which audits it). */
    private static <T> T value(AdminResult<T> result) {
        return switch (result) {
            case AdminResult.Done<T> done -> done.value();
            case AdminResult.Refused<T> refused -> throw ApiException.atDoor(switch (refused.kind()) {
                case INVALID -> AdminResult.SEED_BATCH_TOO_LARGE.equals(refused.auditReason())
                        ? RefusalReason.SEED_BATCH_TOO_LARGE : RefusalReason.BAD_REQUEST;
                case FORBIDDEN -> RefusalReason.ADMIN_FORBIDDEN;
                case NOT_FOUND -> "not_visible".equals(refused.auditReason()) ? RefusalReason.NOT_VISIBLE : RefusalReason.NO_SUCH_OBJECT;
                case CONFLICT -> AdminResult.TENANT_SEED_LIMIT.equals(refused.auditReason())
                        ? RefusalReason.TENANT_SEED_LIMIT : RefusalReason.CONFLICT;
            }, refused.message());
        };
    }

    private static Instant instant(String text, String name) {
        try {
            return text == null ? null : Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw ApiException.atDoor(RefusalReason.BAD_REQUEST, "Invalid " + name + ": must be an ISO-8601 instant such as"
                    + " 2026-01-31T00:00:00Z");
        }
    }

    private <T> T json(Context ctx, Class<T> type) {
        return parse(body(ctx, maxJsonBytes), type);
    }

    private static <T> T parse(byte[] body, Class<T> type) {
        try {
            T value = JSON.readValue(body, type);
            if (value == null) {
                throw new IOException("null");
            }
            return value;
        } catch (IOException e) {
            // Never Jackson's message: it can quote the body, and a body can hold a seed.
            throw ApiException.atDoor(RefusalReason.BAD_REQUEST, "The body must be one JSON object with the fields this"
                    + " route documents (see /openapi.json), and no others");
        }
    }

    /**
     * The body, at most {@code max} bytes: a declared length over it is refused before anything is
     * read; an undeclared one is read up to one byte past it, then refused.
     */
    static byte[] body(Context ctx, long max) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > max) {
            throw tooLarge(max);
        }
        try {
            InputStream in = ctx.req().getInputStream();
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
            if (body.length > max) {
                throw tooLarge(max);
            }
            return body;
        } catch (IOException e) {
            throw ApiException.atDoor(RefusalReason.BAD_REQUEST, "The body could not be read");
        }
    }

    private static ApiException tooLarge(long max) {
        return ApiException.atDoor(RefusalReason.REQUEST_TOO_LARGE, "The body is larger than this route takes ("
                + max + " bytes); nothing was read or stored");
    }
}
