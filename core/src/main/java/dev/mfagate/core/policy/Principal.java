package dev.mfagate.core.policy;

import java.util.Locale;
import java.util.Objects;

/**
 * Who a policy {@link Rule} grants access to.
 *
 * <p>Four kinds, each with a text form used by the CLI, policy files and the database:
 * <ul>
 *   <li>{@link ZulipUser} {@code user:42} — one Zulip user, by id (never by email, which a user can change);</li>
 *   <li>{@link ZulipGroup} {@code group:7} — every member of a Zulip user group;</li>
 *   <li>{@link ZulipChannel} {@code channel:acme} — every subscriber of a channel (the original
 *       bot's rule: a member of {@code #acme} may get {@code acme-*});</li>
 *   <li>{@link ApiToken} {@code token:<id>} — a gateway API token, for its own direct requests.</li>
 * </ul>
 *
 * <p>Membership of groups and channels is not looked up here: the caller (the bot) states it in
 * the {@link Subject}, and the token's scope caps what such a statement can obtain.
 * Values are immutable and thread-safe.
 */
public sealed interface Principal {

    /** The text form, for example {@code channel:acme}; {@link #parse} reads it back. */
    String text();

    /**
     * Parses the text form {@code user:<id>}, {@code group:<id>}, {@code channel:<name>} or
     * {@code token:<id>}.
     *
     * @throws IllegalArgumentException when the text is none of these
     */
    static Principal parse(String text) {
        Objects.requireNonNull(text, "principal");
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("Invalid principal " + Texts.describe(text)
                    + ": must be user:<id>, group:<id>, channel:<name> or token:<id>");
        }
        String kind = text.substring(0, colon).toLowerCase(Locale.ROOT);
        String rest = text.substring(colon + 1);
        return switch (kind) {
            case "user" -> new ZulipUser(Texts.parseId("user", rest));
            case "group" -> new ZulipGroup(Texts.parseId("group", rest));
            case "channel" -> new ZulipChannel(rest);
            case "token" -> new ApiToken(rest);
            default -> throw new IllegalArgumentException("Invalid principal kind " + Texts.describe(kind)
                    + ": must be user, group, channel or token");
        };
    }

    /**
     * A Zulip user, by id.
     *
     * @param userId the Zulip user id, positive
     */
    record ZulipUser(long userId) implements Principal {
        /** Validates the id. */
        public ZulipUser {
            Texts.checkId("user", userId);
        }

        @Override
        public String text() {
            return "user:" + userId;
        }
    }

    /**
     * The members of a Zulip user group, by group id.
     *
     * @param groupId the Zulip user group id, positive
     */
    record ZulipGroup(long groupId) implements Principal {
        /** Validates the id. */
        public ZulipGroup {
            Texts.checkId("group", groupId);
        }

        @Override
        public String text() {
            return "group:" + groupId;
        }
    }

    /**
     * The subscribers of a Zulip channel, by name. Names compare case-insensitively (kept
     * lower-case) and may be given with or without a leading {@code #}.
     *
     * @param name the channel name, lower-case, without {@code #}
     */
    record ZulipChannel(String name) implements Principal {
        /** Validates and normalises the name. */
        public ZulipChannel {
            name = Texts.channelName(name);
        }

        @Override
        public String text() {
            return "channel:" + name;
        }
    }

    /**
     * A gateway API token, by its public id (never the secret).
     *
     * @param tokenId the token id: {@code [A-Za-z0-9_.-]}, 1 to 64 characters
     */
    record ApiToken(String tokenId) implements Principal {
        /** Validates the id. */
        public ApiToken {
            Texts.checkTokenId(tokenId);
        }

        @Override
        public String text() {
            return "token:" + tokenId;
        }
    }
}
