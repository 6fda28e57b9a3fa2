package dev.mfagate.gateway.console;

import dev.mfagate.core.tenant.AdminAuthorizer;
import dev.mfagate.core.tenant.AdminAuthorizer.Action;
import dev.mfagate.core.tenant.AdminAuthorizer.Resource;
import dev.mfagate.core.tenant.RoleBinding;
import dev.mfagate.core.tenant.Scope;
import dev.mfagate.core.tenant.TenantRepository;
import java.util.List;

/**
 * Which pages the navigation offers a person, each decided by {@link AdminAuthorizer} over their
 * role bindings: a convenience only, since every page decides again through the same authoriser
 * (or the core service behind it) when it is asked for.
 *
 * @param enrol Enrol a seed (SEEDS, CHANGE somewhere)
 * @param access Access (RULES, READ somewhere)
 * @param tokens Tokens (TOKENS, READ somewhere)
 * @param members Members and roles (MEMBERS, READ somewhere)
 * @param health Health (KEYS, READ in the organisation: operators)
 */
public record Nav(boolean enrol, boolean access, boolean tokens, boolean members, boolean health) {

    /** Only My codes and Audit (and Enrol when {@code tenantAdmin}). */
    static Nav basic(boolean tenantAdmin) {
        return new Nav(tenantAdmin, false, false, false, false);
    }

    /** The pages {@code bindings} give. */
    static Nav of(TenantRepository tenants, List<RoleBinding> bindings) {
        return new Nav(!Places.where(tenants, bindings, Resource.SEEDS, Action.CHANGE).isEmpty(),
                !Places.where(tenants, bindings, Resource.RULES, Action.READ).isEmpty(),
                !Places.where(tenants, bindings, Resource.TOKENS, Action.READ).isEmpty(),
                !Places.where(tenants, bindings, Resource.MEMBERS, Action.READ).isEmpty(),
                AdminAuthorizer.decide(bindings, Resource.KEYS, Action.READ, Scope.ORGANISATION)
                        == AdminAuthorizer.Decision.ALLOW);
    }
}
