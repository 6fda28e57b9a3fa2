package dev.mfagate.bot.zulip;

/**
 * The outcome of editing or deleting one of the bot's own messages. Zulip lets an organisation forbid
 * both (or limit them in time), so a refusal is an expected outcome, not an error.
 */
public sealed interface ChangeResult {
    /** Done. */
    record Done() implements ChangeResult {}

    /** Zulip refused: {@code status} and Zulip's {@code code} and {@code msg}. */
    record Refused(int status, String code, String message) implements ChangeResult {}
}
