package dev.mfagate.core.console;

import dev.mfagate.core.store.Database;
import dev.mfagate.core.tenant.AdminActor;
import dev.mfagate.core.tenant.Holder;
import dev.mfagate.core.tenant.PersonId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Console sign-ins and sessions in the store (SQLite or PostgreSQL), so that any instance on the
 * same store recognises a session another one started, and sign-out on one ends it everywhere.
 *
 * <p>Cookie values are 256 random bits, base64url; the store keeps only their SHA-256 (hex), so
 * someone who reads the database cannot present a session. A sign-in under way ({@link
 * PendingLogin}) is used once: {@link #takeLogin} deletes it. A session is created only after the
 * identity provider answered, with a fresh value, so a value planted in a browser before sign-in
 * never becomes a session (no fixation). A session is dead once ended, past its absolute lifetime,
 * or idle longer than the idle timeout; {@link #touch} never revives it. A session keeps the SSO
 * group claims its ID token carried ({@link Session#ssoGroups}), so that its {@link Session#actor()
 * actor} holds the roles bound to {@code sso-group:<claim>} as well as the person's.
 *
 * <p>Thread-safe; holds no resources. Out of scope: cookies, OIDC, CSRF checks and auditing (the
 * gateway's console does those).
 */
public final class ConsoleSessions {

    private static final SecureRandom RANDOM = new SecureRandom();
    /** Only refresh last-seen when it moved this much, so a busy page does not write on every request. */
    private static final Duration TOUCH_GRANULARITY = Duration.ofSeconds(5);

    private final Database db;

    /** Sessions on {@code db}. */
    public ConsoleSessions(Database db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    /**
     * A sign-in under way: what the callback must find again.
     *
     * @param state the OAuth 2.0 state sent to the provider
     * @param nonce the nonce the ID token must carry
     * @param codeVerifier the PKCE code verifier
     * @param createdAt when the browser was sent to the provider
     */
    public record PendingLogin(String state, String nonce, String codeVerifier, Instant createdAt) {
        /** Validates presence. */
        public PendingLogin {
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(nonce, "nonce");
            Objects.requireNonNull(codeVerifier, "codeVerifier");
            Objects.requireNonNull(createdAt, "createdAt");
        }

        @Override
        public String toString() {
            return "PendingLogin[createdAt=" + createdAt + "]";
        }
    }

    /**
     * A live session.
     *
     * @param ref a short, non-secret reference for logs and audit entries (a prefix of the stored hash)
     * @param person who signed in
     * @param identity the {@code oidc:<issuer>#<subject>} identity they signed in with
     * @param csrfToken the token every changing form must echo
     * @param createdAt sign-in time
     * @param lastSeen the last request
     * @param expiresAt the end of the absolute lifetime
     * @param ssoGroups the well-formed SSO group claims of the ID token it signed in with, sorted
     */
    public record Session(String ref, PersonId person, String identity, String csrfToken, Instant createdAt,
                          Instant lastSeen, Instant expiresAt, SortedSet<String> ssoGroups) {
        /** Validates presence; copies the groups. */
        public Session {
            Objects.requireNonNull(ref, "ref");
            Objects.requireNonNull(person, "person");
            Objects.requireNonNull(identity, "identity");
            Objects.requireNonNull(csrfToken, "csrfToken");
            ssoGroups = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(ssoGroups));
        }

        /**
         * Who this session is to the {@link dev.mfagate.core.tenant.AdminAuthorizer}: the person and
         * each SSO group claim. No Zulip groups: a console session cannot know them (the gateway does
         * not ask Zulip, and the ID token does not carry them).
         */
        public AdminActor actor() {
            return new AdminActor(Optional.of(person), Set.of(), ssoGroups);
        }

        @Override
        public String toString() {
            return "Session[ref=" + ref + ", person=" + person + "]";
        }
    }

    /** The most SSO group claims a session keeps; an ID token with more is cut to these (see {@link #create}). */
    public static final int MAX_SSO_GROUPS = 256;

    /**
     * The claims among {@code values} that can name a role holder ({@code sso-group:<claim>}'s
     * rule), deduplicated and sorted; the others are dropped, as a claim that is not one cannot hold
     * a role.
     */
    public static SortedSet<String> wellFormedGroups(Collection<String> values) {
        SortedSet<String> out = new TreeSet<>();
        for (String v : values) {
            try {
                out.add(new Holder.SsoGroup(v).claim());
            } catch (IllegalArgumentException | NullPointerException e) {
                // not a claim any binding can name
            }
        }
        return out;
    }

    /**
     * A session just created, with the cookie value to send (only here; the store has its hash).
     *
     * @param cookieValue the value for the session cookie
     * @param session the session
     */
    public record Started(String cookieValue, Session session) {
        @Override
        public String toString() {
            return "Started[" + session + "]";
        }
    }

    /** A fresh random value: 256 bits, base64url without padding. */
    public static String randomValue() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** Stores {@code login} and returns the value of the cookie that finds it again. */
    public String beginLogin(PendingLogin login) {
        String value = randomValue();
        db.jdbi().useTransaction(h -> h.createUpdate("INSERT INTO console_login (id_hash, state, nonce, code_verifier,"
                        + " created_at_ms) VALUES (:id, :state, :nonce, :verifier, :at)")
                .bind("id", hash(value)).bind("state", login.state()).bind("nonce", login.nonce())
                .bind("verifier", login.codeVerifier()).bind("at", login.createdAt().toEpochMilli()).execute());
        return value;
    }

    /**
     * Takes (and deletes) the sign-in that {@code cookieValue} names, if it began at most
     * {@code maxAge} before {@code now}.
     */
    public Optional<PendingLogin> takeLogin(String cookieValue, Instant now, Duration maxAge) {
        if (cookieValue == null || cookieValue.isEmpty() || cookieValue.length() > 128) {
            return Optional.empty();
        }
        String id = hash(cookieValue);
        return db.jdbi().inTransaction(h -> {
            Optional<PendingLogin> found = h.createQuery("SELECT state, nonce, code_verifier, created_at_ms FROM console_login"
                            + " WHERE id_hash = :id")
                    .bind("id", id)
                    .map((rs, ctx) -> new PendingLogin(rs.getString(1), rs.getString(2), rs.getString(3),
                            Instant.ofEpochMilli(rs.getLong(4))))
                    .findOne();
            // Deleted whether it is fresh or not: a sign-in is attempted once.
            int deleted = h.createUpdate("DELETE FROM console_login WHERE id_hash = :id").bind("id", id).execute();
            if (deleted == 0) {
                return Optional.<PendingLogin>empty();
            }
            return found.filter(p -> !p.createdAt().plus(maxAge).isBefore(now));
        });
    }

    /** Creates a session for {@code person} without SSO group claims. */
    public Started create(PersonId person, String identity, Instant now, Duration absoluteLifetime) {
        return create(person, identity, Set.of(), now, absoluteLifetime);
    }

    /**
     * Creates a session for {@code person} holding {@code ssoGroups} (their {@link #wellFormedGroups
     * well-formed} values, the first {@link #MAX_SSO_GROUPS} in order), ending at
     * {@code now + absoluteLifetime} at the latest.
     */
    public Started create(PersonId person, String identity, Collection<String> ssoGroups, Instant now,
                          Duration absoluteLifetime) {
        SortedSet<String> groups = new TreeSet<>(wellFormedGroups(ssoGroups).stream().limit(MAX_SSO_GROUPS).toList());
        String value = randomValue();
        String csrf = randomValue();
        String id = hash(value);
        Instant expires = now.plus(absoluteLifetime);
        db.jdbi().useTransaction(h -> h.createUpdate("INSERT INTO console_session (id_hash, person_id, identity, csrf_token,"
                        + " created_at_ms, last_seen_ms, expires_at_ms, sso_groups)"
                        + " VALUES (:id, :person, :identity, :csrf, :at, :at, :exp, :groups)")
                .bind("id", id).bind("person", person.value()).bind("identity", identity).bind("csrf", csrf)
                .bind("at", now.toEpochMilli()).bind("exp", expires.toEpochMilli())
                .bind("groups", String.join(" ", groups)).execute());
        Instant at = Instant.ofEpochMilli(now.toEpochMilli());
        return new Started(value, new Session(ref(id), person, identity, csrf, at, at, Instant.ofEpochMilli(expires.toEpochMilli()),
                groups));
    }

    /**
     * The live session {@code cookieValue} names, its last-seen time moved to {@code now}; empty when
     * there is none, or it was ended, is past its absolute lifetime or was idle longer than {@code idle}.
     */
    public Optional<Session> touch(String cookieValue, Instant now, Duration idle) {
        if (cookieValue == null || cookieValue.isEmpty() || cookieValue.length() > 128) {
            return Optional.empty();
        }
        String id = hash(cookieValue);
        return db.jdbi().inTransaction(h -> {
            Optional<Session> found = h.createQuery("SELECT person_id, identity, csrf_token, created_at_ms, last_seen_ms,"
                            + " expires_at_ms, sso_groups FROM console_session WHERE id_hash = :id AND ended_at_ms IS NULL")
                    .bind("id", id)
                    .map((rs, ctx) -> new Session(ref(id), new PersonId(rs.getString(1)), rs.getString(2), rs.getString(3),
                            Instant.ofEpochMilli(rs.getLong(4)), Instant.ofEpochMilli(rs.getLong(5)),
                            Instant.ofEpochMilli(rs.getLong(6)), wellFormedGroups(Arrays.asList(rs.getString(7).split(" ")))))
                    .findOne();
            if (found.isEmpty()) {
                return Optional.<Session>empty();
            }
            Session s = found.get();
            if (!now.isBefore(s.expiresAt()) || s.lastSeen().plus(idle).isBefore(now)) {
                return Optional.<Session>empty();
            }
            if (Duration.between(s.lastSeen(), now).compareTo(TOUCH_GRANULARITY) >= 0) {
                h.createUpdate("UPDATE console_session SET last_seen_ms = :now WHERE id_hash = :id AND last_seen_ms < :now")
                        .bind("now", now.toEpochMilli()).bind("id", id).execute();
            }
            return Optional.of(s);
        });
    }

    /**
     * Ends the session {@code cookieValue} names.
     *
     * @return the session that was live, if any
     */
    public Optional<Session> end(String cookieValue, Instant now, Duration idle) {
        Optional<Session> live = touch(cookieValue, now, idle);
        if (live.isPresent()) {
            db.jdbi().useTransaction(h -> h.createUpdate("UPDATE console_session SET ended_at_ms = :now"
                            + " WHERE id_hash = :id AND ended_at_ms IS NULL")
                    .bind("now", now.toEpochMilli()).bind("id", hash(cookieValue)).execute());
        }
        return live;
    }

    /**
     * Marks the session {@code cookieValue} names as having passed a passkey step-up until {@code until};
     * only that session, never another of the same person.
     *
     * @return whether a session was marked
     */
    public boolean stepUp(String cookieValue, Instant until) {
        if (cookieValue == null || cookieValue.isEmpty() || cookieValue.length() > 128) {
            return false;
        }
        return db.jdbi().inTransaction(h -> h.createUpdate("UPDATE console_session SET step_up_until_ms = :until"
                        + " WHERE id_hash = :id AND ended_at_ms IS NULL")
                .bind("until", until.toEpochMilli()).bind("id", hash(cookieValue)).execute()) == 1;
    }

    /** Whether the session {@code cookieValue} names holds a step-up that has not run out at {@code now}. */
    public boolean steppedUp(String cookieValue, Instant now) {
        if (cookieValue == null || cookieValue.isEmpty() || cookieValue.length() > 128) {
            return false;
        }
        return db.jdbi().withHandle(h -> h.createQuery("SELECT step_up_until_ms FROM console_session"
                        + " WHERE id_hash = :id AND ended_at_ms IS NULL AND step_up_until_ms > :now")
                .bind("id", hash(cookieValue)).bind("now", now.toEpochMilli()).mapTo(Long.class).findOne().isPresent());
    }

    /** The id hash the store keeps for {@code cookieValue}: what binds a challenge to one session. */
    public static String sessionKey(String cookieValue) {
        return hash(cookieValue);
    }

    /**
     * Deletes sessions dead for a day and sign-ins older than {@code loginMaxAge}.
     *
     * @return how many rows went
     */
    public int sweep(Instant now, Duration idle, Duration loginMaxAge) {
        long dayAgo = now.minus(Duration.ofDays(1)).toEpochMilli();
        return db.jdbi().inTransaction(h -> h.createUpdate("DELETE FROM console_session WHERE expires_at_ms < :day"
                                + " OR last_seen_ms < :idle OR ended_at_ms < :day")
                        .bind("day", dayAgo).bind("idle", now.minus(idle).toEpochMilli() - Duration.ofDays(1).toMillis())
                        .execute()
                + h.createUpdate("DELETE FROM console_login WHERE created_at_ms < :old")
                        .bind("old", now.minus(loginMaxAge).toEpochMilli()).execute());
    }

    private static String ref(String idHash) {
        return idHash.substring(0, 12);
    }

    static String hash(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("SHA-256 is required of every Java platform", e);
        }
    }
}
