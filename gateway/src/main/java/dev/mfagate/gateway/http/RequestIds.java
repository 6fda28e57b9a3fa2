package dev.mfagate.gateway.http;

import java.security.SecureRandom;
import java.util.regex.Pattern;

/** Request ids: a caller's {@code X-Request-Id} when it is short and safe, otherwise a new random one. */
public final class RequestIds {

    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:-]{8,64}");
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Letters only: an id never holds a digit run that could be mistaken for a code when logs are scanned. */
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz".toCharArray();
    /** 21 letters carry 21 * log2(26) = 98.7 bits, at least the 96 bits the id has always had. */
    static final int LENGTH = 21;

    private RequestIds() {
    }

    /** Keeps {@code offered} if it is 8–64 safe characters, so ids can be followed across bot and gateway. */
    public static String acceptOrCreate(String offered) {
        if (offered != null && SAFE.matcher(offered).matches()) {
            return offered;
        }
        return create();
    }

    /** A new random id of {@value #LENGTH} lower-case letters (more than 96 bits). */
    public static String create() {
        char[] id = new char[LENGTH];
        for (int i = 0; i < id.length; i++) {
            id[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(id);
    }
}
