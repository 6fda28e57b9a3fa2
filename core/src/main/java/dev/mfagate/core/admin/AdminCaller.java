package dev.mfagate.core.admin;

import dev.mfagate.core.tenant.Holder;
import dev.mfagate.core.tenant.PersonId;
import dev.mfagate.core.tenant.Role;
import dev.mfagate.core.tenant.RoleBinding;
import dev.mfagate.core.tenant.Scope;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Who makes an administrative request: an admin token, by its public id, with the one role it holds
 * in its owner (a tenant or the organisation); or a person signed in to the web console, with the
 * role bindings they hold. A code token (no role) is a caller too; it holds no binding, so the
 * {@link dev.mfagate.core.tenant.AdminAuthorizer} allows it nothing. Never holds the token itself.
 *
 * @param tokenId the token's public id ({@code console} for a person in the console)
 * @param role the role the token holds, or empty for a code token or a person
 * @param owner the token's tenant, or the organisation
 * @param person the person in the console, or empty for a token
 * @param personBindings the person's role bindings (empty for a token)
 * @param via how the person came ({@code console session <ref>}), or empty for a token
 */
public record AdminCaller(String tokenId, Optional<Role> role, Scope owner, Optional<PersonId> person,
                          List<RoleBinding> personBindings, String via) {

    /** Validates and copies. */
    public AdminCaller {
        Objects.requireNonNull(tokenId, "tokenId");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(person, "person");
        personBindings = List.copyOf(personBindings);
        Objects.requireNonNull(via, "via");
    }

    /** A token caller. */
    public AdminCaller(String tokenId, Optional<Role> role, Scope owner) {
        this(tokenId, role, owner, Optional.empty(), List.of(), "");
    }

    /**
     * A person signed in to the web console, holding {@code bindings} (as the store has them now).
     *
     * @param sessionRef the short reference of their session, for the audit entry
     */
    public static AdminCaller consolePerson(PersonId person, List<RoleBinding> bindings, String sessionRef) {
        return new AdminCaller("console", Optional.empty(), Scope.ORGANISATION, Optional.of(person), bindings,
                "console session " + sessionRef);
    }

    /** The role bindings the caller holds: a person's, or none, or its token's one. */
    public List<RoleBinding> bindings() {
        if (person.isPresent()) {
            return personBindings;
        }
        return role.map(r -> List.of(new RoleBinding(new Holder.ApiToken(tokenId), r, owner, "token", Instant.EPOCH)))
                .orElse(List.of());
    }

    /** How the audit names the caller: {@code token <id> (admin of acme)}, or {@code person:ann (console session ab12)}. */
    public String describe() {
        if (person.isPresent()) {
            return "person:" + person.get().value() + " (" + via + ")";
        }
        return "token " + tokenId + role.map(r -> " (" + r.text() + (owner.isOrganisation() ? "" : " of " + owner) + ")")
                .orElse(" (no role)");
    }
}
