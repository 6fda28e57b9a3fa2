package dev.mfagate.core.seed;

import dev.mfagate.core.seed.SeedImportException.Kind;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Strict percent-decoding and query splitting for {@code otpauth} URIs, which {@link java.net.URI} is too strict for (raw spaces in labels are common). */
final class UriText {

    private UriText() {
    }

    /**
     * Decodes {@code %XX} escapes as UTF-8.
     *
     * @param plusIsSpace whether {@code +} means a space, as in form-encoded query strings
     * @param what names the value in messages
     */
    static String percentDecode(String text, boolean plusIsSpace, String what) throws SeedImportException {
        if (text.indexOf('%') < 0 && !(plusIsSpace && text.indexOf('+') >= 0)) {
            return text;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%') {
                int high = i + 1 < text.length() ? hexValue(text.charAt(i + 1)) : -1;
                int low = i + 2 < text.length() ? hexValue(text.charAt(i + 2)) : -1;
                if (high < 0 || low < 0) {
                    throw new SeedImportException(Kind.BAD_URI, what + ": '%' at character " + (i + 1)
                            + " must be followed by two hex digits");
                }
                bytes.write(high * 16 + low);
                i += 2;
            } else if (c == '+' && plusIsSpace) {
                bytes.write(' ');
            } else {
                byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(c) && i + 1 < text.length()) {
                    encoded = text.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                bytes.writeBytes(encoded);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new SeedImportException(Kind.BAD_URI, what + ": percent-escapes are not valid UTF-8");
        }
    }

    /**
     * Splits {@code name=value&...} into raw (still escaped) values by lower-case name; a name
     * given twice is rejected, because which one wins differs between readers.
     */
    static Map<String, String> queryParameters(String query) throws SeedImportException {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (query.isEmpty()) {
            return parameters;
        }
        for (String part : query.split("&", -1)) {
            if (part.isEmpty()) {
                continue;
            }
            int equals = part.indexOf('=');
            String rawName = equals < 0 ? part : part.substring(0, equals);
            String name = percentDecode(rawName, true, "parameter name").toLowerCase(Locale.ROOT);
            String value = equals < 0 ? "" : part.substring(equals + 1);
            if (parameters.putIfAbsent(name, value) != null) {
                throw new SeedImportException(Kind.BAD_URI, "parameter " + Shown.value(name) + " appears more than once");
            }
        }
        return parameters;
    }

    /** The first control character's 1-based position, or 0. */
    static int firstControlCharacter(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return i + 1;
            }
        }
        return 0;
    }

    /** ASCII hex digits only; {@link Character#digit} would also take non-ASCII digits. */
    private static int hexValue(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
