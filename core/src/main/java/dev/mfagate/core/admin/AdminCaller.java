package dev.mfagate.core.admin;

import dev.mfagate.core.tenant.AdminActor;
import dev.mfagate.core.tenant.Holder;
import dev.mfagate.core.tenant.Role;
import dev.mfagate.core.tenant.RoleBinding;
import dev.mfagate.core.tenant.Scope;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Who makes an administrative request, and the role bindings that decide for it:
 * <ul>
 *   <li>an admin token, by its public id, holding the one role it was created with in its owner (a
 *       tenant or the organisation); a code token (no role) holds no binding, so the
 *       {@link dev.mfagate.core.tenant.AdminAuthorizer} allows it nothing;</li>
 *   <li>a console session ({@link #session}): the bindings its {@link AdminActor} holds, that is the
 *       person's and those of its SSO group claims, read from the store for this request.</li>
 * </ul>
 * Never holds a token or a cookie.
 *
 * @param tokenId the token's public id, or {@code console} for a console session (the audit's token column)
 * @param describe how the audit names the caller: {@code token <id> (admin of acme)}, or
 *     {@code person:ann (console session 1a2b3c4d5e6f; roles via sso-group:ops)}
 * @param bindings the role bindings the caller holds
 */
public record AdminCaller(String tokenId, String describe, List<RoleBinding> bindings) {

    /** Validates and copies. */
    public AdminCaller {
        Objects.requireNonNull(tokenId, "tokenId");
        Objects.requireNonNull(describe, "describe");
        bindings = List.copyOf(bindings);
    }

    /** A token caller: none, or its token's one binding. */
    public AdminCaller(String tokenId, Optional<Role> role, Scope owner) {
        this(tokenId, "token " + tokenId + role.map(r -> " (" + r.text() + (owner.isOrganisation() ? "" : " of " + owner) + ")")
                        .orElse(" (no role)"),
                role.map(r -> List.of(new RoleBinding(new Holder.ApiToken(tokenId), r, owner, "token", Instant.EPOCH)))
                        .orElse(List.of()));
    }

    /**
     * A console session's caller.
     *
     * @param actor the session's person and SSO group claims
     * @param sessionRef the session's non-secret reference
     * @param allBindings every stored binding; those naming one of the actor's holders are kept
     */
    public static AdminCaller session(AdminActor actor, String sessionRef, List<RoleBinding> allBindings) {
        List<Holder> holders = actor.holders();
        List<RoleBinding> held = allBindings.stream().filter(b -> holders.contains(b.holder())).toList();
        String via = held.stream().map(RoleBinding::holder).filter(h -> !(h instanceof Holder.PersonHolder))
                .map(Holder::text).distinct().sorted().collect(Collectors.joining(", "));
        String who = actor.person().map(p -> "person:" + p.value()).orElse("nobody");
        return new AdminCaller("console", who + " (console session " + sessionRef + (via.isEmpty() ? "" : "; roles via " + via)
                + ")", held);
    }
}
