package dev.mfagate.gateway.console;

import dev.mfagate.core.admin.AdminResult;
import dev.mfagate.core.admin.AdminServices;
import dev.mfagate.core.admin.TokenAdmin;
import dev.mfagate.core.console.ConsoleSessions.Session;
import dev.mfagate.core.issue.RequestMeta;
import dev.mfagate.core.store.CreatedToken;
import dev.mfagate.core.tenant.AdminAuthorizer.Action;
import dev.mfagate.core.tenant.AdminAuthorizer.Resource;
import dev.mfagate.core.tenant.Role;
import dev.mfagate.core.tenant.Scope;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The Tokens page: a place's tokens with their last use ({@link TokenAdmin#list}), a new token
 * ({@link TokenAdmin#create}) whose secret is shown on that one answer and never again, and revoking
 * ({@link TokenAdmin#revoke}), each as the signed-in person and each change an {@code ADMIN} entry.
 *
 * <pre>
 * GET  /console/tokens            tokens of a place (?tenant=) with their last use
 * POST /console/tokens/create     a new token, its secret shown on this answer only
 * POST /console/tokens/revoke     revoke one
 * </pre>
 * Thread-safe.
 */
final class TokenPages {

    private final PageSupport support;
    private final AdminPages.Kit kit;
    private final AdminServices admin;

    TokenPages(PageSupport support, AdminServices admin) {
        this.support = Objects.requireNonNull(support, "support");
        this.kit = support.kit();
        this.admin = Objects.requireNonNull(admin, "admin");
    }

    void register(JavalinConfig cfg, Function<Context, RequestMeta> meta) {
        support.get(cfg, meta, "/console/tokens", (ctx, s, m) -> tokens(ctx, s, m, PageSupport.param(ctx), null, null));
        support.post(cfg, meta, "/console/tokens/create", this::createToken);
        support.post(cfg, meta, "/console/tokens/revoke", this::revokeToken);
    }

    private void tokens(Context ctx, Session s, RequestMeta meta, String param, String error, String notice) {
        List<Place> places = Places.where(kit.tenants(), support.bindings(s), Resource.TOKENS, Action.READ);
        Optional<Scope> target = PageSupport.target(param, places);
        if (target.isEmpty()) {
            support.notFound(ctx, s, meta, "Tokens");
            return;
        }
        Optional<List<TokenAdmin.Listed>> listed = support.done(ctx, s, meta, "Tokens",
                admin.tokens().list(support.request(s, target.get(), meta)));
        if (listed.isEmpty()) {
            return;
        }
        List<TokensPage.TokenRow> rows = listed.get().stream().map(l -> new TokensPage.TokenRow(l.info().id(), l.info().name(),
                l.info().labelPattern(), l.info().role().map(Role::text).orElse("code token"), PageSupport.time(l.info().createdAt()),
                l.info().expiresAt().map(PageSupport::time).orElse(""), l.lastUsedAt().map(PageSupport::time).orElse("never"),
                l.info().revokedAt().map(PageSupport::time).orElse(""))).toList();
        Place place = Places.place(target.get());
        kit.render(ctx, error != null ? HttpStatus.UNPROCESSABLE_CONTENT : HttpStatus.OK, new TokensPage(
                kit.frame(s, "Tokens", meta), places, place.value(), place.text(), rows, PageSupport.roles(target.get()), error, notice));
    }

    private void createToken(Context ctx, Session s, RequestMeta meta) {
        String param = PageSupport.param(ctx);
        Optional<Scope> target = Places.parse(param);
        if (target.isEmpty()) {
            support.notFound(ctx, s, meta, "Tokens");
            return;
        }
        if (!kit.requireStepUp(ctx, s, meta, "Creating a token is a sensitive act", "tokens")) {
            return;
        }
        Instant expires;
        try {
            expires = support.lastDay(ctx.formParam("expires"));
        } catch (IllegalArgumentException e) {
            tokens(ctx, s, meta, param, "No token was created: " + e.getMessage(), null);
            return;
        }
        String role = PageSupport.blankToNull(ctx.formParam("role"));
        String labels = PageSupport.blankToNull(ctx.formParam("labels"));
        AdminResult<CreatedToken> result = admin.tokens().create(support.request(s, target.get(), meta),
                Objects.requireNonNullElse(ctx.formParam("name"), ""), role, labels, false, expires);
        support.changed(ctx, s, meta, "Tokens", result, created -> {
            Place place = Places.place(target.get());
            kit.render(ctx, HttpStatus.OK, new TokenCreatedPage(kit.frame(s, "Token created", meta), place.value(),
                    place.text(), created.info().id(), created.info().name(), created.info().labelPattern(), created.plaintext()));
        }, why -> tokens(ctx, s, meta, param, "No token was created: " + why, null));
    }

    private void revokeToken(Context ctx, Session s, RequestMeta meta) {
        String param = PageSupport.param(ctx);
        Optional<Scope> target = Places.parse(param);
        if (target.isEmpty()) {
            support.notFound(ctx, s, meta, "Tokens");
            return;
        }
        String id = Objects.requireNonNullElse(ctx.formParam("id"), "");
        support.changed(ctx, s, meta, "Tokens", admin.tokens().revoke(support.request(s, target.get(), meta), id),
                t -> tokens(ctx, s, meta, param, null, "Revoked token " + t.id() + " (" + t.name() + ")."),
                why -> tokens(ctx, s, meta, param, "Nothing was revoked: " + why, null));
    }
}
