package dev.mfagate.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The refusal of a SQLite store whose files this process cannot write. Writability is judged here
 * by the owner's mode bits, as for a non-root owner: the tests may run as root, who writes any mode.
 */
class SqliteFileAccessTest {

    /** What a non-root owner may write: what the owner's write bit allows. */
    private static final Predicate<Path> OWNER_MODE = p -> {
        try {
            return Files.getPosixFilePermissions(p).contains(PosixFilePermission.OWNER_WRITE);
        } catch (java.io.IOException e) {
            return false;
        }
    };

    @TempDir
    Path dir;

    @Test
    void refusal_writableFilesAndDirectory_none() throws Exception {
        Path db = Files.createFile(dir.resolve("mfagate.db"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        assertThat(SqliteFileAccess.refusal(db, OWNER_MODE, owner(db))).isEmpty();
    }

    @Test
    void refusal_walAndShmLeftReadOnlyByARefusedStart_namesThemAndTheChmod() throws Exception {
        Path db = file("mfagate.db", "rw-------");
        file("mfagate.db-wal", "r--------");
        file("mfagate.db-shm", "r--------");
        String user = owner(db);
        assertThat(SqliteFileAccess.refusal(db, OWNER_MODE, user)).contains("Cannot open the store " + db + " for writing as user "
                + user + ": mfagate.db-wal (mode 0400, owner " + user + ") and mfagate.db-shm (mode 0400, owner " + user + ")"
                + " are not writable by this user; give their owner read and write on mfagate.db, mfagate.db-wal and"
                + " mfagate.db-shm and on their directory (chmod 0600 " + db + "-wal " + db + "-shm)");
    }

    @Test
    void refusal_readOnlyDatabaseOfAnotherUser_saysChmodAndChown() throws Exception {
        Path db = file("mfagate.db", "r--------");
        String owner = owner(db);
        assertThat(SqliteFileAccess.refusal(db, OWNER_MODE, "mfagate-svc")).contains("Cannot open the store " + db
                + " for writing as user mfagate-svc: mfagate.db (mode 0400, owner " + owner + ") is not writable by this user;"
                + " give their owner read and write on mfagate.db, mfagate.db-wal and mfagate.db-shm and on their directory"
                + " (chmod 0600 " + db + ", and run as their owner or chown them to mfagate-svc)");
    }

    @Test
    void refusal_directoryReadOnly_namesItAndChmod0700() throws Exception {
        Path db = file("mfagate.db", "rw-------");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-x------"));
        try {
            String user = owner(db);
            assertThat(SqliteFileAccess.refusal(db, OWNER_MODE, user)).hasValueSatisfying(m -> assertThat(m)
                    .contains(": its directory " + dir + " (mode 0500, owner " + user + ") is not writable by this user;")
                    .endsWith("(chmod 0700 " + dir + ")"));
        } finally {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void refusal_modeAllowsButNotWritable_pointsAtImmutableMountOrAcl() throws Exception {
        Path db = file("mfagate.db", "rw-------");
        String user = owner(db);
        assertThat(SqliteFileAccess.refusal(db, p -> !p.equals(db), user)).hasValueSatisfying(m -> assertThat(m)
                .contains("mfagate.db (mode 0600, owner " + user + ") is not writable")
                .contains("look for the immutable attribute (lsattr), a read-only mount or an ACL"));
    }

    private Path file(String name, String mode) throws Exception {
        Path f = Files.createFile(dir.resolve(name));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        return f;
    }

    private static String owner(Path p) throws Exception {
        return Files.getOwner(p).getName();
    }
}
