package dev.mfagate.core.policy;

import dev.mfagate.core.Label;
import dev.mfagate.core.LabelPattern;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * One grant: {@code principal} may get codes for labels matching {@code pattern}.
 *
 * <p>A rule with {@code expiresAt} is a time-boxed grant: it matches strictly before that
 * instant and never after. A rule with {@code dailyCap} allows at most that many codes per
 * principal and label per UTC day, counted in the database by {@link Authorizer} (so the cap holds
 * across gateway instances). Rules only ever allow; there are no deny rules, and anything no rule
 * allows is denied. Whatever a rule says, a request never gets past its token's own scope (see
 * {@link Policy}).
 *
 * <p>Immutable and thread-safe. Times are truncated to milliseconds, the precision stored.
 *
 * @param id stable identifier, {@code [a-z0-9][a-z0-9_.-]*}, at most 64 characters; policy
 *     files and diffs match rules by id
 * @param principal who is granted
 * @param pattern which labels
 * @param expiresAt when the grant ends, if it does
 * @param dailyCap the most codes per principal, label and UTC day, if capped; at least 1
 * @param createdBy who made the grant (operator name or {@code policy-file}); never a secret
 * @param createdAt when the grant was made
 */
public record Rule(
        String id,
        Principal principal,
        LabelPattern pattern,
        Optional<Instant> expiresAt,
        OptionalInt dailyCap,
        String createdBy,
        Instant createdAt) {

    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");
    private static final Pattern CREATED_BY = Pattern.compile("[\\x20-\\x7e]{1,128}");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

    /** Validates every part; the message names the part and the rule. */
    public Rule {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(dailyCap, "dailyCap");
        Objects.requireNonNull(createdBy, "createdBy");
        Objects.requireNonNull(createdAt, "createdAt");
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("Invalid rule id " + Texts.describe(id)
                    + ": must match [a-z0-9][a-z0-9_.-]* and be at most 64 characters");
        }
        if (dailyCap.isPresent() && dailyCap.getAsInt() < 1) {
            throw new IllegalArgumentException("Invalid daily cap " + dailyCap.getAsInt() + " for rule " + id
                    + ": must be at least 1 (revoke the rule to allow nothing)");
        }
        if (!CREATED_BY.matcher(createdBy).matches()) {
            throw new IllegalArgumentException("Invalid createdBy for rule " + id
                    + ": must be 1 to 128 printable ASCII characters");
        }
        expiresAt = expiresAt.map(t -> t.truncatedTo(ChronoUnit.MILLIS));
        createdAt = createdAt.truncatedTo(ChronoUnit.MILLIS);
    }

    /** A rule without expiry or cap. */
    public static Rule of(String id, Principal principal, LabelPattern pattern, String createdBy, Instant createdAt) {
        return new Rule(id, principal, pattern, Optional.empty(), OptionalInt.empty(), createdBy, createdAt);
    }

    /** A fresh random id such as {@code r-k3q9x2m7a4bd}, for grants made without a chosen id. */
    public static String newId() {
        char[] out = new char[12];
        for (int i = 0; i < out.length; i++) {
            out[i] = ID_ALPHABET[RANDOM.nextInt(ID_ALPHABET.length)];
        }
        return "r-" + new String(out);
    }

    /** Whether the grant is in force at {@code now}: not expired. */
    public boolean isActiveAt(Instant now) {
        return expiresAt.isEmpty() || now.isBefore(expiresAt.get());
    }

    /** Whether the pattern matches {@code label} (regardless of expiry). */
    public boolean covers(Label label) {
        return pattern.matches(label);
    }

    /**
     * Whether both rules grant the same thing: same id, principal, pattern, expiry and cap.
     * Who made the rule and when do not count; a policy diff ignores them.
     */
    public boolean sameGrantAs(Rule other) {
        return id.equals(other.id) && principal.equals(other.principal) && pattern.equals(other.pattern)
                && expiresAt.equals(other.expiresAt) && dailyCap.equals(other.dailyCap);
    }

    /** One line for diffs and listings, for example {@code acme-team: channel:acme -> acme-* (expires ..., cap 10/day)}. */
    public String describe() {
        StringBuilder sb = new StringBuilder(id).append(": ").append(principal.text()).append(" -> ").append(pattern.value());
        if (expiresAt.isPresent() || dailyCap.isPresent()) {
            sb.append(" (");
            expiresAt.ifPresent(t -> sb.append("expires ").append(t));
            if (expiresAt.isPresent() && dailyCap.isPresent()) {
                sb.append(", ");
            }
            dailyCap.ifPresent(c -> sb.append("cap ").append(c).append("/day"));
            sb.append(')');
        }
        return sb.toString();
    }
}
