package dev.mfagate.gateway.console;

import dev.mfagate.core.audit.Outcome;
import dev.mfagate.core.console.ConsoleSessions;
import dev.mfagate.core.console.ConsoleSessions.Session;
import dev.mfagate.core.console.Passkeys;
import dev.mfagate.core.issue.RequestMeta;
import dev.mfagate.core.tenant.Person;
import dev.mfagate.core.tenant.TenantRepository;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The console's passkey routes: the Passkeys page, the step-up, and the break-glass operator's
 * enrolment and sign-in, which work without the identity provider.
 *
 * <pre>
 * GET  /console/passkeys                  the person's passkeys and a form to register one
 * POST /console/passkeys/options          creation options (CSRF); the challenge bound to this session
 * POST /console/passkeys                  registers the authenticator's answer (CSRF)
 * POST /console/passkeys/remove           removes one (CSRF, step-up)
 * POST /console/step-up/options           request options for this person's passkeys (CSRF)
 * POST /console/step-up                   checks the answer; the session is stepped up for 5 minutes
 * GET  /console/break-glass               the break-glass sign-in page
 * POST /console/break-glass/options       request options for the break-glass operator's passkeys
 * POST /console/break-glass               checks the answer; a session for the break-glass operator
 * GET  /console/break-glass/enrol         the break-glass enrolment form (one-time code)
 * POST /console/break-glass/enrol/options creation options, given a valid one-time code
 * POST /console/break-glass/enrol         registers the break-glass passkey, using up the code
 * </pre>
 * Options are JSON (errors too: {@code {"message": ...}}); everything else is a page. Every
 * challenge is taken from the store by its answer, so it is used once; webauthn4j checks origin,
 * rpId, user verification, signature and counter ({@link WebAuthnCeremonies}). Every step-up,
 * registration, removal and break-glass sign-in, accepted or not, is an audit entry.
 *
 * <p>Thread-safe.
 */
