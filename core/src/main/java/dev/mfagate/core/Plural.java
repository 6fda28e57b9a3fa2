package dev.mfagate.core;

/**
 * A count with its noun in the right number, for every message that prints one: {@code 1 entry},
 * {@code 2 entries}, {@code 0 entries}. English only, as all of mfagate's messages. Stateless.
 */
public final class Plural {

    private Plural() {
    }

    /** {@code n} followed by {@code one} when {@code n} is 1 (or -1), else by {@code many}. */
    public static String of(long n, String one, String many) {
        return n + " " + (Math.abs(n) == 1 ? one : many);
    }
}
