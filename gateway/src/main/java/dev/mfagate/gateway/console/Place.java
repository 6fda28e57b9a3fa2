package dev.mfagate.gateway.console;

/**
 * A place a person may administer: a tenant, or the organisation.
 *
 * @param value its form value (the tenant id, or {@code _org})
 * @param text it in words ("tenant acme", "the organisation")
 */
public record Place(String value, String text) {
}
