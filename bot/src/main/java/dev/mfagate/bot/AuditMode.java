package dev.mfagate.bot;

/**
 * Where the optional audit notice ("X asked for a code for acme-aws", never the code) goes
 * ({@code MFAGATE_BOT_AUDIT}).
 */
public enum AuditMode {
    /** No notice (default). */
    OFF,
    /** Always to {@code MFAGATE_BOT_AUDIT_CHANNEL}. */
    CHANNEL,
    /** To {@code #<client>} when such a channel exists, as the original bot did, else to {@code MFAGATE_BOT_AUDIT_CHANNEL}. */
    CLIENT
}
