package dev.mfagate.core.admin;

import dev.mfagate.core.LabelPattern;
import dev.mfagate.core.audit.AuditQuery;
import dev.mfagate.core.store.CreatedToken;
import dev.mfagate.core.store.DuplicateTokenNameException;
import dev.mfagate.core.store.TokenInfo;
import dev.mfagate.core.store.TokenRepository;
import dev.mfagate.core.tenant.AdminAuthorizer.Action;
import dev.mfagate.core.tenant.AdminAuthorizer.Resource;
import dev.mfagate.core.tenant.Role;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Tokens over the admin API: create one owned by the target (a tenant or the organisation),
 * optionally holding a role there, and hand its secret back once; list the target's tokens with
 * their last use (the newest audit entry naming them); revoke. Another owner's token answers as a
 * missing one. The audit names tokens by id, never by secret. Thread-safe.
 */
public final class TokenAdmin {

    /**
     * A token as the admin API lists it.
     *
     * @param info its public description
     * @param lastUsedAt the time of the newest audit entry naming it, if any
     */
    public record Listed(TokenInfo info, Optional<Instant> lastUsedAt) {
        /** Validates. */
        public Listed {
            Objects.requireNonNull(info, "info");
            Objects.requireNonNull(lastUsedAt, "lastUsedAt");
        }
    }

    private final TokenRepository tokens;
    private final AuditQuery audit;
    private final AdminDesk desk;

    /** A service over {@code tokens}, reading last uses from {@code audit}. */
    public TokenAdmin(TokenRepository tokens, AuditQuery audit, AdminDesk desk) {
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.desk = Objects.requireNonNull(desk, "desk");
    }

    /** The target's tokens, oldest first, with their last use. */
    public AdminResult<List<Listed>> list(AdminRequest r) {
        Optional<AdminResult.Refused<List<Listed>>> refused = desk.authorize(r, Resource.TOKENS, Action.READ);
        if (refused.isPresent()) {
            return refused.get();
        }
        List<TokenInfo> own = tokens.list().stream().filter(t -> t.owner().equals(r.target())).toList();
        Map<String, Instant> used = audit.lastUse(own.stream().map(TokenInfo::id).toList());
        desk.read(r, "listed " + own.size() + " token(s)");
        return new AdminResult.Done<>(own.stream().map(t -> new Listed(t, Optional.ofNullable(used.get(t.id())))).toList());
    }

    /**
     * Creates a token owned by the target.
     *
     * @param role the role it holds there, or null for a code token
     * @param labels its label pattern, or null for all of the tenant's labels ({@code *} for the organisation)
     * @param expiresAt when it stops working, or null
     */
    public AdminResult<CreatedToken> create(AdminRequest r, String name, String role, String labels, boolean onBehalf,
                                            Instant expiresAt) {
        Optional<AdminResult.Refused<CreatedToken>> refused = desk.authorize(r, Resource.TOKENS, Action.CHANGE);
        if (refused.isPresent()) {
            return refused.get();
        }
        CreatedToken created;
        try {
            String checked = TokenInfo.newName(Objects.requireNonNullElse(name, ""));
            if (onBehalf && labels == null) {
                return AdminResult.invalid("A token that acts on behalf of users needs 'labels', the labels it may ever fetch");
            }
            Optional<Role> tokenRole = Optional.ofNullable(role).map(Role::parse);
            LabelPattern pattern = LabelPattern.parse(labels != null ? labels
                    : r.target().tenant().map(t -> t.value() + "-*").orElse("*"));
            created = tokens.create(checked, pattern.value(), onBehalf, Optional.ofNullable(expiresAt), r.now(), r.target(),
                    tokenRole);
        } catch (DuplicateTokenNameException e) {
            return AdminResult.conflict("A token with that name exists already; pick another name");
        } catch (IllegalArgumentException e) {
            return AdminResult.invalid(e.getMessage());
        }
        TokenInfo t = created.info();
        desk.changed(r, "token-create", null, null, "created token " + t.id() + " '" + t.name() + "' labels " + t.labelPattern()
                + (t.onBehalfOf() ? " on-behalf" : "") + t.role().map(x -> " role " + x.text()).orElse(" (code token)")
                + t.expiresAt().map(e -> " expires " + e).orElse(""));
        return new AdminResult.Done<>(created);
    }

    /** Revokes the target's token {@code id}; revoking a revoked token changes nothing. */
    public AdminResult<TokenInfo> revoke(AdminRequest r, String id) {
        Optional<AdminResult.Refused<TokenInfo>> refused = desk.authorize(r, Resource.TOKENS, Action.CHANGE);
        if (refused.isPresent()) {
            return refused.get();
        }
        Optional<TokenInfo> token = id == null || !id.matches("[a-z2-7]{16}") ? Optional.empty()
                : tokens.find(id).filter(t -> t.owner().equals(r.target()));
        if (token.isEmpty()) {
            return AdminResult.notFound();
        }
        if (tokens.revoke(id, r.now())) {
            desk.changed(r, "token-revoke", null, null, "revoked token " + id + " '" + token.get().name() + "'");
        }
        return new AdminResult.Done<>(tokens.find(id).orElseThrow());
    }
}
