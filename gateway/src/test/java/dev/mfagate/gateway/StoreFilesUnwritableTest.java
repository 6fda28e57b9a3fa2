package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.core.store.Store;
import dev.mfagate.gateway.cli.ExitCodes;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A SQLite store whose database file cannot be written (the immutable attribute, which holds for
 * root too, see {@link FileFaults}; a mode taken from the service user is the same to SQLite) is
 * refused in one line naming the file, before SQLite opens it: no read-only {@code -wal} or
 * {@code -shm} is left behind to keep the store shut once the file is fixed.
 */
class StoreFilesUnwritableTest {

    @TempDir
    Path dir;
    private Path db;

    @AfterEach
    void clear() {
        if (db != null) {
            FileFaults.immutable(false, db);
        }
    }

    @Test
    void tokenList_databaseFileUnwritable_oneLineNamingItAndNoWalOrShmLeft_opensOnceFixed() throws Exception {
        FileFaults.requireImmutableAttribute(dir);
        Path data = dir.resolve("data");
        Store.init(data).close();
        db = data.resolve(Store.DATABASE_FILE_NAME);
        Files.deleteIfExists(Path.of(db + "-wal"));
        Files.deleteIfExists(Path.of(db + "-shm"));
        FileFaults.immutable(true, db);

        InProcessCli.Result refused = InProcessCli.in(data).run("token", "list");
        assertThat(refused.exitCode()).as(refused.err()).isEqualTo(ExitCodes.FAILURE);
        assertThat(refused.errLines()).hasSize(1);
        assertThat(refused.err()).startsWith("mfagate: Cannot open the store " + db.toAbsolutePath() + " for writing as user ")
                .contains(": mfagate.db (mode 0600, owner ").contains(") is not writable by this user;")
                .contains("chmod 0600 " + db.toAbsolutePath()).contains("immutable attribute (lsattr)")
                .doesNotContain("SQLITE").doesNotContain("...");
        assertThat(Path.of(db + "-wal")).as("no -wal made by the refused open").doesNotExist();
        assertThat(Path.of(db + "-shm")).as("no -shm made by the refused open").doesNotExist();

        FileFaults.immutable(false, db);
        InProcessCli.Result fixed = InProcessCli.in(data).run("token", "list");
        assertThat(fixed.exitCode()).as(fixed.err()).isZero();
    }
}
