package dev.mfagate.core.store;

import dev.mfagate.core.tenant.TenantId;

/**
 * A batch would leave a tenant with more than {@link SeedRepository#MAX_SEEDS_PER_TENANT} seeds.
 * Nothing was stored. The message names the tenant, the limit and what it holds; never a seed.
 */
public final class TenantSeedLimitException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int limit;

    TenantSeedLimitException(TenantId tenant, int limit, int held, int adding) {
        super("Tenant " + tenant + " may hold at most " + limit + " seeds; it holds " + held + " and " + adding
                + " more would exceed that");
        this.limit = limit;
    }

    /** The most seeds a tenant may hold. */
    public int limit() {
        return limit;
    }
}
