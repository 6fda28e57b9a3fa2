package dev.mfagate.api.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a small settings file whole, never more than a bound. {@link Files#size} alone does not bound
 * it: a device or a pipe ({@code /dev/zero}, {@code <(...)}) reports size 0 and can be endless, and
 * {@code --zuliprc /dev/zero} ended the bot with an OutOfMemoryError. The JDK has no bounded read of a
 * file as text, hence these few lines. Stateless.
 */
public final class BoundedFiles {

    private BoundedFiles() {
    }

    /** Thrown when the file holds more than the bound; the message names the file and the bound. */
    public static final class TooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        TooLargeException(Path file, long maxBytes) {
            super(file + " holds more than " + maxBytes + " bytes, more than a settings file can be");
        }
    }

    /**
     * The file's text as UTF-8, read through at most {@code maxBytes} + 1 bytes.
     *
     * @throws TooLargeException if it holds more than {@code maxBytes}
     * @throws java.nio.charset.CharacterCodingException if it is not UTF-8, as {@link Files#readString} throws
     * @throws IOException if it cannot be read
     */
    public static String readUtf8(Path file, int maxBytes) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(maxBytes + 1);
            if (bytes.length > maxBytes) {
                throw new TooLargeException(file, maxBytes);
            }
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        }
    }
}
