package dev.mfagate.gateway.http;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/** Request ids: a caller's {@code X-Request-Id} when it is short and safe, otherwise a new random one. */
public final class RequestIds {

    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:-]{8,64}");
    /** Letters only, so an id never holds a run of digits that could be mistaken for a code. */
    private static final char[] ALPHABET = "abcdefghijkmnopqrstuvwxyz".toCharArray();
    private static final int LENGTH = 21;

    private RequestIds() {
    }

    /** Keeps {@code offered} if it is 8–64 safe characters, so ids can be followed across bot and gateway. */
    public static String acceptOrCreate(String offered) {
        if (offered != null && SAFE.matcher(offered).matches()) {
            return offered;
        }
        return create();
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
