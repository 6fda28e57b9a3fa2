package dev.mfagate.core.tenant;

import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Decides whether an actor may perform an administrative act: a pure function of the actor's role
 * bindings, the resource, the action and the target (one tenant, or the organisation). It decides
 * administration only; a code is never granted by a role, only by a policy rule
 * ({@link dev.mfagate.core.policy.Policy}), whoever asks, operators included.
 *
 * <p><b>The table</b> (R = {@link Action#READ}, W = {@link Action#CHANGE}; – = not allowed):
 * <pre>
 * role held              target           TENANT  MEMBERS  SEEDS  RULES  TOKENS  AUDIT  KEYS
 * operator               organisation     R W     R W      –      R W    R W     R      R W
 * operator               any tenant       R W     R W      –      –      –       –      –
 * auditor                organisation     R       –        –      –      –       R      –
 * auditor                any tenant       R       –        –      –      –       R      –
 * admin of T             T                R       R W      R W    R W    R W     R      –
 * approver of T          T                R       –        –      –      –       R      –
 * member of T            T                R       –        –      –      –       –      –
 * </pre>
 * {@code TENANT} at the organisation is the list of tenants and adding one; in a tenant, the tenant
 * itself. {@code MEMBERS} is people and role bindings; {@code RULES} rules and grants; {@code KEYS}
 * keys and health. {@code SEEDS} exist only in tenants (a seed's tenant is its label's client), so
 * nobody changes seeds at the organisation. The audit is append-only: nobody changes it.
 *
 * <p><b>Answers.</b> {@link Decision#ALLOW} when any of the actor's bindings allows the act in the
 * target. Otherwise {@link Decision#NOT_VISIBLE} when the target is a tenant the actor holds no
 * role in and the actor holds no organisation role, so that an answer about that tenant says
 * nothing (a door answers it as it answers a tenant that does not exist: 404); else
 * {@link Decision#DENY} (403). The organisation is always visible.
 *
 * <p>Stateless and thread-safe.
 */
public final class AdminAuthorizer {

    /** What is acted on. */
    public enum Resource { TENANT, MEMBERS, SEEDS, RULES, TOKENS, AUDIT, KEYS }

    /** What is done: reading (list, show, export) or changing (add, link, revoke, remove). */
    public enum Action { READ, CHANGE }

    /** The answer. */
    public enum Decision {
        /** Do it. */
        ALLOW,
        /** Refuse, saying it is forbidden (the actor may know the target exists). */
        DENY,
        /** Refuse as though the target did not exist: the actor must learn nothing about it. */
        NOT_VISIBLE
    }

    private AdminAuthorizer() {
    }

    /**
     * Decides for {@code actor}, picking the bindings that name it out of {@code allBindings}.
     */
    public static Decision decide(Collection<RoleBinding> allBindings, AdminActor actor, Resource resource, Action action,
                                  Scope target) {
        List<Holder> holders = actor.holders();
        return decide(allBindings.stream().filter(b -> holders.contains(b.holder())).toList(), resource, action, target);
    }

    /** Decides for an actor who holds exactly {@code actorBindings}. */
    public static Decision decide(Collection<RoleBinding> actorBindings, Resource resource, Action action, Scope target) {
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(target, "target");
        boolean visible = target.isOrganisation();
        for (RoleBinding b : actorBindings) {
            boolean applies = b.role().isOrganisational() || b.scope().equals(target);
            if (!applies) {
                continue;
            }
            visible = true;
            if (allowed(b.role(), target.isOrganisation(), action).contains(resource)) {
                return Decision.ALLOW;
            }
        }
        return visible ? Decision.DENY : Decision.NOT_VISIBLE;
    }

    /** The resources {@code role} may act on with {@code action}, in the organisation or in a tenant it applies to. */
    private static Set<Resource> allowed(Role role, boolean organisation, Action action) {
        boolean read = action == Action.READ;
        return switch (role) {
            case OPERATOR -> organisation
                    ? (read ? EnumSet.of(Resource.TENANT, Resource.MEMBERS, Resource.RULES, Resource.TOKENS, Resource.AUDIT, Resource.KEYS)
                            : EnumSet.of(Resource.TENANT, Resource.MEMBERS, Resource.RULES, Resource.TOKENS, Resource.KEYS))
                    : EnumSet.of(Resource.TENANT, Resource.MEMBERS);
            case AUDITOR -> read ? EnumSet.of(Resource.TENANT, Resource.AUDIT) : EnumSet.noneOf(Resource.class);
            case ADMIN -> read ? EnumSet.of(Resource.TENANT, Resource.MEMBERS, Resource.SEEDS, Resource.RULES, Resource.TOKENS, Resource.AUDIT)
                    : EnumSet.of(Resource.MEMBERS, Resource.SEEDS, Resource.RULES, Resource.TOKENS);
            case APPROVER -> read ? EnumSet.of(Resource.TENANT, Resource.AUDIT) : EnumSet.noneOf(Resource.class);
            case MEMBER -> read ? EnumSet.of(Resource.TENANT) : EnumSet.noneOf(Resource.class);
        };
    }
}
