package dev.mfagate.core.store;

import dev.mfagate.core.tenant.TenantId;
import java.util.Objects;

/**
 * The outcome of {@link TenantKeys#set} and {@link TenantKeys#rotate}.
 *
 * @param tenant the tenant
 * @param fromReference where its KEK lived before: {@code installation} (the installation's KEK),
 *     {@code keyset}, a provider reference, or {@code revoked}
 * @param toReference where it lives now
 * @param previousKekId the KEK its data keys were wrapped under before (empty after a revocation)
 * @param newKekId the KEK they are wrapped under now
 * @param rewrappedDataKeys how many data keys were re-wrapped and verified
 */
public record TenantKeyChange(TenantId tenant, String fromReference, String toReference, String previousKekId,
                              String newKekId, int rewrappedDataKeys) {

    /** Validates presence. */
    public TenantKeyChange {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(fromReference, "fromReference");
        Objects.requireNonNull(toReference, "toReference");
        Objects.requireNonNull(previousKekId, "previousKekId");
        Objects.requireNonNull(newKekId, "newKekId");
    }
}
