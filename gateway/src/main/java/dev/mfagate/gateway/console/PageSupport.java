package dev.mfagate.gateway.console;

import dev.mfagate.core.Expiry;
import dev.mfagate.core.admin.AdminCaller;
import dev.mfagate.core.admin.AdminRequest;
import dev.mfagate.core.admin.AdminResult;
import dev.mfagate.core.console.ConsoleSessions.Session;
import dev.mfagate.core.issue.RequestMeta;
import dev.mfagate.core.tenant.Holder;
import dev.mfagate.core.tenant.RoleBinding;
import dev.mfagate.core.tenant.Scope;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * What the administration pages share: the signed-in and CSRF-checked route wrappers, the admin
 * request made as the signed-in person, and the one way a core service's refusal becomes a page (a
 * place not visible answering exactly as a missing one). Thread-safe.
 */
final class PageSupport {

    /** A page handler for a signed-in person. */
    @FunctionalInterface
    interface PageHandler {
        void handle(Context ctx, Session s, RequestMeta meta) throws Exception;
    }

    private final AdminPages.Kit kit;
    private final Clock clock;

    PageSupport(AdminPages.Kit kit, Clock clock) {
        this.kit = Objects.requireNonNull(kit, "kit");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    AdminPages.Kit kit() {
        return kit;
    }

    void get(JavalinConfig cfg, Function<Context, RequestMeta> meta, String path, PageHandler h) {
        cfg.routes.get(path, ctx -> kit.guarded(ctx, meta, () -> {
            Optional<Session> s = kit.session(ctx);
            if (s.isEmpty()) {
                ctx.redirect("/console", HttpStatus.SEE_OTHER);
                return;
            }
            h.handle(ctx, s.get(), meta.apply(ctx));
        }));
    }

    void post(JavalinConfig cfg, Function<Context, RequestMeta> meta, String path, PageHandler h) {
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

    static List<String> roles(Scope place) {
        return place.isOrganisation() ? List.of("", "operator", "auditor") : List.of("", "admin", "approver", "member");
    }

    List<RoleBinding> bindings(Session s) {
        return kit.tenants().bindingsOf(s.actor().holders());
    }

    AdminRequest request(Session s, Scope target, RequestMeta meta) {
        return new AdminRequest(AdminCaller.session(s.actor(), s.ref(), bindings(s)), target, meta, clock.instant());
    }

    /** The {@code tenant} the query or form names, or null. */
    static String param(Context ctx) {
        String q = ctx.queryParam("tenant");
        return q != null ? q : ctx.formParam("tenant");
    }

    /** The place asked for; the first the person may use when none is; empty when the text names no place. */
    static Optional<Scope> target(String param, List<Place> places) {
        if (param == null || param.isBlank()) {
            return Places.parse(places.isEmpty() ? Places.ORGANISATION : places.getFirst().value());
        }
        return Places.parse(param.strip());
    }

    /** The value of a read, or the refusal rendered (a missing place and one not visible alike). */
    <T> Optional<T> done(Context ctx, Session s, RequestMeta meta, String title, AdminResult<T> result) {
        return switch (result) {
            case AdminResult.Done<T> d -> Optional.of(d.value());
            case AdminResult.Refused<T> r -> {
                refused(ctx, s, meta, title, r);
                yield Optional.empty();
            }
        };
    }

    <T> void changed(Context ctx, Session s, RequestMeta meta, String title, AdminResult<T> result,
                             java.util.function.Consumer<T> onDone, java.util.function.Consumer<String> onInvalid) {
        switch (result) {
            case AdminResult.Done<T> d -> onDone.accept(d.value());
            case AdminResult.Refused<T> r when r.kind() == AdminResult.Kind.INVALID || r.kind() == AdminResult.Kind.CONFLICT ->
                    onInvalid.accept(sentence(r.message()));
            case AdminResult.Refused<T> r -> refused(ctx, s, meta, title, r);
        }
    }

    void refused(Context ctx, Session s, RequestMeta meta, String title, AdminResult.Refused<?> r) {
        switch (r.kind()) {
            case NOT_FOUND -> notFound(ctx, s, meta, title);
            case FORBIDDEN -> kit.render(ctx, HttpStatus.FORBIDDEN, new MessagePage(kit.frame(s, title, meta), title,
                    "Your roles do not allow this here; nothing was done.", false, true));
            default -> kit.render(ctx, HttpStatus.UNPROCESSABLE_CONTENT, new MessagePage(kit.frame(s, title, meta), title,
                    sentence(r.message()), false, true));
        }
    }

    void notFound(Context ctx, Session s, RequestMeta meta, String title) {
        kit.render(ctx, HttpStatus.NOT_FOUND, new MessagePage(kit.frame(s, title, meta), title,
                AdminResult.NOT_FOUND_MESSAGE + ".", false, true));
    }

    static String sentence(String message) {
        return message.endsWith(".") ? message : message + ".";
    }

    /** The latest last day a form takes: its end is the latest expiry the store holds ({@link Expiry#LATEST}). */
    static final LocalDate LATEST_DAY = LocalDate.ofInstant(Expiry.LATEST, ZoneOffset.UTC).minusDays(1);

    /**
     * A "last day" field: the grant or token lasts to the end of that UTC day; null when empty. Checked
     * here, in the form's terms, so that the person never reads the service's field names and instants.
     *
     * @throws IllegalArgumentException with a sentence for the person when it is no day, has passed or is too late
     */
    Instant lastDay(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        LocalDate day;
        try {
            day = LocalDate.parse(text.strip());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("The date must be a day such as 2026-12-31.");
        }
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        if (day.isBefore(today)) {
            throw new IllegalArgumentException("The last day must be today (" + today + ", UTC) or later.");
        }
        if (day.isAfter(LATEST_DAY)) {
            throw new IllegalArgumentException("The last day must be " + LATEST_DAY + " or earlier.");
        }
        return day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    static Integer count(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        if (!text.strip().matches("[1-9][0-9]{0,5}")) {
            throw new IllegalArgumentException("The daily cap must be a whole number from 1 to 999999.");
        }
        return Integer.parseInt(text.strip());
    }

    static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.strip();
    }


    static String time(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