final class PasskeyRoutes {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PasskeyRoutes.class);
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private static final Duration CHALLENGE_MAX_AGE = Duration.ofMinutes(5);
    private static final String BREAK_GLASS_IDENTITY = "break-glass";
    private static final Map<String, String> THEN = Map.of("codes", "/console/codes", "enrol", "/console/enrol", "tokens", "/console/tokens",
            "passkeys", "/console/passkeys");
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);
    private static final int MAX_ANSWER_CHARS = 12_000;

    private final Console console;
    private final Passkeys passkeys;
    private final WebAuthnCeremonies ceremonies;
    private final TenantRepository tenants;

    PasskeyRoutes(Console console, Passkeys passkeys, WebAuthnCeremonies ceremonies, TenantRepository tenants) {
        this.console = Objects.requireNonNull(console, "console");
        this.passkeys = Objects.requireNonNull(passkeys, "passkeys");
        this.ceremonies = Objects.requireNonNull(ceremonies, "ceremonies");
        this.tenants = Objects.requireNonNull(tenants, "tenants");
    }

    void register(JavalinConfig cfg, Function<Console.RouteHandler, Handler> wrap) {
        cfg.routes.get("/console/passkeys", wrap.apply(this::list));
        cfg.routes.post("/console/passkeys/options", wrap.apply(this::registrationOptions));
        cfg.routes.post("/console/passkeys", wrap.apply(this::registerPasskey));
        cfg.routes.post("/console/passkeys/remove", wrap.apply(this::remove));
        cfg.routes.post("/console/step-up/options", wrap.apply(this::stepUpOptions));
        cfg.routes.post("/console/step-up", wrap.apply(this::stepUp));
        cfg.routes.get("/console/break-glass", wrap.apply((ctx, meta) -> breakGlassPage(ctx, meta, HttpStatus.OK, null, null)));
        cfg.routes.post("/console/break-glass/options", wrap.apply(this::breakGlassOptions));
        cfg.routes.post("/console/break-glass", wrap.apply(this::breakGlassSignIn));
        cfg.routes.get("/console/break-glass/enrol", wrap.apply((ctx, meta) -> enrolPage(ctx, meta, HttpStatus.OK, null, null)));
        cfg.routes.post("/console/break-glass/enrol/options", wrap.apply(this::breakGlassEnrolOptions));
        cfg.routes.post("/console/break-glass/enrol", wrap.apply(this::breakGlassEnrol));
    }

    /** The routes, for request metrics. */
    static final List<String> ROUTES = List.of("/console/passkeys", "/console/passkeys/options", "/console/passkeys/remove",
            "/console/step-up/options", "/console/step-up", "/console/break-glass", "/console/break-glass/options",
            "/console/break-glass/enrol", "/console/break-glass/enrol/options");

    // ---- Passkeys page ----

    private void list(Context ctx, RequestMeta meta) {
        Optional<Session> s = console.session(ctx);
        if (s.isEmpty()) {
            ctx.redirect("/console", HttpStatus.SEE_OTHER);
            return;
        }
        page(ctx, s.get(), meta, HttpStatus.OK, null, null);
    }

    private void page(Context ctx, Session s, RequestMeta meta, HttpStatus status, String notice, String error) {
        List<PasskeysPage.Row> rows = passkeys.list(s.person()).stream()
                .map(p -> new PasskeysPage.Row(p.credentialId(), p.name(), WHEN.format(p.createdAt()),
                        p.lastUsed().map(WHEN::format).orElse("never")))
                .toList();
        console.render(ctx, status, new PasskeysPage(console.frame(s, "Passkeys", meta), rows, notice, error));
    }

    private void registrationOptions(Context ctx, RequestMeta meta) {
        Optional<Session> s = jsonSession(ctx);
        if (s.isEmpty() || !jsonCsrf(ctx, s.get(), meta)) {
            return;
        }
        Session session = s.get();
        String challenge = passkeys.issueChallenge("register", sessionKey(ctx), console.clock().instant());
        String name = tenants.person(session.person()).map(Person::displayName).orElse(session.person().value());
        json(ctx, HttpStatus.OK, ceremonies.creationOptions(challenge, session.person().value(), session.person().value(), name,
                passkeys.list(session.person()).stream().map(Passkeys.Passkey::credentialId).toList()));
    }

    private void registerPasskey(Context ctx, RequestMeta meta) {
        Optional<Session> s = pageSession(ctx, meta);
        if (s.isEmpty() || !console.csrfOk(ctx, s.get(), meta)) {
            return;
        }
        Session session = s.get();
        Instant now = console.clock().instant();
        String name;
        try {
            name = Passkeys.requireName(ctx.formParam("name"));
        } catch (IllegalArgumentException e) {
            page(ctx, session, meta, HttpStatus.UNPROCESSABLE_CONTENT, null, "Give the passkey a name of 1 to "
                    + Passkeys.MAX_NAME_LENGTH + " characters.");
            return;
        }
        String answer = answer(ctx);
        Optional<String> challenge = ceremonies.registrationChallenge(answer);
        String who = "person:" + session.person().value() + " session " + session.ref();
        if (challenge.isEmpty() || !passkeys.takeChallenge(challenge.get(), "register", sessionKey(ctx), now, CHALLENGE_MAX_AGE)) {
            audit(meta, now, Outcome.DENIED, "console_passkey_add_failed", who + "; challenge unknown, used or expired");
            page(ctx, session, meta, HttpStatus.UNPROCESSABLE_CONTENT, null,
                    "The passkey was not registered: the request was too old or not this page's. Try again.");
            return;
        }
        try {
            WebAuthnCeremonies.Registered r = ceremonies.verifyRegistration(answer, challenge.get());
            if (!passkeys.add(session.person(), r.credentialId(), name, r.attestedData(), r.signCount(), now)) {
                audit(meta, now, Outcome.DENIED, "console_passkey_add_failed", who + "; credential registered already");
                page(ctx, session, meta, HttpStatus.UNPROCESSABLE_CONTENT, null, "That passkey is registered already.");
                return;
            }
            audit(meta, now, Outcome.ALLOWED, "console_passkey_added", who + "; passkey " + shortId(r.credentialId()) + " " + name);
            page(ctx, session, meta, HttpStatus.OK, "Passkey " + name + " is registered.", null);
        } catch (WebAuthnCeremonies.Refused e) {
            audit(meta, now, Outcome.DENIED, "console_passkey_add_failed", who + "; " + e.getMessage());
            page(ctx, session, meta, HttpStatus.UNPROCESSABLE_CONTENT, null,
                    "The passkey was not registered: the authenticator's answer did not check out (it must verify you,"
                            + " by PIN or biometrics). Try again.");
        }
    }

    private void remove(Context ctx, RequestMeta meta) {
        Optional<Session> s = pageSession(ctx, meta);
        if (s.isEmpty() || !console.csrfOk(ctx, s.get(), meta)) {
            return;
        }
        Session session = s.get();
        if (!console.requireStepUp(ctx, session, meta, "Removing a passkey is a sensitive act", "passkeys")) {
            return;
        }
        Instant now = console.clock().instant();
        String id = Objects.requireNonNullElse(ctx.formParam("id"), "");
        String who = "person:" + session.person().value() + " session " + session.ref();
        if (!passkeys.remove(session.person(), id)) {
            audit(meta, now, Outcome.DENIED, "console_passkey_remove_failed", who + "; no such passkey of theirs");
            page(ctx, session, meta, HttpStatus.NOT_FOUND, null, "You have no such passkey.");
            return;
        }
        audit(meta, now, Outcome.ALLOWED, "console_passkey_removed", who + "; passkey " + shortId(id));
        page(ctx, session, meta, HttpStatus.OK, "The passkey is removed.", null);
    }

    // ---- Step-up ----

    private void stepUpOptions(Context ctx, RequestMeta meta) {
        Optional<Session> s = jsonSession(ctx);
        if (s.isEmpty() || !jsonCsrf(ctx, s.get(), meta)) {
            return;
        }
        List<String> mine = passkeys.list(s.get().person()).stream().map(Passkeys.Passkey::credentialId).toList();
        if (mine.isEmpty()) {
            json(ctx, HttpStatus.CONFLICT, message("You have no passkey yet: register one on the Passkeys page first."));
            return;
        }
        String challenge = passkeys.issueChallenge("step-up", sessionKey(ctx), console.clock().instant());
        json(ctx, HttpStatus.OK, ceremonies.requestOptions(challenge, mine));
    }

    private void stepUp(Context ctx, RequestMeta meta) {
        Optional<Session> s = pageSession(ctx, meta);
        if (s.isEmpty() || !console.csrfOk(ctx, s.get(), meta)) {
            return;
        }
        Session session = s.get();
        Instant now = console.clock().instant();
        String then = THEN.containsKey(ctx.formParam("then")) ? ctx.formParam("then") : "codes";
        String who = "person:" + session.person().value() + " session " + session.ref();
        String answer = answer(ctx);
        Optional<String> challenge = ceremonies.authenticationChallenge(answer);
        String failure;
        if (challenge.isEmpty() || !passkeys.takeChallenge(challenge.get(), "step-up", sessionKey(ctx), now, CHALLENGE_MAX_AGE)) {
            failure = "challenge unknown, used or expired";
        } else {
            try {
                WebAuthnCeremonies.Asserted a = ceremonies.verifyAuthentication(answer, challenge.get(), passkeys,
                        p -> p.passkey().person().equals(session.person()));
                if (!passkeys.recordUse(a.stored().passkey().credentialId(), a.stored().signCount(), a.newSignCount(), now)) {
                    failure = "signature counter did not move forward";
                } else {
                    console.sessions().stepUp(ctx.cookie(console.sessionCookieName()), now.plus(StepUp.VALID));
                    audit(meta, now, Outcome.ALLOWED, "console_step_up", who + "; passkey "
                            + shortId(a.stored().passkey().credentialId()) + "; valid " + StepUp.VALID.toMinutes() + " min");
                    ctx.redirect(THEN.get(then), HttpStatus.SEE_OTHER);
                    return;
                }
            } catch (WebAuthnCeremonies.Refused e) {
                failure = e.getMessage();
            }
        }
        audit(meta, now, Outcome.UNAUTHENTICATED, "console_step_up_failed", who + "; " + failure);
        console.render(ctx, HttpStatus.UNAUTHORIZED, new StepUpPage(console.frame(session, "Confirm it is you", meta),
                "Confirm it is you with your passkey.", true, then, "The passkey did not confirm it is you; nothing was"
                + " unlocked. Try again."));
    }

    // ---- Break-glass ----

    private void breakGlassPage(Context ctx, RequestMeta meta, HttpStatus status, String notice, String error) {
        console.render(ctx, status, new BreakGlassPage(PageFrame.anonymous("Break-glass sign-in", meta.requestId()), false,
                notice, error));
    }

    private void enrolPage(Context ctx, RequestMeta meta, HttpStatus status, String notice, String error) {
        console.render(ctx, status, new BreakGlassPage(PageFrame.anonymous("Break-glass passkey", meta.requestId()), true,
                notice, error));
    }

    private void breakGlassOptions(Context ctx, RequestMeta meta) {
        List<String> keys = passkeys.list(Passkeys.BREAK_GLASS).stream().map(Passkeys.Passkey::credentialId).toList();
        if (keys.isEmpty()) {
            json(ctx, HttpStatus.CONFLICT, message("No break-glass passkey is registered: an operator enrols one with"
                    + " mfagate console break-glass enrol."));
            return;
        }
        String challenge = passkeys.issueChallenge("break-glass", BREAK_GLASS_IDENTITY, console.clock().instant());
        json(ctx, HttpStatus.OK, ceremonies.requestOptions(challenge, keys));
    }

    private void breakGlassSignIn(Context ctx, RequestMeta meta) {
        Instant now = console.clock().instant();
        String answer = answer(ctx);
        Optional<String> challenge = ceremonies.authenticationChallenge(answer);
        String failure;
        if (challenge.isEmpty()
                || !passkeys.takeChallenge(challenge.get(), "break-glass", BREAK_GLASS_IDENTITY, now, CHALLENGE_MAX_AGE)) {
            failure = "challenge unknown, used or expired";
        } else {
            try {
                WebAuthnCeremonies.Asserted a = ceremonies.verifyAuthentication(answer, challenge.get(), passkeys,
                        p -> p.passkey().person().equals(Passkeys.BREAK_GLASS));
                if (!passkeys.recordUse(a.stored().passkey().credentialId(), a.stored().signCount(), a.newSignCount(), now)) {
                    failure = "signature counter did not move forward";
                } else {
                    String old = ctx.cookie(console.sessionCookieName());
                    if (old != null) {
                        console.sessions().end(old, now, console.settings().idleTimeout());
                    }
                    ConsoleSessions.Started started = console.sessions().create(Passkeys.BREAK_GLASS, BREAK_GLASS_IDENTITY, now,
                            console.settings().absoluteLifetime());
                    // Signing in was a passkey confirmation: the session starts stepped up.
                    console.sessions().stepUp(started.cookieValue(), now.plus(StepUp.VALID));
                    audit(meta, now, Outcome.ALLOWED, "console_break_glass_sign_in", "BREAK-GLASS sign-in without the identity"
                            + " provider: person:" + Passkeys.BREAK_GLASS.value() + " passkey "
                            + shortId(a.stored().passkey().credentialId()) + " session " + started.session().ref());
                    LOG.warn("Break-glass sign-in to the console (request {}, session {})", meta.requestId(),
                            started.session().ref());
                    console.setCookie(ctx, console.sessionCookieName(), started.cookieValue(),
                            console.settings().absoluteLifetime());
                    ctx.redirect("/console/codes", HttpStatus.SEE_OTHER);
                    return;
                }
            } catch (WebAuthnCeremonies.Refused e) {
                failure = e.getMessage();
            }
        }
        audit(meta, now, Outcome.UNAUTHENTICATED, "console_break_glass_sign_in_failed", failure);
        breakGlassPage(ctx, meta, HttpStatus.UNAUTHORIZED, null, "The break-glass sign-in failed: the passkey did not"
                + " check out. Try again.");
    }

    private void breakGlassEnrolOptions(Context ctx, RequestMeta meta) {
        String code = Objects.requireNonNullElse(ctx.formParam("code"), "").strip();
        Instant now = console.clock().instant();
        if (!passkeys.breakGlassCodeValid(code, now)) {
            audit(meta, now, Outcome.UNAUTHENTICATED, "console_break_glass_enrol_failed", "one-time code unknown, used or expired");
            json(ctx, HttpStatus.FORBIDDEN, message("That one-time code is not valid (wrong, used or older than 15 minutes)."));
            return;
        }
        String challenge = passkeys.issueChallenge("break-glass-enrol", ConsoleSessions.sessionKey(code), now);
        json(ctx, HttpStatus.OK, ceremonies.creationOptions(challenge, Passkeys.BREAK_GLASS.value(), Passkeys.BREAK_GLASS.value(),
                "Break-glass operator", passkeys.list(Passkeys.BREAK_GLASS).stream().map(Passkeys.Passkey::credentialId).toList()));
    }

    private void breakGlassEnrol(Context ctx, RequestMeta meta) {
        String code = Objects.requireNonNullElse(ctx.formParam("code"), "").strip();
        Instant now = console.clock().instant();
        String name;
        try {
            name = Passkeys.requireName(ctx.formParam("name"));
        } catch (IllegalArgumentException e) {
            enrolPage(ctx, meta, HttpStatus.UNPROCESSABLE_CONTENT, null, "Give the passkey a name of 1 to "
                    + Passkeys.MAX_NAME_LENGTH + " characters.");
            return;
        }
        String answer = answer(ctx);
        Optional<String> challenge = ceremonies.registrationChallenge(answer);
        String failure = null;
        WebAuthnCeremonies.Registered registered = null;
        if (challenge.isEmpty() || code.isEmpty() || !passkeys.takeChallenge(challenge.get(), "break-glass-enrol",
                ConsoleSessions.sessionKey(code), now, CHALLENGE_MAX_AGE)) {
            failure = "challenge unknown, used, expired or not this code's";
        } else {
            try {
                registered = ceremonies.verifyRegistration(answer, challenge.get());
            } catch (WebAuthnCeremonies.Refused e) {
                failure = e.getMessage();
            }
        }
        if (failure == null && !passkeys.takeBreakGlassCode(code, now)) {
            failure = "one-time code unknown, used or expired";
        }
        if (failure == null && !passkeys.add(Passkeys.BREAK_GLASS, registered.credentialId(), name, registered.attestedData(),
                registered.signCount(), now)) {
            failure = "credential registered already";
        }
        if (failure != null) {
            audit(meta, now, Outcome.UNAUTHENTICATED, "console_break_glass_enrol_failed", failure);
            enrolPage(ctx, meta, HttpStatus.UNPROCESSABLE_CONTENT, null, "The break-glass passkey was not registered: the"
                    + " one-time code is wrong, used or older than 15 minutes, or the authenticator's answer did not check out."
                    + " Ask for a new code and try again.");
            return;
        }
        audit(meta, now, Outcome.ADMIN, "console_break_glass_enrolled", "by one-time code; passkey "
                + shortId(registered.credentialId()) + " " + name + " for person:" + Passkeys.BREAK_GLASS.value());
        console.render(ctx, HttpStatus.OK, new BreakGlassPage(PageFrame.anonymous("Break-glass sign-in", meta.requestId()),
                false, "The break-glass passkey " + name + " is registered. Keep it somewhere safe; it signs in here"
                + " when the identity provider is down.", null));
    }

    // ---- helpers ----

    private String sessionKey(Context ctx) {
        return ConsoleSessions.sessionKey(Objects.requireNonNullElse(ctx.cookie(console.sessionCookieName()), ""));
    }

    private static String answer(Context ctx) {
        String a = Objects.requireNonNullElse(ctx.formParam("credential"), "");
        return a.length() > MAX_ANSWER_CHARS ? "" : a;
    }

    /** A short, non-secret reference to a credential id for audit entries. */
    private static String shortId(String credentialId) {
        return credentialId.length() <= 12 ? credentialId : credentialId.substring(0, 12);
    }

    private Optional<Session> pageSession(Context ctx, RequestMeta meta) {
        Optional<Session> s = console.session(ctx);
        if (s.isEmpty()) {
            console.message(ctx, HttpStatus.UNAUTHORIZED, meta.requestId(), "Signed out", "Your session has ended; sign in again.",
                    true);
        }
        return s;
    }

    private Optional<Session> jsonSession(Context ctx) {
        Optional<Session> s = console.session(ctx);
        if (s.isEmpty()) {
            json(ctx, HttpStatus.UNAUTHORIZED, message("Your session has ended; sign in again."));
        }
        return s;
    }

    private boolean jsonCsrf(Context ctx, Session s, RequestMeta meta) {
        String sent = ctx.formParam("csrf");
        boolean ok = sent != null && java.security.MessageDigest.isEqual(sent.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                s.csrfToken().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        if (!ok) {
            audit(meta, console.clock().instant(), Outcome.MALFORMED, "console_csrf_refused",
                    "person:" + s.person().value() + " session " + s.ref());
            json(ctx, HttpStatus.FORBIDDEN, message("This request did not come from your console page; reload it and try again."));
        }
        return ok;
    }

    private void audit(RequestMeta meta, Instant now, Outcome outcome, String reason, String detail) {
        console.audit().commit(console.event(meta, now, outcome, reason).detail(detail).build());
    }

    private static String message(String text) {
        return JSON.createObjectNode().put("message", text).toString();
    }

    private static void json(Context ctx, HttpStatus status, String body) {
        ctx.status(status).contentType("application/json").result(body);
    }
}
