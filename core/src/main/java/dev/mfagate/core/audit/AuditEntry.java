package dev.mfagate.core.audit;

import java.util.Objects;

/**
 * A committed audit entry: an {@link AuditEvent} and its place in the chain.
 *
 * @param seq the sequence number, contiguous from 1 across all instances
 * @param event what it records
 */
public record AuditEntry(long seq, AuditEvent event) {
    /** Validates. */
    public AuditEntry {
        Objects.requireNonNull(event, "event");
        if (seq < 1) {
            throw new IllegalArgumentException("Audit seq " + seq + " must be at least 1");
        }
    }
}
