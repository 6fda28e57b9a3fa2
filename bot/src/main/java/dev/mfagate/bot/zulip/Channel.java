package dev.mfagate.bot.zulip;

/**
 * A Zulip channel (stream) the bot can see.
 *
 * @param id the stream id
 * @param name the channel name
 */
public record Channel(long id, String name) {}
