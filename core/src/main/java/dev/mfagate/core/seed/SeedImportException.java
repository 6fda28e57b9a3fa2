package dev.mfagate.core.seed;

import java.util.List;
import java.util.Objects;

/**
 * A seed, a batch of seeds or a label mapping that cannot be imported, with the {@link Kind} of
 * rule it broke.
 *
 * <p>The message is one line that names the entry (in a batch) and the rule, and never contains
 * the secret or the text it came in; the admin CLI prints it as is and exits with status 2 for
 * every kind. Causes are attached only when they cannot carry secret material (I/O errors).
 */
public final class SeedImportException extends Exception {

    /** What went wrong; one value per rule, so callers and tests can tell failures apart. */
    public enum Kind {
        /** The input was empty, or a batch held no seed at all. */
        EMPTY_INPUT,
        /** The secret has a character outside the base32 alphabet or an impossible length. */
        BAD_BASE32,
        /** The secret is shorter than {@code TotpSeed.MIN_SECRET_SIZE_BYTES}. */
        SECRET_TOO_SHORT,
        /** The secret is longer than {@code TotpSeed.MAX_SECRET_SIZE_BYTES}. */
        SECRET_TOO_LONG,
        /** The seed is counter-based (HOTP) or of an unspecified type; only TOTP is served. */
        NOT_TOTP,
        /** The algorithm is not SHA1, SHA256 or SHA512. */
        UNKNOWN_ALGORITHM,
        /** The number of digits is not 6, 7 or 8. */
        DIGITS_OUT_OF_RANGE,
        /** The period is not whole seconds from 1 to 86400. */
        PERIOD_OUT_OF_RANGE,
        /** The text looks like a URI but is not a valid {@code otpauth://} or {@code otpauth-migration://} one. */
        BAD_URI,
        /** An image holds no QR code that could be read. */
        NO_QR_CODE,
        /** An image file cannot be read: damaged, too large, missing. */
        BAD_IMAGE,
        /** A file is not in an image format this build reads (PNG, JPEG, GIF, BMP). */
        NOT_AN_IMAGE,
        /** A Google Authenticator export payload ends early. */
        TRUNCATED_MIGRATION,
        /** A Google Authenticator export is malformed, or a multi-part export is incomplete. */
        BAD_MIGRATION,
        /** Two seeds of one batch would get the same label. */
        DUPLICATE_LABEL,
        /** Labels and entries do not match up: an entry without label, an invalid or unused label. */
        BAD_MAPPING
    }

    private final Kind kind;
    private final List<String> problems;

    /**
     * @param kind the rule broken
     * @param message one line naming the entry and the rule, without secret material
     */
    public SeedImportException(Kind kind, String message) {
        this(kind, message, null);
    }

    SeedImportException(Kind kind, String message, Throwable cause) {
        super(oneLine(message), cause);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.problems = List.of(getMessage());
    }

    /**
     * Several problems found together, such as every bad entry of one export: the message joins them
     * with {@code "; "}, {@link #problems()} keeps them apart.
     *
     * @param kind the rule the first problem broke
     * @param problems one line each, naming the entry and the rule, without secret material
     */
    SeedImportException(Kind kind, List<String> problems) {
        super(String.join("; ", problems.stream().map(SeedImportException::oneLine).toList()));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("No problem given");
        }
        this.kind = Objects.requireNonNull(kind, "kind");
        this.problems = problems.stream().map(SeedImportException::oneLine).toList();
    }

    private SeedImportException(Kind kind, List<String> problems, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.problems = problems;
    }

    /**
     * Each problem on its own, in input order: one element, the message, for a single problem; one per
     * bad entry when an export holds several bad entries.
     */
    public List<String> problems() {
        return problems;
    }

    /** The rule broken. */
    public Kind kind() {
        return kind;
    }

    /** The same failure, with {@code where} (an entry or a source) put in front of the message. */
    SeedImportException in(String where) {
        List<String> placed = problems.stream().map(p -> oneLine(where + ": " + p)).toList();
        return new SeedImportException(kind, placed, String.join("; ", placed), getCause());
    }

    private static String oneLine(String message) {
        Objects.requireNonNull(message, "message");
        return message.replaceAll("[\\r\\n]+", " ");
    }
}
