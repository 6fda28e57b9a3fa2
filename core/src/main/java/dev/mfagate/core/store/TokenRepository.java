package dev.mfagate.core.store;

import dev.mfagate.core.Expiry;
import dev.mfagate.core.LabelPattern;
import dev.mfagate.core.tenant.Role;
import dev.mfagate.core.tenant.Scope;
import dev.mfagate.core.tenant.TenantRepository;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * API tokens: create, authenticate, list, revoke. Obtained from {@link Store#tokens()}.
 *
 * <p>A token is {@code mfg_<id>_<secret>}: {@code id} is 16 characters of lower-case base32 (80
 * random bits, public, the row's key) and {@code secret} 43 characters of base64url (32 random
 * bytes). Only SHA-256 of the whole token is stored. A slow password hash (bcrypt, Argon2) exists
 * to make guessing low-entropy passwords expensive; a 256-bit random secret cannot be guessed
 * however fast the hash is, so a plain SHA-256 is as safe here and keeps {@link #authenticate} cheap.
 *
 * <p>{@link #authenticate} is on the hot path: one primary-key query, one SHA-256 and a
 * constant-time comparison. Rows are cached in memory for at most {@link #CACHE_TTL} (measured with
 * the {@code now} callers pass), so a token revoked by another process (the CLI, another gateway)
 * stops working within that bound; a revocation through this repository takes effect at once.
 * Unknown ids are never cached.
 *
 * <p>Thread-safe; lives as long as its {@link Store}. Out of scope: what a token may do beyond its
 * label pattern (policy).
 */
public final class TokenRepository {

    /** How long a token row may be served from memory: the bound on how late a revocation elsewhere takes effect. */
    public static final Duration CACHE_TTL = Duration.ofSeconds(2);

    /** The fixed start of every token. */
    public static final String PREFIX = "mfg_";

    private static final int ID_LENGTH = 16;
    private static final int ID_RANDOM_BYTES = 10;
    private static final int SECRET_LENGTH = 43;
    private static final int SECRET_RANDOM_BYTES = 32;
    private static final int TOKEN_LENGTH = PREFIX.length() + ID_LENGTH + 1 + SECRET_LENGTH;
    private static final int CACHE_MAX_ENTRIES = 10_000;
    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Database database;
    private final Duration cacheTtl;
    private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();

    TokenRepository(Database database, Duration cacheTtl) {
        this.database = database;
        if (cacheTtl.isNegative() || cacheTtl.compareTo(CACHE_TTL) > 0) {
            throw new IllegalArgumentException("Invalid token cache TTL " + cacheTtl + "; must be from 0 to " + CACHE_TTL);
        }
        this.cacheTtl = cacheTtl;
    }

    /**
     * Creates a token and returns it in plaintext, the only time it is available.
     *
     * @param name a unique name, see {@link TokenInfo}
     * @param labelPattern the labels it may ask codes for, see {@link LabelPattern}
     * @param onBehalfOf whether it may act for named end users
     * @param expiresAt when it stops working; must be after {@code now} and at most {@link Expiry#LATEST}
     * @throws DuplicateTokenNameException if the name is taken
     * @throws IllegalArgumentException if a value breaks its rule (the message says which)
     */
    public CreatedToken create(String name, String labelPattern, boolean onBehalfOf, Optional<Instant> expiresAt,
            Instant now) {
        return create(name, labelPattern, onBehalfOf, expiresAt, now, Scope.of(LabelPattern.parse(labelPattern)));
    }

    /**
     * As {@link #create(String, String, boolean, Optional, Instant)}, for {@code owner}: a tenant
     * (created if new) whose labels alone the pattern may name, or the organisation.
     *
     * @throws IllegalArgumentException also when a tenant's token's pattern leaves the tenant
     */
    public CreatedToken create(String name, String labelPattern, boolean onBehalfOf, Optional<Instant> expiresAt,
            Instant now, Scope owner) {
        return create(name, labelPattern, onBehalfOf, expiresAt, now, owner, Optional.empty());
    }

    /**
     * As {@link #create(String, String, boolean, Optional, Instant, Scope)}, holding {@code role} in
     * {@code owner} (an admin token), or no role (a code token).
     *
     * @throws IllegalArgumentException also when the role does not fit the owner, or is a role in a
     *     tenant that does not exist
     */
    public CreatedToken create(String name, String labelPattern, boolean onBehalfOf, Optional<Instant> expiresAt,
            Instant now, Scope owner, Optional<Role> role) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(labelPattern, "labelPattern");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(now, "now");
        LabelPattern.parse(labelPattern).requireCanMatch();
        Instant createdAt = Instant.ofEpochMilli(now.toEpochMilli());
        Optional<Instant> expires = expiresAt.map(e -> Expiry.requireRepresentable(e, "expiresAt"))
                .map(e -> Instant.ofEpochMilli(e.toEpochMilli()));
        if (expires.isPresent() && !expires.get().isAfter(createdAt)) {
            throw new IllegalArgumentException("Invalid expiresAt " + expiresAt.get() + "; must be after now (" + now + ")");
        }
        TokenInfo info = new TokenInfo(randomId(), name, labelPattern, onBehalfOf, createdAt, expires, Optional.empty(), owner, role);
        String token = PREFIX + info.id() + "_" + randomSecret();
        byte[] hash = sha256(token);
        Dialect dialect = database.dialect();
        database.jdbi().useTransaction(h -> {
            if (h.createQuery("SELECT 1 FROM api_tokens WHERE name = ?").bind(0, info.name())
                    .mapTo(Integer.class).findOne().isPresent()) {
                throw new DuplicateTokenNameException(info.name());
            }
            if (h.createQuery("SELECT 1 FROM api_tokens WHERE id = ?").bind(0, info.name())
                    .mapTo(Integer.class).findOne().isPresent()) {
                throw new IllegalArgumentException("Invalid token name '" + info.name()
                        + "': it is another token's id, so revoking by it would be ambiguous");
            }
            if (role.isPresent()) {
                owner.tenant().ifPresent(t -> TenantRepository.requireTenant(h, t));
            }
            TenantRepository.ensure(h, owner, createdAt);
            try {
                h.createUpdate("INSERT INTO api_tokens (id, name, token_sha256, label_pattern, on_behalf_of,"
                                + " created_at_ms, expires_at_ms, revoked_at_ms, tenant_id, role)"
                                + " VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)")
                        .bind(0, info.id())
                        .bind(1, info.name())
                        .bind(2, hash)
                        .bind(3, info.labelPattern())
                        .bind(4, info.onBehalfOf())
                        .bind(5, createdAt.toEpochMilli())
                        .bind(6, expires.map(Instant::toEpochMilli).orElse(null))
                        .bind(7, owner.toColumn())
                        .bind(8, role.map(Role::text).orElse(null))
                        .execute();
            } catch (RuntimeException e) {
                if (dialect.isUniqueViolation(e)) {
                    throw new DuplicateTokenNameException(info.name());
                }
                throw e;
            }
        });
        return new CreatedToken(info, token);
    }

    /**
     * Checks a presented token.
     *
     * @param presented what the caller sent (may be anything, including null)
     * @param now the time of the request
     * @return the token's info if the token is known, its secret matches, and it is neither revoked
     *     nor expired at {@code now}; empty otherwise, including for malformed input (never throws
     *     for bad input)
     */
    public Optional<TokenInfo> authenticate(String presented, Instant now) {
        Objects.requireNonNull(now, "now");
        String id = idOf(presented);
        if (id == null) {
            return Optional.empty();
        }
        Optional<TokenRow> row = row(id, now);
        if (row.isEmpty()) {
            return Optional.empty();
        }
        if (!MessageDigest.isEqual(row.get().hash(), sha256(presented))) {
            return Optional.empty();
        }
        TokenInfo info = row.get().info();
        return info.isActiveAt(now) ? Optional.of(info) : Optional.empty();
    }

    /** The token with this public id, without its secret, if there is one. */
    public Optional<TokenInfo> find(String id) {
        Objects.requireNonNull(id, "id");
        return database.jdbi().withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM api_tokens WHERE id = ?")
                .bind(0, id).map((rs, ctx) -> read(rs).info()).findOne());
    }

    /** Every token, without secrets, oldest first. */
    public List<TokenInfo> list() {
        return database.jdbi().withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM api_tokens ORDER BY created_at_ms, name")
                .map((rs, ctx) -> read(rs).info())
                .list());
    }

    /**
     * Revokes the token with this id or name, effective at once in this process and within
     * {@link #CACHE_TTL} in others.
     *
     * @return whether a token was revoked now (false if none matches or it was already revoked)
     */
    public boolean revoke(String idOrName, Instant now) {
        Objects.requireNonNull(idOrName, "idOrName");
        Objects.requireNonNull(now, "now");
        String key = dev.mfagate.api.LabelGrammar.asciiLowerCase(idOrName);
        Optional<String> revokedId = database.jdbi().inTransaction(h -> {
            List<String> ids = h.createQuery("SELECT id FROM api_tokens WHERE id = ? OR name = ?")
                    .bind(0, key).bind(1, key).mapTo(String.class).list();
            if (ids.isEmpty()) {
                return Optional.<String>empty();
            }
            if (ids.size() > 1) {
                throw new IllegalArgumentException("'" + key + "' is both a token id and another token's name;"
                        + " revoke by the id");
            }
            int updated = h.createUpdate("UPDATE api_tokens SET revoked_at_ms = ? WHERE id = ? AND revoked_at_ms IS NULL")
                    .bind(0, now.toEpochMilli()).bind(1, ids.get(0)).execute();
            return updated > 0 ? Optional.of(ids.get(0)) : Optional.<String>empty();
        });
        revokedId.ifPresent(cache::remove);
        return revokedId.isPresent();
    }

    /** The token row for {@code id}, from the cache if it was loaded less than the TTL before {@code now}. */
    private Optional<TokenRow> row(String id, Instant now) {
        Cached cached = cache.get(id);
        if (cached != null && !now.isBefore(cached.loadedAt()) && now.isBefore(cached.loadedAt().plus(cacheTtl))) {
            return Optional.of(cached.row());
        }
        Optional<TokenRow> row = database.jdbi().withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM api_tokens WHERE id = ?")
                .bind(0, id)
                .map((rs, ctx) -> read(rs))
                .findOne());
        if (row.isPresent() && !cacheTtl.isZero()) {
            if (cache.size() >= CACHE_MAX_ENTRIES) {
                cache.clear();
            }
            cache.put(id, new Cached(row.get(), now));
        } else {
            cache.remove(id);
        }
        return row;
    }

    private static final String COLUMNS =
            "id, name, label_pattern, on_behalf_of, created_at_ms, expires_at_ms, revoked_at_ms, token_sha256, tenant_id, role";

    private static TokenRow read(ResultSet rs) throws SQLException {
        long expires = rs.getLong(6);
        Optional<Instant> expiresAt = rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(expires));
        long revoked = rs.getLong(7);
        Optional<Instant> revokedAt = rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(revoked));
        TokenInfo info = new TokenInfo(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4),
                Instant.ofEpochMilli(rs.getLong(5)), expiresAt, revokedAt, Scope.fromColumn(rs.getString(9)),
                Optional.ofNullable(rs.getString(10)).map(Role::parse));
        return new TokenRow(info, rs.getBytes(8));
    }

    /**
     * The id of a well-formed token, or null: exactly {@code mfg_}, 16 of {@code [a-z2-7]}, {@code _},
     * 43 of {@code [A-Za-z0-9_-]}. Checked character by character so no input can make it throw or
     * run long.
     */
    static String idOf(String presented) {
        if (presented == null || presented.length() != TOKEN_LENGTH || !presented.startsWith(PREFIX)) {
            return null;
        }
        int idEnd = PREFIX.length() + ID_LENGTH;
        for (int i = PREFIX.length(); i < idEnd; i++) {
            char c = presented.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7'))) {
                return null;
            }
        }
        if (presented.charAt(idEnd) != '_') {
            return null;
        }
        for (int i = idEnd + 1; i < TOKEN_LENGTH; i++) {
            char c = presented.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
                return null;
            }
        }
        return presented.substring(PREFIX.length(), idEnd);
    }

    private static String randomId() {
        byte[] bytes = new byte[ID_RANDOM_BYTES];
        RANDOM.nextBytes(bytes);
        // 80 bits, 5 bits per character: exactly 16 characters, no padding.
        StringBuilder id = new StringBuilder(ID_LENGTH);
        long buffer = 0;
        int bits = 0;
        for (byte b : bytes) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                id.append(BASE32[(int) (buffer >>> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        return id.toString();
    }

    private static String randomSecret() {
        byte[] bytes = new byte[SECRET_RANDOM_BYTES];
        RANDOM.nextBytes(bytes);
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        } finally {
            java.util.Arrays.fill(bytes, (byte) 0);
        }
    }

    /** Never used itself: each hash starts from a copy, cheaper than a provider look-up on every request. */
    private static final MessageDigest SHA_256 = newSha256();

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("Every Java platform has SHA-256", e);
        }
    }

    private static byte[] sha256(String token) {
        MessageDigest digest;
        try {
            digest = (MessageDigest) SHA_256.clone();
        } catch (CloneNotSupportedException e) {
            digest = newSha256();
        }
        return digest.digest(token.getBytes(StandardCharsets.US_ASCII));
    }

    /** A stored row: the info and the token's hash (not secret, but no reason to expose it). */
    private record TokenRow(TokenInfo info, byte[] hash) {}

    private record Cached(TokenRow row, Instant loadedAt) {}
}
