package dev.mfagate.core.crypto;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;

/**
 * Writes secret files: created with mode 0600 from the first byte (never chmod-ed afterwards),
 * flushed to disk, then put in place with one atomic file-system operation, and the directory
 * flushed, so a crash leaves either the old file or the new one, never a torn one.
 */
final class SecureFiles {

    static final Set<PosixFilePermission> OWNER_READ_WRITE =
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

    private static final SecureRandom RANDOM = new SecureRandom();

    private SecureFiles() {}

    /**
     * Writes {@code content} to {@code target}, which must not exist.
     *
     * @throws IllegalStateException if {@code target} exists (it is left untouched)
     */
    static void writeNew(Path target, byte[] content) {
        Path temp = writeTemp(target, content);
        try {
            try {
                // link(2) fails if the target exists, so two racing writers cannot both win.
                Files.createLink(target, temp);
            } catch (UnsupportedOperationException e) {
                Files.move(temp, target);
            }
            fsyncDirectory(target.toAbsolutePath().getParent());
        } catch (FileAlreadyExistsException e) {
            throw new IllegalStateException("Refusing to overwrite " + target + ": it already exists");
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write " + target, e);
        } finally {
            deleteQuietly(temp);
        }
    }

    /** Replaces {@code target} with {@code content} atomically (rename over it). */
    static void replace(Path target, byte[] content) {
        Path temp = writeTemp(target, content);
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            fsyncDirectory(target.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("Could not replace " + target, e);
        } finally {
            deleteQuietly(temp);
        }
    }

    /** The permissions of {@code file} as an octal mode such as {@code 0600}. */
    static String mode(Set<PosixFilePermission> permissions) {
        int mode = 0;
        for (PosixFilePermission p : permissions) {
            mode |= 1 << (8 - p.ordinal());
        }
        return String.format("0%o", mode);
    }

    private static Path writeTemp(Path target, byte[] content) {
        Path dir = target.toAbsolutePath().getParent();
        Path temp = dir.resolve("." + target.getFileName() + "." + HexFormat.of().formatHex(randomBytes()) + ".tmp");
        try (FileChannel channel = FileChannel.open(temp,
                EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(OWNER_READ_WRITE))) {
            Set<PosixFilePermission> actual = Files.getPosixFilePermissions(temp);
            if (!actual.equals(OWNER_READ_WRITE)) {
                // Only a umask that strips the owner's own bits gets here; refuse rather than chmod.
                throw new IllegalStateException("Could not create " + temp + " with mode 0600 (got "
                        + mode(actual) + "); check the umask");
            }
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
            return temp;
        } catch (UnsupportedOperationException e) {
            deleteQuietly(temp);
            throw new IllegalStateException("Keyset files need a POSIX file system (for mode 0600): " + dir);
        } catch (IOException e) {
            deleteQuietly(temp);
            throw new UncheckedIOException("Could not write a temporary file in " + dir, e);
        } catch (RuntimeException e) {
            deleteQuietly(temp);
            throw e;
        }
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return b;
    }

    /** Makes a rename or link durable: fsync of the directory (a no-op where the platform refuses it). */
    static void fsyncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some platforms cannot open a directory; the rename itself is still atomic there.
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // A stale temp file holds no more than the keyset file itself, with the same mode.
        }
    }
}
