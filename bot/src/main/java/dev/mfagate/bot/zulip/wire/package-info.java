/**
 * Zulip's JSON bodies as the bot reads them: one Jackson-mapped record per object, under Zulip's snake_case
 * names ({@link dev.mfagate.bot.zulip.wire.Wire#MAPPER}), holding only the fields the bot uses; unknown fields
 * are ignored, missing ones are null (or an empty list). The client maps them to its own records
 * ({@code ZulipMessage}, {@code ZulipEvent}, ...). A leaf package: it imports nothing else of the bot.
 */
package dev.mfagate.bot.zulip.wire;
