package dev.mfagate.bot.zulip;

/**
 * A Zulip user as {@code GET /users/{user_id}} or {@code /users/me} describes them.
 *
 * @param userId the user id
 * @param email the email Zulip shows ({@code delivery_email} when visible, else {@code email})
 * @param fullName the display name
 * @param isBot whether the account is a bot
 */
public record ZulipUser(int userId, String email, String fullName, boolean isBot) {}
