package dev.mfagate.core.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Whether this process may write a SQLite store's files, asked before SQLite opens them. SQLite
 * opens an unwritable database read-only without a word, and in WAL mode then makes its
 * {@code -wal} and {@code -shm} with the database file's mode: a refused start left them behind
 * read-only, and the store stayed unopenable after the database file itself was fixed. Checked
 * first, nothing is created, and the refusal names every file (and the directory) that needs
 * fixing and the {@code chmod} that fixes it. Stateless.
 */
final class SqliteFileAccess {

    private SqliteFileAccess() {
    }

    /** Refuses, in one line, a store whose file, {@code -wal}, {@code -shm} or directory this process cannot write. */
    static void requireWritable(Path databaseFile) {
        refusal(databaseFile, Files::isWritable, System.getProperty("user.name", "?")).ifPresent(message -> {
            throw new IllegalStateException(message);
        });
    }

    /**
     * What is wrong with the files of the store at {@code databaseFile} for a process running as
     * {@code user} that may write what {@code writable} accepts; empty when nothing is.
     */
    static Optional<String> refusal(Path databaseFile, Predicate<Path> writable, String user) {
        Path file = databaseFile.toAbsolutePath();
        Path directory = file.getParent();
        String name = file.getFileName().toString();
        List<Path> files = List.of(file, file.resolveSibling(name + "-wal"), file.resolveSibling(name + "-shm"));
        List<String> problems = new ArrayList<>();
        List<Path> toFix = new ArrayList<>();
        boolean otherOwner = false;
        boolean modeAllows = false;
        for (Path f : files) {
            if (Files.exists(f, LinkOption.NOFOLLOW_LINKS) && !writable.test(f)) {
                problems.add(f.getFileName() + " (" + describe(f) + ")");
                toFix.add(f);
                otherOwner |= !owner(f).equals(user);
                modeAllows |= owner(f).equals(user) && ownerMayWrite(f);
            }
        }
        boolean directoryUnwritable = !writable.test(directory);
        if (directoryUnwritable) {
            problems.add("its directory " + directory + " (" + describe(directory) + ")");
            otherOwner |= !owner(directory).equals(user);
            modeAllows |= owner(directory).equals(user) && ownerMayWrite(directory);
        }
        if (problems.isEmpty()) {
            return Optional.empty();
        }
        StringBuilder fix = new StringBuilder();
        if (!toFix.isEmpty()) {
            fix.append("chmod 0600 ").append(String.join(" ", toFix.stream().map(Path::toString).toList()));
        }
        if (directoryUnwritable) {
            fix.append(fix.isEmpty() ? "" : " and ").append("chmod 0700 ").append(directory);
        }
        return Optional.of("Cannot open the store " + file + " for writing as user " + user + ": "
                + join(problems) + (problems.size() == 1 ? " is" : " are") + " not writable by this user; give their"
                + " owner read and write on " + name + ", " + name + "-wal and " + name + "-shm and on their directory ("
                + fix + (otherOwner ? ", and run as their owner or chown them to " + user : "")
                + (modeAllows ? "; where the mode allows writing already, look for the immutable attribute (lsattr),"
                        + " a read-only mount or an ACL" : "") + ")");
    }

    private static boolean ownerMayWrite(Path path) {
        try {
            return Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS).contains(PosixFilePermission.OWNER_WRITE);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static String join(List<String> items) {
        if (items.size() == 1) {
            return items.get(0);
        }
        return String.join(", ", items.subList(0, items.size() - 1)) + " and " + items.get(items.size() - 1);
    }

    /** "mode 0400, owner nobody", or as much of it as can be read. */
    private static String describe(Path path) {
        try {
            PosixFileAttributes a = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return "mode " + octal(a.permissions()) + ", owner " + a.owner().getName();
        } catch (IOException | UnsupportedOperationException e) {
            return "mode unknown";
        }
    }

    private static String owner(Path path) {
        try {
            return Files.getOwner(path, LinkOption.NOFOLLOW_LINKS).getName();
        } catch (IOException | UnsupportedOperationException e) {
            return "?";
        }
    }

    private static String octal(Set<PosixFilePermission> permissions) {
        int mode = 0;
        for (PosixFilePermission p : permissions) {
            mode |= 1 << (8 - p.ordinal());
        }
        return String.format("0%03o", mode);
    }
}
