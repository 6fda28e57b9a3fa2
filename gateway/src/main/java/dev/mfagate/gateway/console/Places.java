package dev.mfagate.gateway.console;

import dev.mfagate.core.tenant.AdminAuthorizer;
import dev.mfagate.core.tenant.AdminAuthorizer.Action;
import dev.mfagate.core.tenant.AdminAuthorizer.Resource;
import dev.mfagate.core.tenant.RoleBinding;
import dev.mfagate.core.tenant.Scope;
import dev.mfagate.core.tenant.Tenant;
import dev.mfagate.core.tenant.TenantId;
import dev.mfagate.core.tenant.TenantRepository;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The places (the organisation, or a tenant) where a person may act on a resource, as
 * {@link AdminAuthorizer} decides: the organisation and the tenants their bindings name, and every
 * tenant when they hold an organisation role. Stateless.
 */
final class Places {

    /** The path and form value that names the organisation, as in the admin API. */
    static final String ORGANISATION = "_org";

    private Places() {
    }

    static List<Place> where(TenantRepository tenants, List<RoleBinding> bindings, Resource resource, Action action) {
        Set<Scope> candidates = new LinkedHashSet<>();
        candidates.add(Scope.ORGANISATION);
        bindings.forEach(b -> candidates.add(b.scope()));
        if (bindings.stream().anyMatch(b -> b.role().isOrganisational())) {
            tenants.tenants().stream().map(Tenant::id).forEach(candidates::add);
        }
        List<Place> out = new ArrayList<>();
        candidates.stream()
                .filter(s -> AdminAuthorizer.decide(bindings, resource, action, s) == AdminAuthorizer.Decision.ALLOW)
                .sorted((a, b) -> a.isOrganisation() ? -1 : b.isOrganisation() ? 1 : a.toString().compareTo(b.toString()))
                .forEach(s -> out.add(place(s)));
        return List.copyOf(out);
    }

    static Place place(Scope s) {
        return s.tenant().map(t -> new Place(t.value(), "tenant " + t.value()))
                .orElse(new Place(ORGANISATION, "the organisation"));
    }

    /** The place a form value names, or empty when it names none (the caller answers as for a missing tenant). */
    static Optional<Scope> parse(String value) {
        if (ORGANISATION.equals(value)) {
            return Optional.of(Scope.ORGANISATION);
        }
        try {
            return Optional.of(TenantId.parse(value));
        } catch (IllegalArgumentException | NullPointerException e) {
            return Optional.empty();
        }
    }
}
