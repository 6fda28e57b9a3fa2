package dev.mfagate.core.issue;

import dev.mfagate.core.audit.AuditEvent;
import dev.mfagate.core.audit.AuditLog;

/**
 * Where the issuer's audit entries go: {@link AuditLog} in a gateway ({@link #of}); benchmarks
 * that measure what the audit trail costs drop them. Thread-safe.
 */
public interface AuditSink {

    /**
     * Appends {@code event} and returns once it is committed.
     *
     * @throws dev.mfagate.core.audit.AuditUnavailableException when it was not: no code may leave
     */
    void commit(AuditEvent event);

    /**
     * Appends every one of {@code events}, in order, and returns once all are committed.
     *
     * @throws dev.mfagate.core.audit.AuditUnavailableException when one was not
     */
    default void commitAll(java.util.List<AuditEvent> events) {
        events.forEach(this::commit);
    }

    /** Queues {@code event} without waiting (no code is at stake); never throws. */
    void offer(AuditEvent event);

    /** The group-committing audit log. */
    static AuditSink of(AuditLog log) {
        return new AuditSink() {
            @Override
            public void commit(AuditEvent event) {
                log.appendDurably(event);
            }

            @Override
            public void commitAll(java.util.List<AuditEvent> events) {
                // Queued together, they are written in one batch or a few rather than one commit each.
                java.util.List<java.util.concurrent.CompletableFuture<Long>> queued = events.stream().map(log::append).toList();
                for (java.util.concurrent.CompletableFuture<Long> f : queued) {
                    AuditLog.await(f);
                }
            }

            @Override
            public void offer(AuditEvent event) {
                try {
                    log.append(event);
                } catch (RuntimeException e) {
                    // Nothing to fail closed on; the audit writer logs its own failures.
                }
            }
        };
    }
}
