package dev.mfagate.bot;

/** What the bot does to its reply once every code in it has expired ({@code MFAGATE_BOT_EXPIRY_ACTION}). */
public enum ExpiryAction {
    /**
     * Edit the reply to say the code expired. Zulip keeps the earlier text in the message's edit
     * history, which members may be allowed to view: choose this only where that is acceptable.
     */
    EDIT,
    /**
     * Delete the reply (default), so no code stays in the chat history. If the organisation forbids
     * deleting, the bot edits the reply instead.
     */
    DELETE
}
