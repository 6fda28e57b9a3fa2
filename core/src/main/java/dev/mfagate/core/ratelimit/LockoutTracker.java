package dev.mfagate.core.ratelimit;

import dev.mfagate.core.store.Database;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;

/**
 * Locks a principal out after repeated denials, with its state in the database (table
 * {@code lockout_state}) so that all instances sharing it agree.
 *
 * <p>The gateway calls {@link #check} before anything else, and on a policy denial (or a failed
 * authentication attributed to a principal) {@link #recordDenial}, which returns
 * {@link LockoutStatus.Locked} with {@code startedNow} when that denial triggered a lockout (audit
 * it). Denials count in a <b>sliding window</b>: {@link LockoutPolicy#maxDenials()} denials within any
 * {@link LockoutPolicy#window()} lock the principal out; a denial stops counting once it is older
 * than the window. Allowed requests change nothing, so interleaving successes with denials
 * ("four wrong, one right, again") does not keep a prober below the limit. While locked out,
 * further denials neither count nor extend the lockout; when a lockout starts, the denials that
 * caused it are spent, so the count starts afresh after it.
 *
 * <p>Each row keeps the times of the denials still in the window ({@code recent_denials_ms}, at
 * most {@code maxDenials - 1} of them). {@link #recordDenial} is one short transaction that first
 * upserts the principal's row, which takes its row lock (PostgreSQL) or the write lock (SQLite):
 * concurrent denials on several instances are serialised and all counted, and exactly one of them
 * starts a lockout. {@link #check} is one read.
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

    private record State(Long lockedUntilMs, List<Long> denialsMs) {
    }

    /** Whether {@code principalKey} is locked out at {@code now}, and how many denials are in the window. */
    public LockoutStatus check(String principalKey, Instant now) {
        Objects.requireNonNull(principalKey, "principalKey");
        long nowMs = now.toEpochMilli();
        Optional<State> state = db.jdbi().withHandle(h -> read(h, principalKey));
        if (state.isEmpty()) {
            return new LockoutStatus.Open(0);
        }
        Long until = state.get().lockedUntilMs();
        if (until != null && until > nowMs) {
            return new LockoutStatus.Locked(Instant.ofEpochMilli(until), false);
        }
        return new LockoutStatus.Open(inWindow(state.get().denialsMs(), nowMs).size());
    }

    /** Counts one denial for {@code principalKey} at {@code now}; returns the status after it. */
    public LockoutStatus recordDenial(String principalKey, Instant now) {
        Objects.requireNonNull(principalKey, "principalKey");
        long nowMs = now.toEpochMilli();
        return db.jdbi().inTransaction(h -> {
            // Upsert first: it takes the row lock (PostgreSQL) or the write lock (SQLite) before the read.
            h.createUpdate("INSERT INTO lockout_state (principal_key, window_start_ms, denials, locked_until_ms, recent_denials_ms) "
                            + "VALUES (?, ?, 0, NULL, NULL) "
                            + "ON CONFLICT (principal_key) DO UPDATE SET denials = lockout_state.denials")
                    .bind(0, principalKey).bind(1, nowMs).execute();
            State state = read(h, principalKey).orElseThrow();
            Long until = state.lockedUntilMs();
            if (until != null && until > nowMs) {
                return (LockoutStatus) new LockoutStatus.Locked(Instant.ofEpochMilli(until), false);
            }
            List<Long> denials = new ArrayList<>(inWindow(state.denialsMs(), nowMs));
            denials.add(nowMs);
            denials.sort(null);
            if (denials.size() >= policy.maxDenials()) {
                long lockUntil = nowMs + policy.lockoutDuration().toMillis();
                write(h, principalKey, denials.getFirst(), denials.size(), lockUntil, List.of());
                return new LockoutStatus.Locked(Instant.ofEpochMilli(lockUntil), true);
            }
            write(h, principalKey, denials.getFirst(), denials.size(), null, denials);
            return new LockoutStatus.Open(denials.size());
        });
    }

    /** The denials younger than the window at {@code nowMs}, oldest first. */
    private List<Long> inWindow(List<Long> denialsMs, long nowMs) {
        long windowStart = nowMs - policy.window().toMillis();
        return denialsMs.stream().filter(t -> t > windowStart).sorted().toList();
    }

    private static Optional<State> read(Handle h, String principalKey) {
        return h.createQuery("SELECT locked_until_ms, recent_denials_ms FROM lockout_state WHERE principal_key = ?")
                .bind(0, principalKey)
                .map((rs, ctx) -> {
                    long until = rs.getLong("locked_until_ms");
                    Long lockedUntil = rs.wasNull() ? null : until;
                    return new State(lockedUntil, parse(rs.getString("recent_denials_ms")));
                })
                .findOne();
    }

    private static void write(Handle h, String principalKey, long windowStartMs, int denials, Long lockedUntilMs, List<Long> recent) {
        h.createUpdate("UPDATE lockout_state SET window_start_ms = ?, denials = ?, locked_until_ms = ?, "
                        + "recent_denials_ms = ? WHERE principal_key = ?")
                .bind(0, windowStartMs)
                .bind(1, denials)
                .bind(2, lockedUntilMs)
                .bind(3, recent.isEmpty() ? null : recent.stream().map(String::valueOf).collect(Collectors.joining(",")))
                .bind(4, principalKey)
                .execute();
    }

    /** Reads the stored list; anything unreadable counts as no denial (it can only loosen, never lock). */
    private static List<Long> parse(String text) {
        if (text == null || text.isEmpty()) {
            return List.of();
        }
        List<Long> out = new ArrayList<>();
        for (String part : text.split(",")) {
            if (part.matches("[0-9]{1,19}")) {
                out.add(Long.parseLong(part));
            }
        }
        return out;
    }
}
