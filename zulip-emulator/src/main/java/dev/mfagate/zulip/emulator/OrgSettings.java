package dev.mfagate.zulip.emulator;

/**
 * The organisation (realm) settings that decide whether a user may edit or delete their own messages,
 * as Zulip names them in {@code POST /register} ({@code realm_allow_message_editing},
 * {@code realm_message_content_edit_limit_seconds}, {@code realm_can_delete_own_message_group},
 * {@code realm_message_content_delete_limit_seconds}).
 *
 * <p>Zulip models "who may delete their own messages" as a user group; the emulator offers the two
 * settings that matter to a bot: everyone ({@code role:everyone}, Zulip's default) or administrators only
 * ({@code role:administrators}). Time limits are in seconds; {@code null} means no limit, as in Zulip.
 * Zulip grants a further 20 seconds of grace past each limit; so does the emulator.
 *
 * @param allowMessageEditing whether anyone may edit message content ({@code false}: "Your organization has turned off message editing")
 * @param messageContentEditLimitSeconds how long after sending the sender may edit the content, or {@code null} for ever
 * @param everyoneCanDeleteOwnMessages whether every user may delete their own messages; if {@code false} only administrators may
 * @param messageContentDeleteLimitSeconds how long after sending the sender may delete, or {@code null} for ever
 */
public record OrgSettings(
        boolean allowMessageEditing,
        Integer messageContentEditLimitSeconds,
        boolean everyoneCanDeleteOwnMessages,
        Integer messageContentDeleteLimitSeconds) {

    public OrgSettings {
        if (messageContentEditLimitSeconds != null && messageContentEditLimitSeconds <= 0) {
            throw new IllegalArgumentException("messageContentEditLimitSeconds " + messageContentEditLimitSeconds
                    + " must be positive, or null for no limit");
        }
        if (messageContentDeleteLimitSeconds != null && messageContentDeleteLimitSeconds <= 0) {
            throw new IllegalArgumentException("messageContentDeleteLimitSeconds " + messageContentDeleteLimitSeconds
                    + " must be positive, or null for no limit");
        }
    }

    /** Zulip's defaults for a new organisation: editing on with a 10-minute limit, everyone may delete their own messages, no delete limit. */
    public static OrgSettings defaults() {
        return new OrgSettings(true, 600, true, null);
    }

    public OrgSettings withAllowMessageEditing(boolean allow) {
        return new OrgSettings(allow, messageContentEditLimitSeconds, everyoneCanDeleteOwnMessages, messageContentDeleteLimitSeconds);
    }

    public OrgSettings withMessageContentEditLimitSeconds(Integer seconds) {
        return new OrgSettings(allowMessageEditing, seconds, everyoneCanDeleteOwnMessages, messageContentDeleteLimitSeconds);
    }

    public OrgSettings withEveryoneCanDeleteOwnMessages(boolean everyone) {
        return new OrgSettings(allowMessageEditing, messageContentEditLimitSeconds, everyone, messageContentDeleteLimitSeconds);
    }

    public OrgSettings withMessageContentDeleteLimitSeconds(Integer seconds) {
        return new OrgSettings(allowMessageEditing, messageContentEditLimitSeconds, everyoneCanDeleteOwnMessages, seconds);
    }
}
