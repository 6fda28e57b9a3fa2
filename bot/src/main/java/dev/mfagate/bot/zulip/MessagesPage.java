package dev.mfagate.bot.zulip;

import java.util.List;

/**
 * One page of {@code GET /messages}.
 *
 * @param messages messages, oldest first
 * @param foundNewest whether the page reaches the newest matching message
 */
public record MessagesPage(List<ZulipMessage> messages, boolean foundNewest) {
    /** Copies the list. */
    public MessagesPage {
        messages = List.copyOf(messages);
    }
}
