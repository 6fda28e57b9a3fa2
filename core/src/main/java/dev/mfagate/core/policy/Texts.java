package dev.mfagate.core.policy;

import dev.mfagate.api.LabelGrammar;
import java.util.Objects;
import java.util.regex.Pattern;

/** Validation shared by principals and subjects, with messages that name the rule. */
final class Texts {
    private static final int MAX_TOKEN_ID_LENGTH = 64;
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,18}");

    /** Zulip limits channel names to 60 characters. */
    static final int MAX_CHANNEL_NAME_LENGTH = 60;

    private Texts() {
    }

    static long parseId(String what, String text) {
        // Strict: Long.parseLong would accept '+' and non-ASCII digits.
        if (!DIGITS.matcher(text).matches()) {
            throw new IllegalArgumentException("Invalid " + what + " id: must be 1 to 18 ASCII digits" + hintFor(what));
        }
        long id = Long.parseLong(text);
        checkId(what, id);
        return id;
    }

    /** Where to find the id the message asks for; empty for kinds with nothing to add. */
    private static String hintFor(String what) {
        return switch (what) {
            case "group" -> "; " + GROUP_ID_HINT;
            case "user" -> "; " + USER_ID_HINT;
            case "channel" -> "; " + CHANNEL_ID_HINT;
            default -> "";
        };
    }

    /** How an operator finds a Zulip user group's id (mfagate cannot ask Zulip from the CLI). */
    static final String GROUP_ID_HINT = "group rules take the Zulip user group's id, a number, not its name"
            + " (in Zulip, open the group under Settings > User groups: the address ends in #groups/<id>/<name>;"
            + " or GET /api/v1/user_groups with an administrator's API key)";

    /** How an operator finds a Zulip stream id. */
    static final String CHANNEL_ID_HINT = "channel rules take the Zulip channel's stream id, a number, not its name,"
            + " because a name can be imitated (a channel named #ops, look-alike letters)."
            + " In Zulip, open the channel: its address shows #narrow/channel/<id>-<name> (#narrow/stream/<id>-<name>"
            + " on older servers); or GET /api/v1/get_stream_id?stream=<name>. Example: channel:12";

    /** How an operator finds a Zulip user id. */
    static final String USER_ID_HINT = "user rules take the Zulip user id, a number"
            + " (in Zulip, open the person's profile: the address shows #user/<id>)";

    static void checkId(String what, long id) {
        if (id <= 0) {
            throw new IllegalArgumentException("Invalid " + what + " id " + id + ": must be positive");
        }
    }

    static String checkTokenId(String tokenId) {
        Objects.requireNonNull(tokenId, "tokenId");
        // [A-Za-z0-9_.-]{1,64}, without a regular expression: every request's token passes here.
        if (tokenId.isEmpty() || tokenId.length() > MAX_TOKEN_ID_LENGTH
                || !dev.mfagate.api.LabelGrammar.isAsciiWord(tokenId, "_.-", false)) {
            throw new IllegalArgumentException("Invalid token id " + describe(tokenId)
                    + ": must be 1 to 64 characters of [A-Za-z0-9_.-]");
        }
        return tokenId;
    }

    /**
     * A channel name as stored in a rule made before channel rules took stream ids: kept exactly as
     * it was (it is never matched, only shown), so it must only be non-blank, bounded and printable.
     */
    static String legacyChannelName(String name) {
        Objects.requireNonNull(name, "channel name");
        if (name.isBlank() || name.length() > MAX_CHANNEL_NAME_LENGTH + 1) {
            throw new IllegalArgumentException("Invalid channel name in a channel-name rule: " + name.length()
                    + " characters; must be 1 to " + (MAX_CHANNEL_NAME_LENGTH + 1));
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                throw new IllegalArgumentException("Invalid channel name in a channel-name rule: control character at index " + i);
            }
        }
        return name;
    }

    /**
     * Quotes short printable ASCII values that are not secret-shaped; otherwise only says how long
     * the value was ({@link LabelGrammar#describe}).
     */
    static String describe(String value) {
        return LabelGrammar.describe(value);
    }

    static void checkEmail(String email) {
        if (email.length() > 254 || email.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("Invalid email: must be at most 254 characters without control characters");
        }
    }
}
