package dev.mfagate.gateway.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The one {@code serve} of a SQLite store: an exclusive lock on {@value #FILE_NAME} in its data
 * directory, held until the gateway stops (the operating system drops it when the process dies, so
 * a crash leaves nothing to clean up). Rate limits, lockout and the tokens' last use are kept in
 * the serving process's memory on SQLite, so a second gateway on the same file doubled every limit;
 * several instances share PostgreSQL instead. CLI commands do not take the lock.
 */
final class ServeLock implements AutoCloseable {

    /** The lock file's name in the data directory; it holds the pid of the process that holds it. */
    static final String FILE_NAME = "serve.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private ServeLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock of the store in {@code dataDir}.
     *
     * @throws UserError when another process (or this one) holds it, naming its pid when known
     */
    static ServeLock acquire(Path dataDir) {
        Path file = dataDir.resolve(FILE_NAME);
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                String holder = holder(file);
                channel.close();
                throw UserError.failure("Another 'mfagate serve'" + holder + " serves the store in " + dataDir.toAbsolutePath()
                        + "; one gateway per SQLite store (its rate limits and lockout live in that process);"
                        + " stop it, or run several instances on PostgreSQL (--database)");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            return new ServeLock(channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            throw UserError.failure("Cannot lock " + file + " (" + e.getClass().getSimpleName() + "); check the data directory's permissions");
        }
    }

    private static String holder(Path file) {
        try {
            String pid = Files.readString(file, StandardCharsets.US_ASCII).strip();
            return pid.matches("[0-9]{1,10}") ? " (pid " + pid + ")" : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Nothing held.
            }
        }
    }

    /** Releases the lock; the file stays, empty of meaning. */
    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // The channel's close below releases it too.
        }
        closeQuietly(channel);
    }
}
