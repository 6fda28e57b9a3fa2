package dev.mfagate.core.store;

import dev.mfagate.core.Label;
import dev.mfagate.core.LabelPattern;
import dev.mfagate.core.tenant.Role;
import dev.mfagate.core.tenant.Scope;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What is known about an API token, without its secret.
 *
 * @param id the public id, 16 characters of lower-case base32 ({@code [a-z2-7]}); part of the token
 * @param name a unique name chosen by the operator: {@code [a-z0-9][a-z0-9_.-]*}, at most
 *     {@value #MAX_NAME_LENGTH} characters, kept lower-case
 * @param labelPattern the labels this token may ask codes for, a {@link LabelPattern} such as {@code acme-*}
 * @param onBehalfOf whether the token may act for a named end user (the bot's token); such callers
 *     are then judged by policy as that user
 * @param createdAt when the token was created, to the millisecond
 * @param expiresAt when it stops working, if ever
 * @param revokedAt when it was revoked, if it was
 * @param owner the tenant the token belongs to, or the organisation; a tenant's token's pattern
 *     stays inside the tenant ({@link Scope#requireCovers})
 * @param role the administrative role the token holds in {@code owner}, or empty for a code token
 *     (no administrative route); an organisation role for an organisation token, a tenant role for
 *     a tenant's token
 */
public record TokenInfo(String id, String name, String labelPattern, boolean onBehalfOf, Instant createdAt,
        Optional<Instant> expiresAt, Optional<Instant> revokedAt, Scope owner, Optional<Role> role) {

    /** The longest token name, in characters. */
    public static final int MAX_NAME_LENGTH = 64;

    private static final Pattern ID = Pattern.compile("[a-z2-7]{16}");
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]*");

    /** Validates every field; the name is lower-cased, the pattern normalised. */
    public TokenInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(labelPattern, "labelPattern");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(revokedAt, "revokedAt");
        Objects.requireNonNull(owner, "owner");
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("Invalid token id: must be 16 characters of [a-z2-7]");
        }
        name = normaliseName(name);
        LabelPattern pattern = LabelPattern.parse(labelPattern);
        labelPattern = pattern.value();
        owner.requireCovers(pattern);
        Objects.requireNonNull(role, "role");
        if (role.isPresent() && role.get().isOrganisational() != owner.isOrganisation()) {
            throw new IllegalArgumentException("Role " + role.get().text() + (role.get().isOrganisational()
                    ? " is an organisation role; a tenant's token cannot hold it"
                    : " is a tenant role; an organisation token cannot hold it (give --tenant)"));
        }
    }

    /** A code token (no role) owned by {@code owner}. */
    public TokenInfo(String id, String name, String labelPattern, boolean onBehalfOf, Instant createdAt,
            Optional<Instant> expiresAt, Optional<Instant> revokedAt, Scope owner) {
        this(id, name, labelPattern, onBehalfOf, createdAt, expiresAt, revokedAt, owner, Optional.empty());
    }

    /** A token owned by the tenant its pattern stays inside, else by the organisation ({@link Scope#of}). */
    public TokenInfo(String id, String name, String labelPattern, boolean onBehalfOf, Instant createdAt,
            Optional<Instant> expiresAt, Optional<Instant> revokedAt) {
        this(id, name, labelPattern, onBehalfOf, createdAt, expiresAt, revokedAt, Scope.of(LabelPattern.parse(labelPattern)));
    }

    /**
     * Validates and lower-cases a token name. Names are case-insensitive: {@code Deploy} and
     * {@code deploy} are one name, kept as {@code deploy}.
     *
     * @throws IllegalArgumentException naming the rule broken
     */
    public static String normaliseName(String name) {
        String lower = dev.mfagate.api.LabelGrammar.asciiLowerCase(name);
        if (lower.isEmpty() || lower.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("Invalid token name: " + lower.length()
                    + " characters; must be from 1 to " + MAX_NAME_LENGTH);
        }
        if (!NAME.matcher(lower).matches()) {
            throw new IllegalArgumentException("Invalid token name " + dev.mfagate.api.LabelGrammar.describe(name)
                    + ": " + NAME_RULE);
        }
        return lower;
    }

    /** What a token name may be, as the CLI, the admin API and the console say it. */
    public static final String NAME_RULE = "must be letters (kept in lower case), digits, '_', '.' or '-', starting with a"
            + " letter or digit";

    /**
     * The name for a new token: {@link #normaliseName}, not the shape of a secret, and not starting
     * with the tokens' own prefix, {@link TokenRepository#PREFIX}, which would make a name look like a
     * token.
     *
     * @throws IllegalArgumentException naming the rule broken
     */
    public static String newName(String name) {
        String checked = normaliseName(name);
        if (dev.mfagate.api.LabelGrammar.mayBeSecret(checked)) {
            // A seed or a token pasted into the name would be listed and audited in the clear.
            throw new IllegalArgumentException("Invalid token name: it looks like a secret (16 or more letters and digits"
                    + " alone); name what uses the token, such as ci-deploy");
        }
        if (checked.startsWith(TokenRepository.PREFIX)) {
            throw new IllegalArgumentException("Invalid token name; must not start with " + TokenRepository.PREFIX
                    + ", the prefix of tokens themselves");
        }
        return checked;
    }

    /** The label pattern, parsed. */
    public LabelPattern pattern() {
        return LabelPattern.parse(labelPattern);
    }

    /** Whether this token's scope covers {@code label}. */
    public boolean covers(Label label) {
        return pattern().matches(label);
    }

    /** Whether the token works at {@code now}: not revoked and not expired. */
    public boolean isActiveAt(Instant now) {
        return revokedAt.isEmpty() && expiresAt.map(now::isBefore).orElse(true);
    }
}
