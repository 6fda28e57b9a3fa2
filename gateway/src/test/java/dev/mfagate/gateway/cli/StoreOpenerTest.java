package dev.mfagate.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.core.store.Store;
import dev.mfagate.gateway.TestStores;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code init --database} and opening a PostgreSQL store from the CLI: keyset local, one init per database. */
class StoreOpenerTest {

    @RegisterExtension
    static final TestStores STORES = new TestStores();

    @TempDir
    Path dir;
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        var cl = MfagateCommand.commandLine();
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void initDatabase_keysetStaysLocal_secondInitRefusedWithoutWritingAKeyset() throws Exception {
        String url = STORES.fresh(TestStores.Backend.POSTGRESQL, dir).databaseUrl();
        Path first = dir.resolve("first");
        assertThat(run("init", "--data-dir", first.toString(), "--database", url)).as(err.toString()).isZero();
        assertThat(Files.getPosixFilePermissions(first.resolve(Store.KEYSET_FILE_NAME)))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(first.resolve(Store.DATABASE_FILE_NAME)).as("no SQLite file beside it").doesNotExist();

        Path second = dir.resolve("second");
        assertThat(run("init", "--data-dir", second.toString(), "--database", url)).isEqualTo(ExitCodes.FAILURE);
        assertThat(err.toString()).contains("initialised already").contains("copy keyset.json").contains("MFAGATE_KEYSET");
        assertThat(second.resolve(Store.KEYSET_FILE_NAME)).doesNotExist();

        assertThat(run("init", "--data-dir", first.toString(), "--database", url)).isEqualTo(ExitCodes.FAILURE);
        assertThat(err.toString()).contains("is never overwritten");
    }

    @Test
    void openDatabase_copiedKeysetWorks_missingKeysetNamesTheFix() throws Exception {
        String url = STORES.fresh(TestStores.Backend.POSTGRESQL, dir).databaseUrl();
        Path first = dir.resolve("first");
        assertThat(run("init", "--data-dir", first.toString(), "--database", url)).as(err.toString()).isZero();

        Path second = dir.resolve("second");
        assertThat(run("token", "list", "--data-dir", second.toString(), "--database", url)).isEqualTo(ExitCodes.FAILURE);
        assertThat(err.toString()).contains("No keyset for the database").contains("copy keyset.json");

        Files.createDirectories(second);
        Files.copy(first.resolve(Store.KEYSET_FILE_NAME), second.resolve(Store.KEYSET_FILE_NAME));
        Files.setPosixFilePermissions(second.resolve(Store.KEYSET_FILE_NAME),
                java.util.Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        assertThat(run("token", "list", "--data-dir", second.toString(), "--database", url)).as(err.toString()).isZero();
    }

    @Test
    void openDatabase_keysetOfAnotherStore_refused() throws Exception {
        String url = STORES.fresh(TestStores.Backend.POSTGRESQL, dir).databaseUrl();
        assertThat(run("init", "--data-dir", dir.resolve("first").toString(), "--database", url)).as(err.toString()).isZero();
        assertThat(run("init", "--data-dir", dir.resolve("other").toString())).isZero();
        assertThat(run("token", "list", "--data-dir", dir.resolve("other").toString(), "--database", url))
                .isEqualTo(ExitCodes.FAILURE);
        assertThat(err.toString()).contains("does not hold KEK");
    }

    @Test
    void openDatabase_unreachable_oneLineReasonWithoutPassword() {
        List<String> args = new ArrayList<>(List.of("token", "list", "--data-dir", dir.toString(),
                "--database", "postgresql://mfagate:s3cret@127.0.0.1:1/nothing"));
        Store.init(dir).close();
        assertThat(run(args.toArray(String[]::new))).isEqualTo(ExitCodes.FAILURE);
        assertThat(err.toString()).startsWith("mfagate: Cannot open the database postgresql://mfagate:***@127.0.0.1:1/nothing")
                .doesNotContain("s3cret").hasLineCount(1);
    }
}
