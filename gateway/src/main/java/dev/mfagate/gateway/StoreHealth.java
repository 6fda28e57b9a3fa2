package dev.mfagate.gateway;

import dev.mfagate.core.audit.AuditLogListener;
import dev.mfagate.core.audit.AuditUnavailableException;
import dev.mfagate.core.store.Database;
import dev.mfagate.core.store.DiskFullException;
import dev.mfagate.core.store.StoreFailures;
import java.time.Duration;
import java.util.Objects;

/**
 * The {@code store} and {@code audit} checks behind {@code /readyz}, so that an instance reports
 * unready while its database is away and ready again as soon as it answers, without an operator.
 *
 * <p>{@link #checkStore()} runs {@code SELECT 1} through the pool, so it answers within the pool's
 * connection timeout (2 s on PostgreSQL) when the database is down. {@link #checkAudit()} reports
 * the last audit batch: a batch that failed because the database was unreachable, or was refused
 * because the disk was nearly full, stops counting once the store check passes again (the next
 * batch starts afresh from the stored chain head; without this an unready instance would get no
 * traffic, write no batch and stay unready for ever), while a batch refused for any other reason
 * (a chain head that fails its check) keeps the instance unready until a batch commits. The audit
 * check is told whether its own write probe reached the store, else reads the store check's last result.
 *
 * <p>Thread-safe. As an {@link AuditLogListener} it is called on the audit writer's thread.
 */
public final class StoreHealth implements AuditLogListener {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StoreHealth.class);

    private final java.util.function.BooleanSupplier ping;
    private volatile String lastStoreResult = "not checked yet";
    private volatile String auditFailure;
    private volatile boolean auditFailureFromOutage;

    /** Checks for the store on {@code database}. */
    public StoreHealth(Database database) {
        this(Objects.requireNonNull(database, "database")::ping);
    }

    /** Checks with {@code ping} for the database's {@code SELECT 1} (tests). */
    StoreHealth(java.util.function.BooleanSupplier ping) {
        this.ping = Objects.requireNonNull(ping, "ping");
    }

    /** {@code ok}, or why the database does not answer. */
    public String checkStore() {
        String result;
        try {
            result = ping.getAsBoolean() ? "ok" : "unexpected answer";
        } catch (RuntimeException e) {
            result = "unreachable: " + StoreFailures.describe(e);
        }
        String before = lastStoreResult;
        lastStoreResult = result;
        // One line each way, so that an operator reading the log sees when an outage began and ended.
        if (result.equals("ok") && before.startsWith("unreachable")) {
            LOG.info("The store answers again; readiness no longer fails on it");
        } else if (!result.equals("ok") && !result.equals(before)) {
            LOG.warn("The store does not answer ({}); requests are refused with 503 until it does", result);
        }
        return result;
    }

    /** {@code ok}, or why the last audit batch failed while that still matters. */
    public String checkAudit() {
        return checkAudit(false);
    }

    /**
     * As {@link #checkAudit()}, told whether the store answered a write just now (the audit probe's
     * rolled-back insert): the readiness checks run at once, so the store check of the same report
     * may not have run yet, and an outage is over as soon as either says so.
     */
    public String checkAudit(boolean storeWritableNow) {
        String failure = auditFailure;
        if (failure == null || (auditFailureFromOutage && (storeWritableNow || lastStoreResult.equals("ok")))) {
            return "ok";
        }
        return failure;
    }

    @Override
    public void batchCommitted(int entries, Duration commitLatency) {
        auditFailure = null;
    }

    @Override
    public void batchFailed(int entries, Exception cause) {
        // A full disk is an outage too: readiness reports the free space itself while it lasts.
        auditFailureFromOutage = StoreFailures.isStoreFailure(cause) || cause instanceof DiskFullException;
        auditFailure = cause instanceof AuditUnavailableException u && u.chainTampered()
                ? "audit chain rolled back: appends refused; run audit verify"
                : cause instanceof AuditUnavailableException u && u.aboutChain()
                ? u.getMessage() // the chain's own sentence (head missing, failing its check, disagreeing): no data in it
                : "last batch failed: " + cause.getClass().getSimpleName();
    }
}
