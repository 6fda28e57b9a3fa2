package dev.mfagate.gateway.http;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Request ids: a caller's {@code X-Request-Id} when it is short and safe, otherwise a new random one. */
public final class RequestIds {

    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:-]{8,64}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private RequestIds() {
    }

    /** Keeps {@code offered} if it is 8–64 safe characters, so ids can be followed across bot and gateway. */
    public static String acceptOrCreate(String offered) {
        if (offered != null && SAFE.matcher(offered).matches()) {
            return offered;
        }
        return create();
    }

    /** A new 96-bit random id in hex. */
    public static String create() {
        byte[] b = new byte[12];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
