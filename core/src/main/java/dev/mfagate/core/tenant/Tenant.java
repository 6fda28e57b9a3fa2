package dev.mfagate.core.tenant;

import java.time.Instant;
import java.util.Objects;

/**
 * A tenant as stored.
 *
 * @param id the tenant (its labels' client part)
 * @param createdAt when it was added, or, for tenants a store upgrade created, when the earliest
 *     seed, token or rule that named it was
 */
public record Tenant(TenantId id, Instant createdAt) {
    /** Validates. */
    public Tenant {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(createdAt, "createdAt");
    }
}
