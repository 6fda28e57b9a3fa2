package dev.mfagate.core.store;

import dev.mfagate.core.tenant.TenantId;
import java.util.Objects;

/**
 * The seeds of a tenant with its own KEK cannot be opened now: its key was revoked (its wrapped
 * keyset erased), or its provider refused or could not be reached when this process last tried.
 * Other tenants are not affected. The message names the tenant, the provider and what failed, never
 * a secret. An {@link IllegalStateException}, so that a command that meets it (adding a seed for
 * such a tenant) prints its message.
 */
public final class TenantKeyUnavailableException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final transient TenantId tenant;
    private final boolean revoked;

    TenantKeyUnavailableException(TenantId tenant, boolean revoked, String message) {
        super(message);
        this.tenant = Objects.requireNonNull(tenant, "tenant");
        this.revoked = revoked;
    }

    /** The tenant whose key is unavailable. */
    public TenantId tenant() {
        return tenant;
    }

    /** Whether the key was revoked (for good), rather than unreachable (a retry may succeed). */
    public boolean revoked() {
        return revoked;
    }
}
