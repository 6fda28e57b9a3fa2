package dev.mfagate.core.tenant;

import java.util.Locale;

/**
 * What a holder may do. Organisation roles ({@link #OPERATOR}, {@link #AUDITOR}) are bound to the
 * {@link Scope#ORGANISATION}; tenant roles ({@link #ADMIN}, {@link #APPROVER}, {@link #MEMBER}) to
 * one tenant. What each allows is {@link AdminAuthorizer}'s table; no role by itself yields a code
 * (codes take a policy rule, whoever asks).
 */
public enum Role {
    /** Runs the installation: creates tenants, names their first admins, keys and health. */
    OPERATOR(true),
    /** Reads every tenant's audit, nothing else. */
    AUDITOR(true),
    /** Runs one tenant: seeds, rules and grants, tokens, members, and reads its audit. */
    ADMIN(false),
    /** Reserved for approving access requests; reads the tenant's audit. */
    APPROVER(false),
    /** May be granted codes of the tenant; sees the tenant, nothing of its administration. */
    MEMBER(false);

    private final boolean organisational;

    Role(boolean organisational) {
        this.organisational = organisational;
    }

    /** Whether the role is bound to the organisation (else to one tenant). */
    public boolean isOrganisational() {
        return organisational;
    }

    /** The lower-case name used in the CLI and the database. */
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a role name, case-insensitively.
     *
     * @throws IllegalArgumentException listing the roles
     */
    public static Role parse(String text) {
        for (Role r : values()) {
            if (r.text().equalsIgnoreCase(text)) {
                return r;
            }
        }
        throw new IllegalArgumentException("Invalid role" + (text != null && text.matches("[A-Za-z_-]{1,16}") ? " '" + text + "'" : "")
                + ": must be operator, auditor (organisation), admin, approver or member (tenant)");
    }
}
