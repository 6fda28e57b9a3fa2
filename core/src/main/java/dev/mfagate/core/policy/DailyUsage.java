package dev.mfagate.core.policy;

import dev.mfagate.core.Label;
import dev.mfagate.core.store.Database;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * Counts uses of capped rules per rule, principal, label and UTC day, in the database, so a
 * {@link Rule#dailyCap()} holds across gateway instances sharing it.
 *
 * <p>{@link #tryConsume} is one atomic statement on both dialects
 * ({@code INSERT ... ON CONFLICT DO UPDATE ... WHERE uses < cap RETURNING uses}): concurrent
 * requests on any number of instances never exceed the cap, and a refused request uses nothing.
 * Days are UTC calendar days. Thread-safe; stateless apart from the database.
 */
public final class DailyUsage {

    private final Database db;

    /** Usage counters in {@code db}. */
    public DailyUsage(Database db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    /**
     * Uses one of today's allowance of {@code rule} for {@code principalKey} and {@code label}.
     *
     * @return true if a use was left (and is now taken), false if the cap is reached
     * @throws IllegalArgumentException when the rule has no cap
     */
    public boolean tryConsume(Rule rule, String principalKey, Label label, Instant now) {
        Objects.requireNonNull(principalKey, "principalKey");
        int cap = rule.dailyCap().orElseThrow(() -> new IllegalArgumentException("Rule " + rule.id() + " has no daily cap"));
        return db.jdbi().withHandle(h -> h.createQuery("""
                        INSERT INTO policy_daily_usage (rule_id, principal_key, label, day, uses)
                        VALUES (?, ?, ?, ?, 1)
                        ON CONFLICT (rule_id, principal_key, label, day)
                        DO UPDATE SET uses = policy_daily_usage.uses + 1 WHERE policy_daily_usage.uses < ?
                        RETURNING uses""")
                .bind(0, rule.id())
                .bind(1, principalKey)
                .bind(2, label.value())
                .bind(3, day(now))
                .bind(4, cap)
                .mapTo(Integer.class)
                .findOne()
                .isPresent());
    }

    /** How many uses {@code principalKey} has made of {@code rule} for {@code label} on {@code now}'s UTC day. */
    public int usesOn(Rule rule, String principalKey, Label label, Instant now) {
        return db.jdbi().withHandle(h -> h.createQuery("""
                        SELECT uses FROM policy_daily_usage
                        WHERE rule_id = ? AND principal_key = ? AND label = ? AND day = ?""")
                .bind(0, rule.id())
                .bind(1, principalKey)
                .bind(2, label.value())
                .bind(3, day(now))
                .mapTo(Integer.class)
                .findOne()
                .orElse(0));
    }

    /** Deletes counters of days before {@code day} (housekeeping); returns how many rows went. */
    public int purgeBefore(LocalDate day) {
        return db.jdbi().withHandle(h -> h.createUpdate("DELETE FROM policy_daily_usage WHERE day < ?")
                .bind(0, day.toString()).execute());
    }

    private static String day(Instant now) {
        return LocalDate.ofInstant(now, ZoneOffset.UTC).toString();
    }
}
