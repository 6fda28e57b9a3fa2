package dev.mfagate.core.console;

import dev.mfagate.core.Label;
import dev.mfagate.core.store.Database;
import dev.mfagate.core.tenant.Holder;
import dev.mfagate.core.tenant.PersonId;
import dev.mfagate.core.tenant.Role;
import dev.mfagate.core.tenant.RoleBinding;
import dev.mfagate.core.tenant.Scope;
import dev.mfagate.core.tenant.TenantRepository;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The console's passkeys (WebAuthn credentials) in the store, with what their ceremonies need: the
 * single-use challenges, the one-time codes that enrol the break-glass operator's passkey, and the
 * labels marked sensitive (whose codes the console reveals only after a passkey step-up).
 *
 * <p>Nothing stored here is secret: a passkey's private key never leaves its authenticator; the
 * store keeps the attested credential data (credential id and public key) and the last signature
 * counter, which {@link #recordUse} only ever moves forward. Challenges and enrolment codes are
 * deleted by the call that takes them, so each is used once. Enrolment codes are kept as SHA-256.
 *
 * <p>Thread-safe; holds no resources. Out of scope: verifying ceremonies (the gateway does it with
 * webauthn4j), sessions ({@link ConsoleSessions}) and auditing.
 */
public final class Passkeys {

    /** The local break-glass operator: signs in with a passkey alone, holds the organisation operator role. */
    public static final PersonId BREAK_GLASS = new PersonId("break-glass");
    /** A passkey's name is 1 to this many characters. */
    public static final int MAX_NAME_LENGTH = 64;

    private final Database db;

    /** Passkeys on {@code db}. */
    public Passkeys(Database db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    /**
     * A registered passkey as the Passkeys page lists it.
     *
     * @param credentialId the credential id, base64url without padding
     * @param person whose it is
     * @param name the name its owner gave it
     * @param createdAt when it was registered
     * @param lastUsed when it last signed a challenge, if ever
     */
    public record Passkey(String credentialId, PersonId person, String name, Instant createdAt, Optional<Instant> lastUsed) {
        /** Validates presence. */
        public Passkey {
            Objects.requireNonNull(credentialId, "credentialId");
            Objects.requireNonNull(person, "person");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(createdAt, "createdAt");
            Objects.requireNonNull(lastUsed, "lastUsed");
        }
    }

    /**
     * What verifying an assertion needs of a stored passkey.
     *
     * @param passkey the passkey
     * @param attestedData the attested credential data as the authenticator sent it (public key inside)
     * @param signCount the signature counter last seen
     */
    public record Stored(Passkey passkey, byte[] attestedData, long signCount) {
        /** Validates presence; keeps its own copy of the data. */
        public Stored {
            Objects.requireNonNull(passkey, "passkey");
            attestedData = Objects.requireNonNull(attestedData, "attestedData").clone();
        }

        /** A copy of the attested credential data. */
        @Override
        public byte[] attestedData() {
            return attestedData.clone();
        }
    }

    /**
     * Checks a passkey's name: 1 to {@link #MAX_NAME_LENGTH} characters, none a control or formatting
     * character (a right-to-left override would show another name in the audit trail), and not the
     * shape of a secret (a seed pasted there would be stored and audited in the clear).
     */
    public static String requireName(String name) {
        if (name == null || name.isBlank() || name.strip().length() > MAX_NAME_LENGTH
                || name.codePoints().anyMatch(c -> Character.isISOControl(c) || Character.getType(c) == Character.FORMAT)) {
            throw new IllegalArgumentException("A passkey's name must be 1 to " + MAX_NAME_LENGTH
                    + " characters without control or formatting characters (such as right-to-left marks)");
        }
        if (dev.mfagate.api.LabelGrammar.mayBeSecret(name.strip())) {
            throw new IllegalArgumentException("A passkey's name must not look like a secret (16 or more letters and digits"
                    + " alone); name the device, such as Ann's laptop");
        }
        return name.strip();
    }

    /**
     * Stores a newly registered passkey.
     *
     * @return false when a passkey with that credential id is stored already (nothing changed)
     */
    public boolean add(PersonId person, String credentialId, String name, byte[] attestedData, long signCount, Instant now) {
        Objects.requireNonNull(person, "person");
        Objects.requireNonNull(credentialId, "credentialId");
        String n = requireName(name);
        return db.jdbi().inTransaction(h -> {
            boolean taken = h.createQuery("SELECT 1 FROM passkey WHERE credential_id = :id").bind("id", credentialId)
                    .mapTo(Integer.class).findOne().isPresent();
            if (taken) {
                return false;
            }
            h.createUpdate("INSERT INTO passkey (credential_id, person_id, name, attested_data, sign_count, created_at_ms)"
                            + " VALUES (:id, :person, :name, :data, :count, :at)")
                    .bind("id", credentialId).bind("person", person.value()).bind("name", n).bind("data", attestedData)
                    .bind("count", signCount).bind("at", now.toEpochMilli()).execute();
            return true;
        });
    }

    /** {@code person}'s passkeys, oldest first. */
    public List<Passkey> list(PersonId person) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT credential_id, person_id, name, created_at_ms, last_used_ms"
                        + " FROM passkey WHERE person_id = :person ORDER BY created_at_ms, credential_id")
                .bind("person", person.value())
                .map((rs, ctx) -> {
                    long used = rs.getLong(5);
                    Optional<Instant> lastUsed = rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(used));
                    return new Passkey(rs.getString(1), new PersonId(rs.getString(2)), rs.getString(3),
                            Instant.ofEpochMilli(rs.getLong(4)), lastUsed);
                })
                .list());
    }

    /** The stored passkey with {@code credentialId}, if any. */
    public Optional<Stored> find(String credentialId) {
        if (credentialId == null || credentialId.isEmpty() || credentialId.length() > 1400) {
            return Optional.empty();
        }
        return db.jdbi().withHandle(h -> h.createQuery("SELECT credential_id, person_id, name, created_at_ms, last_used_ms,"
                        + " attested_data, sign_count FROM passkey WHERE credential_id = :id")
                .bind("id", credentialId)
                .map((rs, ctx) -> {
                    long used = rs.getLong(5);
                    Optional<Instant> lastUsed = rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(used));
                    Passkey p = new Passkey(rs.getString(1), new PersonId(rs.getString(2)), rs.getString(3),
                            Instant.ofEpochMilli(rs.getLong(4)), lastUsed);
                    return new Stored(p, rs.getBytes(6), rs.getLong(7));
                })
                .findOne());
    }

    /**
     * Records a verified use: the new signature counter and the time. The counter only moves forward
     * (or stays 0 for an authenticator that keeps none), so of two uses racing with the same counter
     * one loses.
     *
     * @return false when the stored counter was not {@code previousCount} any more (a replayed or cloned authenticator)
     */
    public boolean recordUse(String credentialId, long previousCount, long newCount, Instant now) {
        return db.jdbi().inTransaction(h -> h.createUpdate("UPDATE passkey SET sign_count = :new, last_used_ms = :now"
                        + " WHERE credential_id = :id AND sign_count = :old AND (:new > :old OR (:new = 0 AND :old = 0))")
                .bind("new", newCount).bind("now", now.toEpochMilli()).bind("id", credentialId).bind("old", previousCount)
                .execute()) == 1;
    }

    /**
     * Removes {@code person}'s passkey {@code credentialId}.
     *
     * @return false when {@code person} has no such passkey
     */
    public boolean remove(PersonId person, String credentialId) {
        return db.jdbi().inTransaction(h -> h.createUpdate("DELETE FROM passkey WHERE credential_id = :id AND person_id = :person")
                .bind("id", credentialId).bind("person", person.value()).execute()) == 1;
    }

    /** Hands out a new challenge (256 random bits, base64url) for {@code purpose}, bound to {@code boundTo}. */
    public String issueChallenge(String purpose, String boundTo, Instant now) {
        String challenge = ConsoleSessions.randomValue();
        db.jdbi().useTransaction(h -> {
            // Challenges never answered go here, whoever asks for a new one.
            h.createUpdate("DELETE FROM webauthn_challenge WHERE created_at_ms < :old")
                    .bind("old", now.minus(Duration.ofHours(1)).toEpochMilli()).execute();
            h.createUpdate("INSERT INTO webauthn_challenge (challenge, purpose, bound_to, created_at_ms)"
                            + " VALUES (:c, :purpose, :bound, :at)")
                    .bind("c", challenge).bind("purpose", purpose).bind("bound", boundTo).bind("at", now.toEpochMilli()).execute();
        });
        return challenge;
    }

    /**
     * Takes (deletes) {@code challenge} if it was issued for {@code purpose} and {@code boundTo} at most
     * {@code maxAge} before {@code now}. A challenge is deleted once presented, whether it then matched or not.
     *
     * @return whether it was such a challenge
     */
    public boolean takeChallenge(String challenge, String purpose, String boundTo, Instant now, Duration maxAge) {
        if (challenge == null || challenge.isEmpty() || challenge.length() > 128) {
            return false;
        }
        return db.jdbi().inTransaction(h -> {
            Optional<Boolean> ok = h.createQuery("SELECT purpose, bound_to, created_at_ms FROM webauthn_challenge"
                            + " WHERE challenge = :c")
                    .bind("c", challenge)
                    .map((rs, ctx) -> purpose.equals(rs.getString(1)) && boundTo.equals(rs.getString(2))
                            && !Instant.ofEpochMilli(rs.getLong(3)).plus(maxAge).isBefore(now))
                    .findOne();
            int deleted = h.createUpdate("DELETE FROM webauthn_challenge WHERE challenge = :c").bind("c", challenge).execute();
            return deleted == 1 && ok.orElse(false);
        });
    }

    /**
     * Makes sure the break-glass operator exists (person {@link #BREAK_GLASS} holding the organisation
     * operator role) and returns a new one-time code, valid for {@code validity}, that enrols a passkey for it.
     */
    public String newBreakGlassCode(TenantRepository tenants, Instant now, Duration validity, String createdBy) {
        if (tenants.person(BREAK_GLASS).isEmpty()) {
            tenants.addPerson(BREAK_GLASS, "Break-glass operator", now);
        }
        tenants.bind(new RoleBinding(new Holder.PersonHolder(BREAK_GLASS), Role.OPERATOR, Scope.ORGANISATION, createdBy, now));
        String code = ConsoleSessions.randomValue();
        db.jdbi().useTransaction(h -> {
            h.createUpdate("DELETE FROM break_glass_enrolment WHERE expires_at_ms < :now").bind("now", now.toEpochMilli()).execute();
            h.createUpdate("INSERT INTO break_glass_enrolment (code_hash, expires_at_ms) VALUES (:hash, :exp)")
                    .bind("hash", ConsoleSessions.hash(code)).bind("exp", now.plus(validity).toEpochMilli()).execute();
        });
        return code;
    }

    /** Whether {@code code} is a break-glass enrolment code that has neither been used nor run out. */
    public boolean breakGlassCodeValid(String code, Instant now) {
        if (code == null || code.isEmpty() || code.length() > 128) {
            return false;
        }
        return db.jdbi().withHandle(h -> h.createQuery("SELECT 1 FROM break_glass_enrolment WHERE code_hash = :hash"
                        + " AND expires_at_ms > :now")
                .bind("hash", ConsoleSessions.hash(code)).bind("now", now.toEpochMilli()).mapTo(Integer.class).findOne()
                .isPresent());
    }

    /** Takes (deletes) {@code code}: whether it was valid. */
    public boolean takeBreakGlassCode(String code, Instant now) {
        if (code == null || code.isEmpty() || code.length() > 128) {
            return false;
        }
        String hash = ConsoleSessions.hash(code);
        return db.jdbi().inTransaction(h -> {
            boolean valid = h.createQuery("SELECT 1 FROM break_glass_enrolment WHERE code_hash = :hash AND expires_at_ms > :now")
                    .bind("hash", hash).bind("now", now.toEpochMilli()).mapTo(Integer.class).findOne().isPresent();
            int deleted = h.createUpdate("DELETE FROM break_glass_enrolment WHERE code_hash = :hash").bind("hash", hash).execute();
            return valid && deleted == 1;
        });
    }

    /**
     * Marks {@code label} sensitive (its codes need a step-up in the console) or not.
     *
     * @return whether that changed anything
     */
    public boolean markSensitive(Label label, boolean sensitive, Instant now) {
        return db.jdbi().inTransaction(h -> {
            boolean is = h.createQuery("SELECT 1 FROM sensitive_label WHERE label = :l").bind("l", label.value())
                    .mapTo(Integer.class).findOne().isPresent();
            if (is == sensitive) {
                return false;
            }
            if (sensitive) {
                h.createUpdate("INSERT INTO sensitive_label (label, marked_at_ms) VALUES (:l, :at)")
                        .bind("l", label.value()).bind("at", now.toEpochMilli()).execute();
            } else {
                h.createUpdate("DELETE FROM sensitive_label WHERE label = :l").bind("l", label.value()).execute();
            }
            return true;
        });
    }

    /** Whether {@code label} is marked sensitive. */
    public boolean isSensitive(Label label) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT 1 FROM sensitive_label WHERE label = :l").bind("l", label.value())
                .mapTo(Integer.class).findOne().isPresent());
    }
}
