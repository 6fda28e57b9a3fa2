package dev.mfagate.core.seed;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * One input of a batch import: text (lines of base32 secrets and URIs, such as a file or standard
 * input) or an image file holding QR codes.
 *
 * <p>A final class rather than a record because text input holds secrets: {@link #toString()}
 * shows only the source name. Immutable and thread-safe.
 */
public final class ImportInput {

    private final String source;
    private final String text;
    private final Path image;

    private ImportInput(String source, String text, Path image) {
        this.source = source;
        this.text = text;
        this.image = image;
    }

    /**
     * Text with one seed per line: a base32 secret, an {@code otpauth://totp/} URI or an
     * {@code otpauth-migration://} URI. Blank lines and lines starting with {@code #} are skipped.
     *
     * @param source how messages name this input, for example a file name or "stdin"
     */
    public static ImportInput text(String source, String text) {
        Objects.requireNonNull(text, "text");
        // A byte-order mark, as some Windows editors write one, is not part of the first line.
        return new ImportInput(Objects.requireNonNull(source, "source"), text.startsWith("\uFEFF") ? text.substring(1) : text, null);
    }

    /** An image file (PNG, JPEG) with one or more QR codes; messages name it by its path. */
    public static ImportInput image(Path image) {
        Objects.requireNonNull(image, "image");
        return new ImportInput(image.toString(), null, image);
    }

    /** How messages and {@link ImportedEntry#source()} name this input. */
    public String source() {
        return source;
    }

    Optional<String> text() {
        return Optional.ofNullable(text);
    }

    Optional<Path> image() {
        return Optional.ofNullable(image);
    }

    /** Names the source only; the text may hold secrets. */
    @Override
    public String toString() {
        return "ImportInput[" + (image != null ? "image " : "text ") + source + "]";
    }
}
