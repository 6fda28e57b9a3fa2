package dev.mfagate.core.seed;

/** How values from user input appear in messages: quoted when short and printable, otherwise only their length. */
final class Shown {

    private static final int MAX_SHOWN_LENGTH = 40;

    private Shown() {
    }

    /** Never use this for a value that may be secret; say where the problem is instead. */
    static String value(String value) {
        if (value.length() <= MAX_SHOWN_LENGTH && value.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            return "'" + value + "'";
        }
        return "(" + value.length() + " characters, not shown)";
    }

    /**
     * Parses 1 to 9 ASCII digits; -1 for anything else. {@link Integer#parseInt} would also take a
     * sign and non-ASCII digits.
     */
    static int smallDecimal(String text) {
        if (text.isEmpty() || text.length() > 9) {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
