package dev.mfagate.core.issue;

/**
 * The entry point a request came through. The audit entry names the route; the door says which
 * kind of caller path asked, so a door that adds its own checks (the console's session, for
 * example) is visible in one place.
 */
public enum Door {
    /** {@code GET /totp/{client}/{service}} by a token for itself. */
    API_TOTP,
    /** {@code GET /code?label=} by a token for itself. */
    API_CODE,
    /** Either API route, by a delegating token on behalf of a Zulip user (the bot). */
    BOT,
    /** A code revealed in the web console ({@code POST /console/codes/reveal}). */
    CONSOLE
}
