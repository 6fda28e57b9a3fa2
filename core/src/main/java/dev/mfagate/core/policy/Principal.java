package dev.mfagate.core.policy;

import dev.mfagate.core.tenant.PersonId;
import java.util.Locale;
import java.util.Objects;

/**
 * Who a policy {@link Rule} grants access to.
 *
 * <p>Four kinds, each with a text form used by the CLI, policy files and the database:
 * <ul>
 *   <li>{@link ZulipUser} {@code user:42} — one Zulip user, by id (never by email, which a user can change);</li>
 *   <li>{@link ZulipGroup} {@code group:7} — every member of a Zulip user group, by group id;</li>
 *   <li>{@link ZulipChannel} {@code channel:12} — every subscriber of a channel, by Zulip stream id
 *       (the original bot's rule: a member of {@code #acme} may get {@code acme-*});</li>
 *   <li>{@link ApiToken} {@code token:<id>} — a gateway API token, for its own direct requests;</li>
 *   <li>{@link Person} {@code person:<id>} — a person mfagate knows ({@code dev.mfagate.core.tenant}),
 *       whichever of their identities the request comes with, so one grant covers the same human in
 *       Zulip and, later, the console.</li>
 * </ul>
 *
 * <p>Every Zulip principal is an id, never a name: names can be imitated (a member can create a
 * channel named {@code #ops}, or {@code keys} spelt with a KELVIN SIGN, U+212A), ids
 * cannot. Channel rules made before channel rules took ids are kept as {@link LegacyChannelName}
 * ({@code channel-name:acme}): shown and exported, never matched, never granted anew.
 *
 * <p>Membership of groups and channels is not looked up here: the caller (the bot) states it in
 * the {@link Subject}, and the token's scope caps what such a statement can obtain.
 * Values are immutable and thread-safe.
 */
public sealed interface Principal {

    /** The text form, for example {@code channel:acme}; {@link #parse} reads it back. */
    String text();

    /**
     * Parses the text form {@code user:<id>}, {@code group:<id>}, {@code channel:<stream id>},
     * {@code token:<id>}, or the inert {@code channel-name:<name>} of a rule made before channel
     * rules took stream ids.
     *
     * @throws IllegalArgumentException when the text is none of these; the message says where to
     *     find the id that was asked for and never repeats the text given (it could be a pasted secret)
     */
    static Principal parse(String text) {
        Objects.requireNonNull(text, "principal");
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("Invalid principal (" + text.length()
                    + " characters, not shown): must be user:<id>, group:<id>, channel:<stream id>, person:<id> or token:<id>");
        }
        String kind = text.substring(0, colon).toLowerCase(Locale.ROOT);
        String rest = text.substring(colon + 1);
        return switch (kind) {
            case "user" -> new ZulipUser(Texts.parseId("user", rest));
            case "group" -> new ZulipGroup(Texts.parseId("group", rest));
            case "channel" -> new ZulipChannel(Texts.parseId("channel", rest));
            case LegacyChannelName.KIND -> new LegacyChannelName(rest);
            case "token" -> new ApiToken(rest);
            case "person" -> new Person(new PersonId(rest));
            default -> throw new IllegalArgumentException("Invalid principal kind"
                    + (kind.matches("[a-z_-]{1,16}") ? " '" + kind + "'" : " (not shown)")
                    + ": must be user, group, channel, person or token");
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
     * The subscribers of a Zulip channel, by its stream id: the one thing about a channel that
     * another channel cannot copy.
     *
     * @param streamId the Zulip stream id, positive
     */
    record ZulipChannel(long streamId) implements Principal {
        /** Validates the id. */
        public ZulipChannel {
            Texts.checkId("channel", streamId);
        }

        @Override
        public String text() {
            return "channel:" + streamId;
        }
    }

    /**
     * A channel rule from before channel rules took stream ids ({@code channel:<name>}, stored as
     * {@code channel-name:<name>} since schema V3). It is inert: no request ever carries it, so it
     * never matches, because a name cannot tell {@code ops} from {@code #ops} or from look-alike
     * letters. It is kept so that operators see what to re-grant by stream id; nothing grants a new one.
     *
     * @param name the channel name exactly as the old rule had it
     */
    record LegacyChannelName(String name) implements Principal {
        /** The text form's kind. */
        public static final String KIND = "channel-name";

        /** Validates the name. */
        public LegacyChannelName {
            name = Texts.legacyChannelName(name);
        }

        @Override
        public String text() {
            return KIND + ":" + name;
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

    /**
     * A person, by their mfagate id: matches a request whose subject was recognised as that person
     * (one of their linked identities).
     *
     * @param person the person's id
     */
    record Person(PersonId person) implements Principal {
        /** Validates. */
        public Person {
            Objects.requireNonNull(person, "person");
        }

        @Override
        public String text() {
            return "person:" + person.value();
        }
    }
}
