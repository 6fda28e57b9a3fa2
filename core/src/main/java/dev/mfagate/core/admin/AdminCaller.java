package dev.mfagate.core.admin;

import dev.mfagate.core.tenant.Holder;
import dev.mfagate.core.tenant.Role;
import dev.mfagate.core.tenant.RoleBinding;
import dev.mfagate.core.tenant.Scope;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Who makes an administrative request: an admin token, by its public id, with the one role it holds
 * in its owner (a tenant or the organisation). A code token (no role) is a caller too; it holds no
 * binding, so the {@link dev.mfagate.core.tenant.AdminAuthorizer} allows it nothing. Never holds
 * the token itself.
 *
 * @param tokenId the token's public id
 * @param role the role the token holds, or empty for a code token
 * @param owner the token's tenant, or the organisation
 */
public record AdminCaller(String tokenId, Optional<Role> role, Scope owner) {

    /** Validates. */
    public AdminCaller {
        Objects.requireNonNull(tokenId, "tokenId");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(owner, "owner");
    }

    /** The role bindings the caller holds: none, or its token's one. */
    public List<RoleBinding> bindings() {
        return role.map(r -> List.of(new RoleBinding(new Holder.ApiToken(tokenId), r, owner, "token", Instant.EPOCH)))
                .orElse(List.of());
    }

    /** How the audit names the caller: {@code token <id> (admin of acme)}. */
    public String describe() {
        return "token " + tokenId + role.map(r -> " (" + r.text() + (owner.isOrganisation() ? "" : " of " + owner) + ")")
                .orElse(" (no role)");
    }
}
