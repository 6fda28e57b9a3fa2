package dev.mfagate.core.policy;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/** Validation shared by principals and subjects, with messages that name the rule. */
final class Texts {
    private static final Pattern TOKEN_ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,18}");

    /** Zulip limits channel names to 60 characters. */
    static final int MAX_CHANNEL_NAME_LENGTH = 60;

    private Texts() {
    }

    static long parseId(String what, String text) {
        // Strict: Long.parseLong would accept '+' and non-ASCII digits.
        if (!DIGITS.matcher(text).matches()) {
            throw new IllegalArgumentException("Invalid " + what + " id " + describe(text)
                    + ": must be 1 to 18 ASCII digits");
        }
        long id = Long.parseLong(text);
        checkId(what, id);
        return id;
    }

    static void checkId(String what, long id) {
        if (id <= 0) {
            throw new IllegalArgumentException("Invalid " + what + " id " + id + ": must be positive");
        }
    }

    static String checkTokenId(String tokenId) {
        Objects.requireNonNull(tokenId, "tokenId");
        if (!TOKEN_ID.matcher(tokenId).matches()) {
            throw new IllegalArgumentException("Invalid token id " + describe(tokenId)
                    + ": must be 1 to 64 characters of [A-Za-z0-9_.-]");
        }
        return tokenId;
    }

    static String channelName(String name) {
        Objects.requireNonNull(name, "channel name");
        String n = name.startsWith("#") ? name.substring(1) : name;
        n = n.strip().toLowerCase(Locale.ROOT);
        if (n.isEmpty() || n.length() > MAX_CHANNEL_NAME_LENGTH) {
            throw new IllegalArgumentException("Invalid channel name: " + n.length()
                    + " characters; must be 1 to " + MAX_CHANNEL_NAME_LENGTH);
        }
        for (int i = 0; i < n.length(); i++) {
            if (Character.isISOControl(n.charAt(i))) {
                throw new IllegalArgumentException("Invalid channel name: control character at index " + i);
            }
        }
        return n;
    }

    /** Quotes short printable ASCII values; otherwise only says how long the value was. */
    static String describe(String value) {
        if (value.length() <= 40 && value.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            return "'" + value + "'";
        }
        return "(" + value.length() + " characters, not shown)";
    }

    static void checkEmail(String email) {
        if (email.length() > 254 || email.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("Invalid email: must be at most 254 characters without control characters");
        }
    }
}
