package dev.mfagate.gateway.http;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Request ids: a caller's {@code X-Request-Id} when it is short and safe, otherwise a new random one.
 * The id is sent back, logged and audited, so an offered id that may hold a secret (a bearer token or
 * a TOTP seed pasted into the header) is replaced, never kept.
 */
public final class RequestIds {

    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:-]{8,64}");
    /** Letters only, so an id never holds a run of digits that could be mistaken for a code. */
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz".toCharArray();
    static final int LENGTH = 21;
    /**
     * The longest run of letters and digits an offered id may hold: a TOTP seed in base32 or hex is
     * 16 such characters or more, and every bearer token holds its 16-character id
     * ({@code mfg_<id>_<secret>}, the secret in base64url), whatever runs its secret has.
     */
    static final int MAX_ALPHANUMERIC_RUN = 15;

    private RequestIds() {
    }

    /**
     * Keeps {@code offered} if it is 8–64 safe characters with no run of more than
     * {@value #MAX_ALPHANUMERIC_RUN} letters and digits, so ids can be followed across bot and gateway
     * (the bot's {@code zulip-message-<id>}, a UUID); anything else, this gateway's own ids included,
     * gets a new one.
     */
    public static String acceptOrCreate(String offered) {
        if (offered != null && SAFE.matcher(offered).matches() && longestAlphanumericRun(offered) <= MAX_ALPHANUMERIC_RUN) {
            return offered;
        }
        return create();
    }

    private static int longestAlphanumericRun(String text) {
        int longest = 0;
        int run = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            run = (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') ? run + 1 : 0;
            longest = Math.max(longest, run);
        }
        return longest;
    }

    /**
     * A new random id of 21 letters (about 97 bits). Ids need to be unique, not secret, so the
     * per-thread generator is enough and keeps this off the hot path's lock.
     */
    public static String create() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        char[] id = new char[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            id[i] = ALPHABET[r.nextInt(ALPHABET.length)];
        }
        return new String(id);
    }
}
