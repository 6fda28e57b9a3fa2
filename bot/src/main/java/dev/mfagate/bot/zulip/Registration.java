package dev.mfagate.bot.zulip;

import java.util.List;

/**
 * What {@code POST /register} answered: the event queue and the initial state the bot asked for.
 *
 * @param queueId the queue to poll
 * @param lastEventId the {@code last_event_id} to start polling from
 * @param maxMessageId the highest message id the bot had received when the queue was made, or -1
 * @param userGroups the organisation's user groups ({@code realm_user_groups})
 */
public record Registration(String queueId, long lastEventId, long maxMessageId, List<UserGroup> userGroups) {
    /** Copies the list. */
    public Registration {
        userGroups = List.copyOf(userGroups);
    }
}
