package dev.mfagate.core.crypto;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Whose keyset a provider call is about: the installation's, or one tenant's
 * ({@code tenant:<id>}, a tenant with its own KEK, so that one client's key can be revoked without
 * touching another's). The scope is bound to every wrap as associated data (the AWS KMS encryption
 * context, Transit's {@code associated_data}, the GCM additional data inside a PKCS#11 token), so a
 * keyset wrapped for one scope does not open as another's.
 *
 * @param kind {@code installation} or {@code tenant}
 * @param id empty for the installation, the tenant id for a tenant
 */
public record KeyScope(String kind, String id) {

    /** The whole installation. */
    public static final KeyScope INSTALLATION = new KeyScope("installation", "");

    /** The keyset of tenant {@code tenantId} (a label's client part). */
    public static KeyScope tenant(String tenantId) {
        return new KeyScope("tenant", tenantId);
    }

    /** Validates the parts: lower-case letters, digits, dots, dashes and underscores only. */
    public KeyScope {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(id, "id");
        if (!kind.matches("[a-z]{1,32}") || !id.matches("[a-z0-9._-]{0,64}")) {
            throw new IllegalArgumentException("Invalid key scope; kind must be 1-32 lower-case letters,"
                    + " id at most 64 of [a-z0-9._-]");
        }
    }

    /** {@code installation}, or {@code kind:id}. */
    public String value() {
        return id.isEmpty() ? kind : kind + ":" + id;
    }

    /** The associated data of a wrap in this scope: {@code mfagate/keyset/v1|<scope>}. */
    public byte[] associatedData() {
        return ("mfagate/keyset/v1|" + value()).getBytes(StandardCharsets.UTF_8);
    }

    /** The same binding as a map, for services that take one (the AWS KMS encryption context). */
    public Map<String, String> encryptionContext() {
        Map<String, String> context = new TreeMap<>();
        context.put("mfagate:purpose", "keyset/v1");
        context.put("mfagate:scope", value());
        return Map.copyOf(context);
    }

    @Override
    public String toString() {
        return value();
    }
}
