package dev.mfagate.core.seed;

import dev.mfagate.core.SecretBytes;
import dev.mfagate.core.seed.SeedImportException.Kind;
import dev.mfagate.core.totp.HmacAlgorithm;
import dev.mfagate.core.totp.TotpParameters;
import dev.mfagate.core.totp.TotpSeed;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Parses one TOTP seed from text: a bare base32 secret or an {@code otpauth://totp/} URI.
 *
 * <p>A bare secret is base32 (RFC 4648), read leniently: lower case, spaces, dashes and missing
 * padding are fine; any other character is rejected by its position, never echoed. It gets the
 * usual parameters ({@link TotpParameters#DEFAULT}: SHA1, 6 digits, 30 s).
 *
 * <p>A URI follows Google Authenticator's Key Uri Format:
 * {@code otpauth://totp/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER&algorithm=SHA1&digits=6&period=30}.
 * The label and values are percent-decoded as UTF-8 ({@code +} is a space in query values, as form
 * encoders write it); the {@code issuer} parameter wins over the label's prefix; {@code algorithm}
 * (SHA1, SHA256, SHA512), {@code digits} (6 to 8) and {@code period} (1 to 86400 s) are checked,
 * with ASCII digits only; other parameters ({@code image}, {@code counter}...) are ignored; a
 * parameter given twice is rejected. {@code otpauth://hotp/} is rejected as {@link Kind#NOT_TOTP}.
 * Surrounding whitespace, such as a trailing newline, is trimmed.
 *
 * <p>Out of scope: Google Authenticator exports ({@code otpauth-migration://}), which hold several
 * seeds and are read by {@link MigrationPayload} and {@link SeedImports}.
 *
 * <p>Stateless and thread-safe. Messages never contain the secret or the input text.
 */
public final class SeedParser {

    /** Longer text is not a seed a person would type or a QR code would hold. */
    static final int MAX_URI_LENGTH = 4096;

    private static final String OTPAUTH = "otpauth://";

    private SeedParser() {
    }

    /**
     * Parses a base32 secret or an {@code otpauth://totp/} URI.
     *
     * @throws SeedImportException naming the rule broken, never the secret
     */
    public static TotpSeed parse(String text) throws SeedImportException {
        Objects.requireNonNull(text, "text");
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            throw new SeedImportException(Kind.EMPTY_INPUT, "input is empty; expected a base32 secret or an otpauth://totp/ URI");
        }
        if (trimmed.regionMatches(true, 0, MigrationPayload.SCHEME, 0, MigrationPayload.SCHEME.length())) {
            throw new SeedImportException(Kind.BAD_URI, "otpauth-migration:// holds several seeds;"
                    + " read it as a batch import, not as a single seed");
        }
        if (trimmed.regionMatches(true, 0, OTPAUTH, 0, OTPAUTH.length())) {
            return parseUri(trimmed);
        }
        if (trimmed.contains("://")) {
            throw new SeedImportException(Kind.BAD_URI, "input looks like a URI but is not otpauth://totp/");
        }
        return fromBase32(trimmed, "secret", TotpParameters.DEFAULT, null, null);
    }

    private static TotpSeed parseUri(String uri) throws SeedImportException {
        if (uri.length() > MAX_URI_LENGTH) {
            throw new SeedImportException(Kind.BAD_URI, "otpauth URI is " + uri.length()
                    + " characters; must be at most " + MAX_URI_LENGTH);
        }
        int control = UriText.firstControlCharacter(uri);
        if (control > 0) {
            throw new SeedImportException(Kind.BAD_URI, "otpauth URI has a control character at position " + control);
        }
        if (uri.indexOf('#') >= 0) {
            throw new SeedImportException(Kind.BAD_URI, "otpauth URI has a raw '#' at position " + (uri.indexOf('#') + 1)
                    + "; it must be percent-encoded as %23");
        }
        String rest = uri.substring(OTPAUTH.length());
        int slash = rest.indexOf('/');
        int question = rest.indexOf('?');
        if (slash < 0 || (question >= 0 && question < slash)) {
            throw new SeedImportException(Kind.BAD_URI, "otpauth URI must look like otpauth://totp/ISSUER:ACCOUNT?secret=...");
        }
        String type = rest.substring(0, slash).toLowerCase(Locale.ROOT);
        if (type.equals("hotp")) {
            throw new SeedImportException(Kind.NOT_TOTP, "otpauth://hotp/ is a counter-based (HOTP) seed; only TOTP seeds are served");
        }
        if (!type.equals("totp")) {
            throw new SeedImportException(Kind.BAD_URI, "otpauth URI type " + Shown.value(type) + " is not totp");
        }
        String rawLabel = question < 0 ? rest.substring(slash + 1) : rest.substring(slash + 1, question);
        String query = question < 0 ? "" : rest.substring(question + 1);

        String label = UriText.percentDecode(rawLabel, false, "label");
        String labelIssuer = null;
        String account = label;
        int colon = label.indexOf(':');
        if (colon >= 0) {
            labelIssuer = label.substring(0, colon).strip();
            account = label.substring(colon + 1);
        }
        account = account.strip();

        Map<String, String> parameters = UriText.queryParameters(query);
        String rawSecret = parameters.get("secret");
        if (rawSecret == null || rawSecret.isEmpty()) {
            throw new SeedImportException(Kind.BAD_URI, "otpauth URI has no secret parameter");
        }
        String issuer = labelIssuer;
        String issuerParameter = parameters.get("issuer");
        if (issuerParameter != null) {
            String decoded = UriText.percentDecode(issuerParameter, true, "issuer parameter").strip();
            if (!decoded.isEmpty()) {
                issuer = decoded;
            }
        }
        TotpParameters totpParameters = new TotpParameters(
                algorithm(parameters.get("algorithm")), digits(parameters.get("digits")), period(parameters.get("period")));
        String secret = UriText.percentDecode(rawSecret, false, "secret parameter");
        return fromBase32(secret, "secret parameter", totpParameters, emptyToNull(issuer), emptyToNull(account));
    }

    private static HmacAlgorithm algorithm(String raw) throws SeedImportException {
        if (raw == null) {
            return HmacAlgorithm.SHA1;
        }
        String name = UriText.percentDecode(raw, true, "algorithm parameter");
        try {
            return HmacAlgorithm.fromUriName(name);
        } catch (IllegalArgumentException e) {
            throw new SeedImportException(Kind.UNKNOWN_ALGORITHM, "algorithm " + Shown.value(name)
                    + " is not supported; must be SHA1, SHA256 or SHA512");
        }
    }

    private static int digits(String raw) throws SeedImportException {
        if (raw == null) {
            return TotpParameters.DEFAULT.digits();
        }
        int digits = Shown.smallDecimal(raw);
        if (digits < TotpParameters.MIN_DIGITS || digits > TotpParameters.MAX_DIGITS) {
            throw new SeedImportException(Kind.DIGITS_OUT_OF_RANGE, "digits " + Shown.value(raw)
                    + " is out of range; must be 6, 7 or 8 (ASCII digits)");
        }
        return digits;
    }

    private static Duration period(String raw) throws SeedImportException {
        if (raw == null) {
            return TotpParameters.DEFAULT.period();
        }
        long max = TotpParameters.MAX_PERIOD.toSeconds();
        int seconds = Shown.smallDecimal(raw);
        if (seconds < 1 || seconds > max) {
            throw new SeedImportException(Kind.PERIOD_OUT_OF_RANGE, "period " + Shown.value(raw)
                    + " is out of range; must be whole seconds from 1 to " + max + " (ASCII digits)");
        }
        return Duration.ofSeconds(seconds);
    }

    /** Decodes the secret and builds the seed, clearing the decoded bytes. */
    static TotpSeed fromBase32(String base32, String what, TotpParameters parameters, String issuer, String account)
            throws SeedImportException {
        byte[] secret = Base32Secret.decode(base32, what);
        try {
            return new TotpSeed(SecretBytes.copyOf(secret), parameters, issuer, account);
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    private static String emptyToNull(String text) {
        return text == null || text.isEmpty() ? null : text;
    }
}
