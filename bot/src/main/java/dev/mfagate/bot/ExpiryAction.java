package dev.mfagate.bot;

/** What the bot does to its reply once every code in it has expired ({@code MFAGATE_BOT_EXPIRY_ACTION}). */
public enum ExpiryAction {
    /** Edit the reply to say the code expired (default). */
    EDIT,
    /** Delete the reply. */
    DELETE
}
