package dev.mfagate.core.tenant;

import dev.mfagate.core.LabelPattern;
import java.util.Objects;
import java.util.Optional;

/**
 * Who owns an object (a token, a rule, a role binding): one {@link TenantId}, or the
 * {@link #ORGANISATION} (operator level). A tenant's objects name only that tenant's labels;
 * patterns that reach across tenants ({@code *}, {@code a*}) are the organisation's alone
 * ({@link #requireCovers}).
 *
 * <p>Stored as a nullable {@code tenant_id} column: {@code NULL} is the organisation.
 * Immutable and thread-safe.
 */
public sealed interface Scope permits Scope.Organisation, TenantId {

    /** The organisation: operator-level objects, and organisation roles. */
    Scope ORGANISATION = new Organisation();

    /** Whether this is the organisation. */
    boolean isOrganisation();

    /** The tenant, or empty for the organisation. */
    Optional<TenantId> tenant();

    /** The owner a pattern gets when none is named: its confining tenant, else the organisation. */
    static Scope of(LabelPattern pattern) {
        return TenantId.confining(pattern).<Scope>map(t -> t).orElse(ORGANISATION);
    }

    /** {@code NULL} (organisation) or a tenant id, as stored. */
    static Scope fromColumn(String tenantId) {
        return tenantId == null ? ORGANISATION : new TenantId(tenantId);
    }

    /** The column value: the tenant id, or {@code null} for the organisation. */
    default String toColumn() {
        return tenant().map(TenantId::value).orElse(null);
    }

    /**
     * Refuses a pattern this owner may not hold: a tenant's object must stay inside the tenant.
     *
     * @throws IllegalArgumentException naming the owner, the pattern and the rule
     */
    default void requireCovers(LabelPattern pattern) {
        Objects.requireNonNull(pattern, "pattern");
        Optional<TenantId> own = tenant();
        if (own.isEmpty()) {
            return;
        }
        Optional<TenantId> confined = TenantId.confining(pattern);
        if (confined.isEmpty() || !confined.get().equals(own.get())) {
            throw new IllegalArgumentException("Tenant " + own.get() + "'s objects may name only its own labels ("
                    + own.get() + "-...); the pattern " + TenantId.describe(pattern.value())
                    + (confined.isPresent() ? " belongs to tenant " + confined.get()
                    : " reaches across tenants, which only organisation-level objects may"));
        }
    }

    /** The organisation; use {@link #ORGANISATION}. */
    record Organisation() implements Scope {
        @Override
        public boolean isOrganisation() {
            return true;
        }

        @Override
        public Optional<TenantId> tenant() {
            return Optional.empty();
        }

        @Override
        public String toString() {
            return "organisation";
        }
    }
}
