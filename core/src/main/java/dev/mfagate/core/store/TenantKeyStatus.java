package dev.mfagate.core.store;

import dev.mfagate.core.tenant.TenantId;
import java.util.Objects;

/**
 * One tenant's own key as {@code keys tenant list} and {@code /readyz} show it; no key material.
 *
 * @param tenant the tenant
 * @param reference {@code keyset} or the provider reference
 * @param revoked whether the key was revoked (its wrapped keyset erased)
 * @param primaryKekId the KEK every data key of the tenant is wrapped under
 * @param health {@code ok}, {@code revoked}, {@code not loaded} (this process has not needed it yet),
 *     or {@code unavailable: } and what failed
 */
public record TenantKeyStatus(TenantId tenant, String reference, boolean revoked, String primaryKekId, String health) {

    /** Validates presence. */
    public TenantKeyStatus {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(primaryKekId, "primaryKekId");
        Objects.requireNonNull(health, "health");
    }
}
