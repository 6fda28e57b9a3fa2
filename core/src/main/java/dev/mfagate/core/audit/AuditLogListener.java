package dev.mfagate.core.audit;

import java.time.Duration;

/**
 * Observes the audit writer, for metrics (the gateway adapts it to Micrometer). Called on the
 * writer thread: implementations must be quick, thread-safe and must not throw.
 */
public interface AuditLogListener {

    /** Does nothing. */
    AuditLogListener NONE = new AuditLogListener() {
    };

    /**
     * A batch was committed.
     *
     * @param entries how many entries the batch held
     * @param commitLatency from the start of the transaction to the end of the commit
     */
    default void batchCommitted(int entries, Duration commitLatency) {
    }

    /**
     * A batch failed and all its entries were refused.
     *
     * @param entries how many entries the batch held
     * @param cause why
     */
    default void batchFailed(int entries, Exception cause) {
    }
}
