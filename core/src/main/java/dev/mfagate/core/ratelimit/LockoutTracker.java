package dev.mfagate.core.ratelimit;

import dev.mfagate.core.store.Database;
import java.time.Instant;
import java.util.Objects;

/**
 * Locks a principal out after repeated denials, with its state in the database (table
 * {@code lockout_state}) so that all instances sharing it agree.
 *
 * <p>The gateway calls {@link #check} before anything else; on a policy denial (or a failed
 * authentication attributed to a principal) {@link #recordDenial}, which returns
 * {@link LockoutStatus.Locked} with {@code startedNow} when that denial triggered a lockout (audit
 * it); on success {@link #recordSuccess}, which clears the count. Denials count in a fixed window
 * that starts at the first denial and lasts {@link LockoutPolicy#window()}; while locked out,
 * further denials neither count nor extend the lockout. Each method is one atomic statement
 * ({@code INSERT ... ON CONFLICT DO UPDATE ... RETURNING} on both dialects), so concurrent
 * denials on several instances are all counted.
 *
 * <p>Principal keys are opaque strings, normally {@code Subject.principalKey()}. Times are
 * stored in milliseconds. Thread-safe; stateless apart from the database.
 */
public final class LockoutTracker {

    private final Database db;
    private final LockoutPolicy policy;

    /** A tracker on {@code db} with {@code policy}. */
    public LockoutTracker(Database db, LockoutPolicy policy) {
        this.db = Objects.requireNonNull(db, "db");
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /** The policy in force. */
    public LockoutPolicy policy() {
        return policy;
    }

    /** Whether {@code principalKey} is locked out at {@code now}. */
    public LockoutStatus check(String principalKey, Instant now) {
        Objects.requireNonNull(principalKey, "principalKey");
        long nowMs = now.toEpochMilli();
        return db.jdbi().withHandle(h -> h.createQuery("""
                        SELECT window_start_ms, denials, locked_until_ms FROM lockout_state WHERE principal_key = :k""")
                .bind("k", principalKey)
                .map((rs, ctx) -> {
                    long until = rs.getLong("locked_until_ms");
                    boolean hasUntil = !rs.wasNull();
                    if (hasUntil && until > nowMs) {
                        return (LockoutStatus) new LockoutStatus.Locked(Instant.ofEpochMilli(until), false);
                    }
                    boolean windowOver = hasUntil || rs.getLong("window_start_ms") <= nowMs - policy.window().toMillis();
                    return new LockoutStatus.Open(windowOver ? 0 : rs.getInt("denials"));
                })
                .findOne()
                .orElse(new LockoutStatus.Open(0)));
    }

    /** Counts one denial for {@code principalKey} at {@code now}; returns the status after it. */
    public LockoutStatus recordDenial(String principalKey, Instant now) {
        Objects.requireNonNull(principalKey, "principalKey");
        long nowMs = now.toEpochMilli();
        long lockUntil = nowMs + policy.lockoutDuration().toMillis();
        // "locked": a lockout is running -> keep everything. "fresh": the window is over or a past
        // lockout ended -> start a new window with this denial. Otherwise count one more.
        String locked = "(lockout_state.locked_until_ms IS NOT NULL AND lockout_state.locked_until_ms > :now)";
        String fresh = "(lockout_state.locked_until_ms IS NOT NULL OR lockout_state.window_start_ms <= :windowStart)";
        String newDenials = "CASE WHEN " + fresh + " THEN 1 ELSE lockout_state.denials + 1 END";
        return db.jdbi().withHandle(h -> h.createQuery(
                        "INSERT INTO lockout_state (principal_key, window_start_ms, denials, locked_until_ms) "
                                + "VALUES (:k, :now, 1, CASE WHEN 1 >= :max THEN :lockUntil ELSE NULL END) "
                                + "ON CONFLICT (principal_key) DO UPDATE SET "
                                + "window_start_ms = CASE WHEN " + locked + " THEN lockout_state.window_start_ms "
                                + "  WHEN " + fresh + " THEN :now ELSE lockout_state.window_start_ms END, "
                                + "denials = CASE WHEN " + locked + " THEN lockout_state.denials ELSE " + newDenials + " END, "
                                + "locked_until_ms = CASE WHEN " + locked + " THEN lockout_state.locked_until_ms "
                                + "  WHEN " + newDenials + " >= :max THEN :lockUntil ELSE NULL END "
                                + "RETURNING denials, locked_until_ms")
                .bind("k", principalKey)
                .bind("now", nowMs)
                .bind("windowStart", nowMs - policy.window().toMillis())
                .bind("max", policy.maxDenials())
                .bind("lockUntil", lockUntil)
                .map((rs, ctx) -> {
                    int denials = rs.getInt("denials");
                    long until = rs.getLong("locked_until_ms");
                    if (rs.wasNull() || until <= nowMs) {
                        return (LockoutStatus) new LockoutStatus.Open(denials);
                    }
                    return new LockoutStatus.Locked(Instant.ofEpochMilli(until), until == lockUntil);
                })
                .one());
    }

    /**
     * Clears the denial count of {@code principalKey} after a successful request. A running
     * lockout is left alone (the gateway refuses locked-out principals before they can succeed).
     */
    public void recordSuccess(String principalKey, Instant now) {
        Objects.requireNonNull(principalKey, "principalKey");
        db.jdbi().useHandle(h -> h.createUpdate("""
                        DELETE FROM lockout_state
                        WHERE principal_key = :k AND (locked_until_ms IS NULL OR locked_until_ms <= :now)""")
                .bind("k", principalKey)
                .bind("now", now.toEpochMilli())
                .execute());
    }
}
