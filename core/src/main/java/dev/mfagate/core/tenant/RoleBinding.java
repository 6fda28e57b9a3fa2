package dev.mfagate.core.tenant;

import java.time.Instant;
import java.util.Objects;

/**
 * {@code holder} holds {@code role} in {@code scope}: an organisation role in the
 * {@link Scope#ORGANISATION}, a tenant role in one tenant. SSO group claims hold organisation roles
 * only (a tenant's membership is decided by people and Zulip groups its admins can see).
 *
 * @param holder who
 * @param role what
 * @param scope where
 * @param createdBy who made the binding (never a secret)
 * @param createdAt when
 */
public record RoleBinding(Holder holder, Role role, Scope scope, String createdBy, Instant createdAt) {

    /** Validates that the role fits the scope and the holder may hold it. */
    public RoleBinding {
        Objects.requireNonNull(holder, "holder");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(createdBy, "createdBy");
        Objects.requireNonNull(createdAt, "createdAt");
        if (role.isOrganisational() != scope.isOrganisation()) {
            throw new IllegalArgumentException("Role " + role.text() + (role.isOrganisational()
                    ? " is an organisation role; it takes no tenant" : " is a tenant role; it needs a tenant"));
        }
        if (holder instanceof Holder.SsoGroup && !role.isOrganisational()) {
            throw new IllegalArgumentException("SSO group claims hold organisation roles only (operator, auditor);"
                    + " bind people or Zulip groups to tenant roles");
        }
    }

    /** Whether this binding applies in {@code target}: the same tenant, or the organisation for organisation roles. */
    public boolean appliesTo(Scope target) {
        return scope.equals(target);
    }
}
