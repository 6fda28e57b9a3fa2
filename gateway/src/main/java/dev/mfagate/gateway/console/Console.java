package dev.mfagate.gateway.console;

import dev.mfagate.core.Label;
import dev.mfagate.core.audit.AuditEvent;
import dev.mfagate.core.audit.AuditUnavailableException;
import dev.mfagate.core.audit.Outcome;
import dev.mfagate.core.console.ConsoleSessions;
import dev.mfagate.core.console.Passkeys;
import dev.mfagate.core.console.ConsoleSessions.PendingLogin;
import dev.mfagate.core.console.ConsoleSessions.Session;
import dev.mfagate.core.issue.AuditSink;
import dev.mfagate.core.issue.CodeIssuer;
import dev.mfagate.core.issue.Door;
import dev.mfagate.core.issue.IssueResult;
import dev.mfagate.core.issue.LabelsResult;
import dev.mfagate.core.issue.RequestMeta;
import dev.mfagate.core.issue.Requester;
import dev.mfagate.core.store.StoreFailures;
import dev.mfagate.core.tenant.Person;
import dev.mfagate.core.tenant.PersonId;
import dev.mfagate.core.tenant.TenantRepository;
import dev.mfagate.core.totp.TotpWindow;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web console: sign-in with the organisation's OpenID Connect provider, server-side sessions
 * in the store, and the "My codes" page, whose every reveal goes through {@link CodeIssuer} with
 * {@link Door#CONSOLE} (policy, limits, lockout and audit exactly as for the API and the bot).
 *
 * <p>Routes, all under {@code /console}:
 * <pre>
 * GET  /console                 the sign-in page, or to /console/codes when signed in
 * GET  /console/login           a new sign-in (state, nonce, PKCE), then to the provider
 * GET  /console/callback        the provider's answer: a new session, then to /console/codes
 * GET  /console/codes           the labels this person may get now, codes hidden
 * POST /console/codes/reveal    one code (CSRF token), through the code issuer
 * GET  /console/audit          the audit entries this person may read ({@link AuditPages})
 * GET  /console/enrol          a tenant admin's form to enrol a seed
 * POST /console/enrol          seeds (CSRF token): one is stored with its first code shown; an export of
 *                              several is held for its labels; never the seed
 * POST /console/enrol/labels   the labels of a held export (CSRF token): all stored, or none
 * POST /console/logout          ends the session (CSRF token)
 * ...                           and the passkey routes of {@link PasskeyRoutes}
 * GET  /console/assets/*        the stylesheet and script
 * </pre>
 * At sign-in the ID token's groups claim ({@link ConsoleSettings#groupsClaim}) is kept with the
 * session: the session's actor ({@link Session#actor()}) holds the roles bound to the person and to
 * {@code sso-group:<claim>} for each of those groups (organisation roles only: a binding of a tenant
 * role to an SSO group is refused when it is made). The sign-in entry names the groups that gave roles.
 *
 * <p>Every console response carries a strict Content-Security-Policy (no inline script, no framing)
 * and {@code Cache-Control: no-store}. Errors are pages with a plain sentence and the request id.
 * Sign-in, failed sign-in and sign-out are audit entries.
 *
 * <p>Handlers are thin: decisions are the issuer's and the session store's. Thread-safe.
 */
public final class Console {

    private static final Logger LOG = LoggerFactory.getLogger(Console.class);

    /** The policy every console response carries. */
    public static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self';"
            + " img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none';"
            + " object-src 'none'";
    /** The passkey routes' paths, for request metrics. */
    public static final List<String> PASSKEY_ROUTES = PasskeyRoutes.ROUTES;
    /** A sign-in must come back from the provider within this. */
    static final Duration LOGIN_MAX_AGE = Duration.ofMinutes(10);
    private static final String ASSETS = "/dev/mfagate/gateway/console/assets/";
    /** Marks a response whose page the console rendered, so that a status it chose is not answered again. */
    private static final String RENDERED = "mfagate.console.rendered";

    private final ConsoleSettings settings;
    private final OidcSignIn oidc;
    private final ConsoleSessions sessions;
    private final TenantRepository tenants;
    private final CodeIssuer issuer;
    private final AuditSink audit;
    private final Clock clock;
    private final String instanceId;
    private final Pages pages = new Pages();
    private final SeedEnrolment enrolment;
    private final AuditView auditView;
    private final String sessionCookie;
    private final String loginCookie;
    private final Passkeys passkeys;
    private final StepUp stepUp;
    private final PasskeyRoutes passkeyRoutes;

    /**
     * A console.
     *
     * @param settings the provider, client and session settings
     * @param sessions the session store
     * @param tenants people and their identities
     * @param passkeys passkeys, challenges and sensitive labels
     * @param seeds where enrolled seeds go
     * @param auditExporter reads the audit trail for the audit page
     * @param issuer the code issuer every door shares
     * @param audit where sign-in entries go
     * @param clock the gateway's clock
     * @param instanceId names this process in audit entries
     */
    public Console(ConsoleSettings settings, ConsoleSessions sessions, TenantRepository tenants, Passkeys passkeys,
                   dev.mfagate.core.store.SeedRepository seeds, dev.mfagate.core.audit.AuditExporter auditExporter,
                   CodeIssuer issuer, AuditSink audit, Clock clock, String instanceId) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.oidc = new OidcSignIn(settings);
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.tenants = Objects.requireNonNull(tenants, "tenants");
        this.issuer = Objects.requireNonNull(issuer, "issuer");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
        this.enrolment = new SeedEnrolment(seeds, tenants, audit, instanceId);
        this.auditView = new AuditView(auditExporter, tenants);
        // __Host- cookies must be Secure with Path=/ and no Domain: the browser then refuses them from
        // a sibling subdomain or plain HTTP. On plain-HTTP loopback a plain name is used instead.
        String prefix = settings.secureCookie() ? "__Host-" : "";
        this.sessionCookie = prefix + "mfagate_session";
        this.loginCookie = prefix + "mfagate_login";
        this.passkeys = Objects.requireNonNull(passkeys, "passkeys");
        this.stepUp = new StepUp(sessions, passkeys);
        this.passkeyRoutes = new PasskeyRoutes(this, passkeys, new WebAuthnCeremonies(settings.publicUrl()), tenants);
    }

    ConsoleSessions sessions() {
        return sessions;
    }

    ConsoleSettings settings() {
        return settings;
    }

    AuditSink audit() {
        return audit;
    }

    Clock clock() {
        return clock;
    }

    /** The session cookie's name. */
    public String sessionCookieName() {
        return sessionCookie;
    }

    /**
     * Adds the console's routes to the gateway's Javalin configuration.
     *
     * @param cfg the configuration
     * @param before adds a before-handler for a path template (the gateway's one guard runs them)
     * @param meta the audit facts of a request (request id, route, client address)
     */
    public void register(JavalinConfig cfg, BiConsumer<String, io.javalin.http.Handler> before,
            Function<Context, RequestMeta> meta) {
        before.accept("/console", this::headers);
        before.accept("/console/*", this::headers);
        cfg.routes.get("/console", ctx -> guarded(ctx, meta, () -> home(ctx, meta)));
        cfg.routes.get("/console/login", ctx -> guarded(ctx, meta, () -> login(ctx, meta.apply(ctx))));
        cfg.routes.get("/console/callback", ctx -> guarded(ctx, meta, () -> callback(ctx, meta.apply(ctx))));
        cfg.routes.get("/console/codes", ctx -> guarded(ctx, meta, () -> codes(ctx, meta.apply(ctx))));
        cfg.routes.post("/console/codes/reveal", ctx -> guarded(ctx, meta, () -> reveal(ctx, meta.apply(ctx))));
        cfg.routes.get("/console/enrol", ctx -> guarded(ctx, meta, () -> enrolForm(ctx, meta.apply(ctx))));
        cfg.routes.post("/console/enrol", ctx -> guarded(ctx, meta, () -> enrol(ctx, meta.apply(ctx))));
        cfg.routes.post("/console/enrol/labels", ctx -> guarded(ctx, meta, () -> enrolPending(ctx, meta.apply(ctx))));
        cfg.routes.post("/console/logout", ctx -> guarded(ctx, meta, () -> logout(ctx, meta.apply(ctx))));
        passkeyRoutes.register(cfg, h -> ctx -> guarded(ctx, meta, () -> h.handle(ctx, meta.apply(ctx))));
        cfg.routes.get("/console/assets/{name}", this::asset);
    }

    /** A console handler given its request's audit facts. */
    interface RouteHandler {
        void handle(Context ctx, RequestMeta meta) throws Exception;
    }

    private interface Handler {
        void handle() throws Exception;
    }

    /** Runs a handler; what it did not expect becomes a plain page with the request id, never a trace. */
    private void guarded(Context ctx, Function<Context, RequestMeta> meta, Handler h) {
        try {
            h.handle();
        } catch (Exception e) {
            String requestId = meta.apply(ctx).requestId();
            if (StoreFailures.isStoreFailure(e)) {
                LOG.warn("Store unavailable in console request {}: {}", requestId, StoreFailures.describe(e));
                message(ctx, HttpStatus.SERVICE_UNAVAILABLE, requestId, "Unavailable",
                        "The store is unavailable at the moment; try again shortly.", false);
            } else if (e instanceof AuditUnavailableException) {
                message(ctx, HttpStatus.SERVICE_UNAVAILABLE, requestId, "Unavailable",
                        "The audit trail cannot be written at the moment, so nothing was done; try again shortly.", false);
            } else if (unreadableForm(e)) {
                // Jetty refused the form while it was read: a file over the multipart limit (JettySetup), or a
                // form cut short. Read before anything was done, so nothing was.
                audit.commit(event(meta.apply(ctx), clock.instant(), Outcome.MALFORMED, "console_form_unreadable").build());
                message(ctx, HttpStatus.BAD_REQUEST, requestId, "Refused", "The form could not be read: an uploaded file is"
                        + " larger than " + dev.mfagate.gateway.http.JettySetup.MAX_UPLOAD_KIB / 1024 + " MiB, or the form is incomplete;"
                        + " nothing was stored. Go back and choose a smaller file.", false);
            } else {
                LOG.error("Unexpected failure in console request {}", requestId, e);
                message(ctx, HttpStatus.INTERNAL_SERVER_ERROR, requestId, "Something went wrong",
                        "Something went wrong on the gateway; the log has details under this request id.", false);
            }
        }
    }

    private static boolean unreadableForm(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.eclipse.jetty.http.BadMessageException) {
                return true;
            }
        }
        return false;
    }

    private void headers(Context ctx) {
        ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        ctx.header("Cache-Control", "no-store");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("X-Frame-Options", "DENY");
    }

    private void home(Context ctx, Function<Context, RequestMeta> meta) {
        if (session(ctx).isPresent()) {
            ctx.redirect("/console/codes", HttpStatus.SEE_OTHER);
            return;
        }
        message(ctx, HttpStatus.OK, meta.apply(ctx).requestId(), "Sign in", "Sign in to see the codes you may get.", true);
    }

    private void login(Context ctx, RequestMeta meta) {
        Instant now = clock.instant();
        // Sign-ins never finished and sessions long dead go here, on whichever instance signs someone in.
        sessions.sweep(now, settings.idleTimeout(), LOGIN_MAX_AGE);
        OidcSignIn.Start start;
        try {
            start = oidc.start(now);
        } catch (java.io.IOException e) {
            providerUnreachable(ctx, meta, now, e);
            return;
        }
        String value = sessions.beginLogin(start.pending());
        setCookie(ctx, loginCookie, value, LOGIN_MAX_AGE);
        ctx.redirect(start.authorizationUri().toString(), HttpStatus.FOUND);
    }

    private void callback(Context ctx, RequestMeta meta) {
        Instant now = clock.instant();
        String loginValue = ctx.cookie(loginCookie);
        clearCookie(ctx, loginCookie);
        Optional<PendingLogin> pending = sessions.takeLogin(loginValue, now, LOGIN_MAX_AGE);
        if (pending.isEmpty()) {
            signInFailed(ctx, meta, now, "no_sign_in_under_way", "This sign-in has expired or was not started in this browser;"
                    + " start again.", null);
            return;
        }
        String query = ctx.queryString() == null ? "" : "?" + ctx.queryString();
        OidcSignIn.Outcome outcome;
        try {
            outcome = oidc.finish(URI.create(settings.redirectUri() + query), pending.get());
        } catch (java.io.IOException e) {
            providerUnreachable(ctx, meta, now, e);
            return;
        }
        switch (outcome) {
            case OidcSignIn.Outcome.Failed failed -> signInFailed(ctx, meta, now, failed.reason(), failed.message(), null);
            case OidcSignIn.Outcome.SignedIn signedIn -> {
                Optional<PersonId> person = tenants.personOf(signedIn.identity());
                if (person.isEmpty() && settings.autoLinkEmail()) {
                    person = autoLink(signedIn, meta, now);
                }
                if (person.isEmpty()) {
                    signInFailed(ctx, meta, now, "identity_not_linked", "You signed in with the identity provider, but that"
                            + " identity is not linked to anyone in mfagate. Ask an operator to link it (mfagate person link).",
                            signedIn.identity().text());
                    return;
                }
                // A fresh session id: whatever cookie the browser held before (planted or not) is not it.
                String old = ctx.cookie(sessionCookie);
                if (old != null) {
                    sessions.end(old, now, settings.idleTimeout());
                }
                ConsoleSessions.Started started = sessions.create(person.get(), signedIn.identity().text(), signedIn.groups(),
                        now, settings.absoluteLifetime());
                audit.commit(event(meta, now, Outcome.ALLOWED, "console_sign_in")
                        .detail("person:" + person.get().value() + " " + signedIn.identity().text()
                                + " session " + started.session().ref() + groupRoles(started.session()))
                        .build());
                setCookie(ctx, sessionCookie, started.cookieValue(), settings.absoluteLifetime());
                ctx.redirect("/console/codes", HttpStatus.SEE_OTHER);
            }
        }
    }

    /**
     * What the sign-in entry says of the session's SSO groups: how many claims it kept and, by name,
     * those that hold roles now, with the roles ({@code ; 3 group claim(s), roles via
     * sso-group:ops (operator)}). Nothing when the ID token carried none.
     */
    private String groupRoles(Session session) {
        if (session.ssoGroups().isEmpty()) {
            return "";
        }
        List<dev.mfagate.core.tenant.RoleBinding> held = tenants.bindingsOf(session.actor().holders()).stream()
                .filter(b -> b.holder() instanceof dev.mfagate.core.tenant.Holder.SsoGroup).toList();
        String via = held.stream().map(b -> b.holder().text() + " (" + b.role().text() + ")").distinct().sorted()
                .collect(java.util.stream.Collectors.joining(", "));
        return "; " + session.ssoGroups().size() + " group claim(s), " + (via.isEmpty() ? "none holds a role" : "roles via " + via);
    }

    /**
     * Links an unlinked SSO identity to the person its verified email names ({@link EmailAutoLink}),
     * with an {@code ADMIN} entry; undone when that entry cannot be committed.
     */
    private Optional<PersonId> autoLink(OidcSignIn.Outcome.SignedIn signedIn, RequestMeta meta, Instant now) {
        Optional<PersonId> person = EmailAutoLink.link(tenants, signedIn.identity(), signedIn.verifiedEmail(), now);
        if (person.isPresent()) {
            try {
                audit.commit(event(meta, now, Outcome.ADMIN, "person-link")
                        .detail("by auto-link-email; person " + person.get().value() + " " + signedIn.identity().text()
                                + " by its verified email").build());
            } catch (RuntimeException e) {
                tenants.unlink(person.get(), signedIn.identity());
                throw e;
            }
        }
        return person;
    }

    private void signInFailed(Context ctx, RequestMeta meta, Instant now, String reason, String message, String identity) {
        audit.commit(event(meta, now, Outcome.UNAUTHENTICATED, "console_sign_in_failed")
                .detail(reason + (identity == null ? "" : " " + identity)).build());
        message(ctx, HttpStatus.UNAUTHORIZED, meta.requestId(), "Sign-in failed", message, true);
    }

    /**
     * A provider that is down (or whose discovery document is unusable) stops sign-in and nothing else:
     * a 503 saying so, a failed sign-in entry, and one warning line. It is expected in operation, so
     * no stack trace: the cause's type and message say which host and what failed.
     */
    private void providerUnreachable(Context ctx, RequestMeta meta, Instant now, java.io.IOException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        LOG.warn("Identity provider {} cannot be reached in console request {}: {}: {}{}", settings.issuer(), meta.requestId(),
                e.getClass().getSimpleName(), e.getMessage(),
                root == e ? "" : " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")");
        audit.commit(event(meta, now, Outcome.UNAUTHENTICATED, "console_sign_in_failed").detail("provider_unreachable").build());
        message(ctx, HttpStatus.SERVICE_UNAVAILABLE, meta.requestId(), "Sign-in unavailable", "The identity provider cannot be"
                + " reached at the moment, so nobody can sign in with it; try again later. Operators can still sign in with the"
                + " break-glass passkey at /console/break-glass.", true);
    }

    private void codes(Context ctx, RequestMeta meta) {
        Optional<Session> session = session(ctx);
        if (session.isEmpty()) {
            ctx.redirect("/console", HttpStatus.SEE_OTHER);
            return;
        }
        render(ctx, HttpStatus.OK, codesPage(session.get(), meta, null, null));
    }

    private void reveal(Context ctx, RequestMeta meta) {
        Optional<Session> session = session(ctx);
        if (session.isEmpty()) {
            message(ctx, HttpStatus.UNAUTHORIZED, meta.requestId(), "Signed out", "Your session has ended; sign in again.", true);
            return;
        }
        if (!csrfOk(ctx, session.get(), meta)) {
            return;
        }
        Label label;
        try {
            label = Label.parse(Objects.requireNonNullElse(ctx.formParam("label"), ""));
        } catch (IllegalArgumentException e) {
            message(ctx, HttpStatus.BAD_REQUEST, meta.requestId(), "Not a label", "That is not a label this console knows.", false);
            return;
        }
        Session s = session.get();
        if (passkeys.isSensitive(label) && !requireStepUp(ctx, s, meta, "Codes for " + label.value() + " are sensitive",
                "codes")) {
            return;
        }
        Instant now = clock.instant();
        IssueResult result = issuer.issue(new CodeIssuer.Request(new Requester.ConsoleUser(s.person(), s.ref()), label,
                Door.CONSOLE, now, meta));
        CodesPage page = switch (result) {
            case IssueResult.Issued issued -> codesPage(s, meta, label, issued.window());
            case IssueResult.Refused refused -> codesPage(s, meta, label, refused.message());
        };
        render(ctx, HttpStatus.OK, page);
    }

    private void enrolForm(Context ctx, RequestMeta meta) {
        Optional<Session> session = session(ctx);
        if (session.isEmpty()) {
            ctx.redirect("/console", HttpStatus.SEE_OTHER);
            return;
        }
        if (!enrolment.adminTenants(session.get()).isEmpty()
                && !requireStepUp(ctx, session.get(), meta, "Enrolling a seed is a sensitive act", "enrol")) {
            return;
        }
        render(ctx, HttpStatus.OK, enrolPage(session.get(), meta));
    }

    /**
     * The session of a request that enrols seeds, once it is signed in, its CSRF token holds and
     * (for a tenant admin) its step-up is current; otherwise the refusal is answered and empty.
     */
    private Optional<Session> enrolmentSession(Context ctx, RequestMeta meta) {
        Optional<Session> session = session(ctx);
        if (session.isEmpty()) {
            message(ctx, HttpStatus.UNAUTHORIZED, meta.requestId(), "Signed out", "Your session has ended; sign in again.", true);
            return Optional.empty();
        }
        if (!csrfOk(ctx, session.get(), meta)) {
            return Optional.empty();
        }
        if (!enrolment.adminTenants(session.get()).isEmpty()
                && !requireStepUp(ctx, session.get(), meta, "Enrolling a seed is a sensitive act", "enrol")) {
            return Optional.empty();
        }
        return session;
    }

    private void enrol(Context ctx, RequestMeta meta) throws java.io.IOException {
        Optional<Session> session = enrolmentSession(ctx, meta);
        if (session.isEmpty()) {
            return;
        }
        var upload = ctx.uploadedFile("qr");
        byte[] image = upload == null || upload.size() == 0 ? null : upload.content().readAllBytes();
        String label = Objects.requireNonNullElse(ctx.formParam("label"), "");
        SeedEnrolment.Result result = enrolment.enrol(session.get(), new SeedEnrolment.Form(label, ctx.formParam("secret"), image),
                clock.instant(), meta);
        // The label comes back only when it is one and looks like no secret: a secret pasted into the
        // wrong field, or typed as the label, is never echoed.
        answer(ctx, session.get(), meta, result, SeedEnrolment.echoable(label));
    }

    private void enrolPending(Context ctx, RequestMeta meta) {
        Optional<Session> session = enrolmentSession(ctx, meta);
        if (session.isEmpty()) {
            return;
        }
        List<String> labels = new ArrayList<>();
        for (int i = 1; i <= 1000 && ctx.formParam("label-" + i) != null; i++) {
            labels.add(ctx.formParam("label-" + i));
        }
        answer(ctx, session.get(), meta, enrolment.enrolPending(session.get(), ctx.formParam("pending"), labels, clock.instant(), meta), "");
    }

    private void answer(Context ctx, Session s, RequestMeta meta, SeedEnrolment.Result result, String label) {
        List<String> adminOf = enrolment.adminTenants(s);
        PageFrame frame = frame(s, "Enrol a seed", meta, adminOf);
        switch (result) {
            case SeedEnrolment.Result.Enrolled e -> render(ctx, HttpStatus.OK, new EnrolPage(frame, adminOf, "", null, List.of(),
                    e.done().stream().map(d -> new EnrolPage.Enrolled(d.label().value(), d.firstCode().code(),
                            d.firstCode().validForSeconds(), d.firstCode().nextCode().orElse(null))).toList(), null, List.of()));
            case SeedEnrolment.Result.Refused r -> render(ctx, HttpStatus.UNPROCESSABLE_CONTENT,
                    new EnrolPage(frame, adminOf, label, r.message(), r.problems(), List.of(), null, List.of()));
            case SeedEnrolment.Result.Pending p -> render(ctx, p.message() == null ? HttpStatus.OK : HttpStatus.UNPROCESSABLE_CONTENT,
                    new EnrolPage(frame, adminOf, "", p.message(), List.of(), List.of(), p.id(),
                            p.rows().stream().map(r -> new EnrolPage.Row(r.index(), r.name(), r.label(), r.error())).toList()));
        }
    }

    private EnrolPage enrolPage(Session s, RequestMeta meta) {
        List<String> adminOf = enrolment.adminTenants(s);
        return new EnrolPage(frame(s, "Enrol a seed", meta, adminOf), adminOf, "", null, List.of(), List.of(), null, List.of());
    }

    /**
     * The step-up guard every sensitive act calls: true when this session passed a passkey step-up in
     * the last {@link StepUp#VALID}; otherwise answers 403 with the step-up page (or, for a person
     * without a passkey, a sentence saying to register one) and audits the refusal.
     *
     * @param why what makes the act sensitive, as the start of a sentence
     * @param then where the step-up page returns to: {@code codes}, {@code enrol} or {@code passkeys}
     */
    boolean requireStepUp(Context ctx, Session s, RequestMeta meta, String why, String then) {
        Instant now = clock.instant();
        StepUp.Check check = stepUp.check(ctx.cookie(sessionCookie), s, now);
        if (check == StepUp.Check.PASSED) {
            return true;
        }
        audit.commit(event(meta, now, Outcome.DENIED, "console_step_up_required")
                .detail("person:" + s.person().value() + " session " + s.ref() + "; " + why).build());
        String sentence = check == StepUp.Check.NO_PASSKEY
                ? why + needs(why) + " a passkey step-up, but you have no passkey yet: register one on the Passkeys page first."
                : why + ": confirm it is you with your passkey first, then try again.";
        render(ctx, HttpStatus.FORBIDDEN, new StepUpPage(frame(s, "Confirm it is you", meta), sentence,
                check == StepUp.Check.NEEDED, then, null));
        return false;
    }

    /** The verb after {@code why}: "Codes for X are sensitive and need", "Creating a token is a sensitive act and needs". */
    private static String needs(String why) {
        return why.endsWith(" are sensitive") ? " and need" : " and needs";
    }

    PageFrame frame(Session s, String title, RequestMeta meta) {
        return frame(s, title, meta, enrolment.adminTenants(s));
    }

    private PageFrame frame(Session s, String title, RequestMeta meta, List<String> adminOf) {
        String name = tenants.person(s.person()).map(Person::displayName).orElse(s.person().value());
        return new PageFrame(title, meta.requestId(), name, s.csrfToken(), !adminOf.isEmpty(),
                Nav.of(tenants, tenants.bindingsOf(s.actor().holders())));
    }

    private void logout(Context ctx, RequestMeta meta) {
        Optional<Session> session = session(ctx);
        if (session.isPresent()) {
            // The token first: a form another site sends must change nothing, not even the cookie, or any
            // page could sign a person out of their browser while their session lived on in the store.
            if (!csrfOk(ctx, session.get(), meta)) {
                return;
            }
            Instant now = clock.instant();
            sessions.end(ctx.cookie(sessionCookie), now, settings.idleTimeout());
            audit.commit(event(meta, now, Outcome.ALLOWED, "console_sign_out")
                    .detail("person:" + session.get().person().value() + " session " + session.get().ref()).build());
        }
        // Ended above, or dead already (nothing left to protect): the browser may forget it.
        clearCookie(ctx, sessionCookie);
        message(ctx, HttpStatus.OK, meta.requestId(), "Signed out", "You are signed out.", true);
    }

    /** The list page, with {@code revealed}'s code or {@code refusal} on its row. */
    private CodesPage codesPage(Session s, RequestMeta meta, Label label, Object revealedOrRefusal) {
        Instant now = clock.instant();
        LabelsResult listed = issuer.listLabels(new Requester.ConsoleUser(s.person(), s.ref()), now, meta);
        List<Label> labels = switch (listed) {
            case LabelsResult.Listed l -> l.labels();
            case IssueResult.Refused r -> List.of();
        };
        List<CodesPage.Row> rows = new java.util.ArrayList<>();
        boolean placed = false;
        for (Label l : labels) {
            if (l.equals(label)) {
                rows.add(row(l, revealedOrRefusal, now));
                placed = true;
            } else {
                rows.add(CodesPage.Row.hidden(l.value()));
            }
        }
        if (label != null && !placed && revealedOrRefusal instanceof String) {
            // Refused for a label no longer listed: still say why, as the bot does.
            rows.addFirst(row(label, revealedOrRefusal, now));
        }
        return new CodesPage(frame(s, "My codes", meta, enrolment.adminTenants(s)), rows);
    }

    private static CodesPage.Row row(Label l, Object revealedOrRefusal, Instant now) {
        if (revealedOrRefusal instanceof TotpWindow w) {
            long stepEnd = w.timestamp().getEpochSecond() + w.validForSeconds();
            return new CodesPage.Row(l.value(), w.code(), w.nextCode().orElse(null), w.periodSeconds(), stepEnd,
                    now.toEpochMilli(), null);
        }
        return new CodesPage.Row(l.value(), null, null, 0, 0, 0, (String) revealedOrRefusal);
    }

    /**
     * The live session this request's cookie names, if any, its last use moved to now: for the
     * admin API, which accepts the console's session as a caller.
     */
    public Optional<Session> liveSession(Context ctx) {
        return session(ctx);
    }

    /** The live session this request's cookie names, if any. */
    Optional<Session> session(Context ctx) {
        return sessions.touch(ctx.cookie(sessionCookie), clock.instant(), settings.idleTimeout());
    }

    /** Whether the form's CSRF token is the session's; otherwise answers 403 and audits the refusal. */
    boolean csrfOk(Context ctx, Session session, RequestMeta meta) {
        String sent = ctx.formParam("csrf");
        boolean ok = sent != null && MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8),
                session.csrfToken().getBytes(StandardCharsets.UTF_8));
        if (!ok) {
            audit.commit(event(meta, clock.instant(), Outcome.MALFORMED, "console_csrf_refused")
                    .detail("person:" + session.person().value() + " session " + session.ref()).build());
            message(ctx, HttpStatus.FORBIDDEN, meta.requestId(), "Refused", "This form did not come from your console page,"
                    + " or the page is too old; nothing was done. Reload the page and try again.", false);
        }
        return ok;
    }

    AuditEvent.Builder event(RequestMeta meta, Instant now, Outcome outcome, String reason) {
        return AuditEvent.builder(now, outcome).requestId(meta.requestId()).route(meta.route())
                .remoteAddress(meta.remoteAddress()).instanceId(instanceId).tokenId("console").reason(reason);
    }

    void setCookie(Context ctx, String name, String value, Duration maxAge) {
        ctx.res().addHeader("Set-Cookie", name + "=" + value + "; Path=/; Max-Age=" + maxAge.toSeconds()
                + "; HttpOnly; SameSite=Lax" + (settings.secureCookie() ? "; Secure" : ""));
    }

    private void clearCookie(Context ctx, String name) {
        ctx.res().addHeader("Set-Cookie", name + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
                + (settings.secureCookie() ? "; Secure" : ""));
    }

    void message(Context ctx, HttpStatus status, String requestId, String heading, String message, boolean signIn) {
        render(ctx, status, new MessagePage(PageFrame.anonymous(heading, requestId), heading, message, signIn,
                status.getCode() >= 400));
    }

    void render(Context ctx, HttpStatus status, Object page) {
        ctx.attribute(RENDERED, Boolean.TRUE);
        ctx.status(status).contentType("text/html; charset=utf-8").result(pages.render(page));
    }

    /** Whether {@code path} (relative to the context path) is the console's: {@code /console} and below. */
    public static boolean owns(String path) {
        return path.equals("/console") || path.startsWith("/console/");
    }

    /**
     * The console's answer to a status the router set on one of its paths, where no console page was
     * rendered: an address no route has (404), or one whose route takes another method (405; such as
     * opening a form's address again after sending it), or a request too large (413). A console page
     * with a plain sentence and the request id, never the framework's text or the admin API's JSON.
     * A console page that chose the status itself (a missing tenant's page) is left as it is.
     *
     * @param status the status the router set
     * @param allowed the methods the path's routes answer (empty for a path no route has)
     */
    public void onBareStatus(Context ctx, int status, java.util.Set<String> allowed, RequestMeta meta) {
        if (ctx.attribute(RENDERED) != null) {
            return;
        }
        Optional<Session> session;
        try {
            session = session(ctx);
        } catch (RuntimeException e) {
            // Only for the navigation: a store that is away must not turn a missing page into a failure.
            session = Optional.empty();
        }
        String back = session.isPresent() ? " Go back to the page you came from, or to My codes." : " Sign in to use the console.";
        String heading;
        String sentence;
        HttpStatus answer;
        if (status == 405 || (status == 404 && !allowed.isEmpty())) {
            answer = HttpStatus.METHOD_NOT_ALLOWED;
            ctx.header("Allow", String.join(", ", new java.util.TreeSet<>(allowed)));
            heading = "Nothing to show here";
            sentence = "This address only takes a form sent from a console page, so there is nothing to show here"
                    + " and nothing was done." + back;
        } else if (status == 413) {
            answer = HttpStatus.CONTENT_TOO_LARGE;
            heading = "Refused";
            sentence = "The request is larger than the gateway takes; nothing was done." + back;
        } else {
            answer = HttpStatus.NOT_FOUND;
            heading = "Not found";
            sentence = "There is no such page." + back;
        }
        PageFrame frame = session.map(s -> frame(s, heading, meta)).orElse(PageFrame.anonymous(heading, meta.requestId()));
        render(ctx, answer, new MessagePage(frame, heading, sentence, session.isEmpty(), true));
    }

    private void asset(Context ctx) {
        String name = ctx.pathParam("name");
        String type = switch (name) {
            case "console.css" -> "text/css; charset=utf-8";
            case "console.js", "passkeys.js", "enrol.js", "jsQR.js" -> "text/javascript; charset=utf-8";
            default -> null;
        };
        if (type == null) {
            message(ctx, HttpStatus.NOT_FOUND, Objects.requireNonNullElse(ctx.header("X-Request-Id"), ""), "Not found",
                    "There is no such file.", false);
            return;
        }
        try (var in = Console.class.getResourceAsStream(ASSETS + name)) {
            if (in == null) {
                throw new IllegalStateException("Console asset " + name + " missing from the jar");
            }
            ctx.contentType(type).result(in.readAllBytes());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The routes of the administration pages, for the gateway's list of known routes. */
    public static final List<String> ADMIN_PAGE_ROUTES = AdminPages.ROUTES;

    /**
     * Adds the administration pages ({@link AdminPages}: access, tokens, members, health) and the audit
     * page ({@link AuditPages}) over the
     * admin API's own services.
     *
     * @param readiness what {@code /readyz} reports, for the Health page
     */
    public void registerAdminPages(JavalinConfig cfg, Function<Context, RequestMeta> meta,
                                   dev.mfagate.core.admin.AdminServices admin,
                                   java.util.function.Supplier<dev.mfagate.gateway.Readiness.Report> readiness) {
        AdminPages.Kit kit = new AdminPages.Kit() {
            @Override
            public Optional<Session> session(Context ctx) {
                return Console.this.session(ctx);
            }

            @Override
            public boolean csrfOk(Context ctx, Session s, RequestMeta m) {
                return Console.this.csrfOk(ctx, s, m);
            }

            @Override
            public PageFrame frame(Session s, String title, RequestMeta m) {
                return Console.this.frame(s, title, m, enrolment.adminTenants(s));
            }

            @Override
            public void render(Context ctx, HttpStatus status, Object page) {
                Console.this.render(ctx, status, page);
            }

            @Override
            public void guarded(Context ctx, Function<Context, RequestMeta> m, AdminPages.Body body) {
                Console.this.guarded(ctx, m, body::run);
            }

            @Override
            public TenantRepository tenants() {
                return tenants;
            }

            @Override
            public boolean requireStepUp(Context ctx, Session s, RequestMeta m, String why, String then) {
                return Console.this.requireStepUp(ctx, s, m, why, then);
            }
        };
        new AdminPages(kit, admin, readiness, clock).register(cfg, meta);
        new AuditPages(kit, auditView, admin, clock).register(cfg, meta);
    }
}
