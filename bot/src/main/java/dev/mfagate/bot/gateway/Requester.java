package dev.mfagate.bot.gateway;

import java.util.List;
import java.util.Objects;

/**
 * The person the bot asks the gateway for: their Zulip user id (what policy matches), email (audit
 * trail only) and the user groups and channels the bot knows them to belong to.
 *
 * @param userId the Zulip user id
 * @param email the Zulip email, or empty
 * @param groupIds the ids of the user groups they belong to, directly or through subgroups, sorted
 * @param channelIds the stream ids of the channels they are subscribed to, as far as the bot can see, sorted
 *     (ids, never names: the gateway's channel rules bind stream ids)
 */
public record Requester(int userId, String email, List<Long> groupIds, List<Long> channelIds) {
    /** Copies and sorts the lists. */
    public Requester {
        Objects.requireNonNull(email, "email");
        groupIds = groupIds.stream().distinct().sorted().toList();
        channelIds = channelIds.stream().distinct().sorted().toList();
    }
}
