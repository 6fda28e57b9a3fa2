package dev.mfagate.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.core.store.Store;
import dev.mfagate.gateway.InProcessCli;
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
        var cl = InProcessCli.in(null).commandLine();
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
    void initDatabase_keysInAnHsm_refusedInitSaysWhatStays_secondInitNamesTheProvider() throws Exception {
        String url = STORES.fresh(TestStores.Backend.POSTGRESQL, dir).databaseUrl();
        dev.mfagate.core.testing.SoftHsm hsm = dev.mfagate.core.testing.SoftHsm.forThisJvm();
        String label = "init-kek-" + java.util.UUID.randomUUID();
        hsm.generateAesKey(label);
        // Refused by the provider: a key the token does not hold. (A wrong PIN is not refused when another
        // test in this JVM is logged in to the token already: PKCS#11 logins belong to the process.)
        InProcessCli noKey = InProcessCli.in(dir.resolve("first")).withEnv(java.util.Map.of("MFAGATE_PKCS11_PIN", dev.mfagate.core.testing.SoftHsm.PIN));
        InProcessCli.Result refused = noKey.run("init", "--database", url, "--kek", hsm.reference(label + "-missing"));
        assertThat(refused.exitCode()).as(refused.err()).isEqualTo(ExitCodes.FAILURE);
        assertThat(refused.err()).startsWith("mfagate: Not initialised (no keyset or key was written; the database keeps the empty"
                + " schema made for it, which a later init uses): ");

        InProcessCli rightPin = InProcessCli.in(dir.resolve("first")).withEnv(java.util.Map.of("MFAGATE_PKCS11_PIN", dev.mfagate.core.testing.SoftHsm.PIN));
        InProcessCli.Result init = rightPin.run("init", "--database", url, "--kek", hsm.reference(label));
        assertThat(init.exitCode()).as(init.err()).isZero();

        InProcessCli.Result again = InProcessCli.in(dir.resolve("second")).run("init", "--database", url);
        assertThat(again.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(again.err()).contains("initialised already").contains("its keys live in " + hsm.reference(label))
                .doesNotContain("keyset.json");
        assertThat(dir.resolve("second").resolve(Store.KEYSET_FILE_NAME)).doesNotExist();
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
    void openDatabase_unreachable_namesWhereAndWhatToCheckWithoutPassword() {
        Store.init(dir).close();
        assertThat(run("token", "list", "--data-dir", dir.toString(),
                "--database", "postgresql://mfagate:s3cret-pw@127.0.0.1:1/nothing")).isEqualTo(ExitCodes.FAILURE);
        assertThat(err.toString())
                .startsWith("mfagate: Cannot connect to PostgreSQL (host 127.0.0.1, port 1, database nothing, user mfagate): ")
                .contains("server is running and listens on 127.0.0.1:1")
                .doesNotContain("s3cret").hasLineCount(1);
    }

    @Test
    void openDatabase_hostThatDoesNotResolve_saysSoWithoutPassword() {
        Store.init(dir).close();
        // .invalid never resolves (RFC 2606).
        assertThat(run("token", "list", "--data-dir", dir.toString(),
                "--database", "postgresql://mfagate:s3cret-pw@db.example.invalid:5432/mfagate")).isEqualTo(ExitCodes.FAILURE);
        assertThat(err.toString())
                .isEqualTo("mfagate: Cannot connect to PostgreSQL (host db.example.invalid, port 5432, database mfagate, user"
                        + " mfagate): the host name does not resolve. Check the host in the URL and this machine's DNS (or"
                        + " /etc/hosts).\n");
    }

    @Test
    void openDatabase_unknownDatabase_namesHostPortDatabaseUserAndCreatedbWithoutPassword() {
        Store.init(dir).close();
        assertThat(run("token", "list", "--data-dir", dir.toString(),
                "--database", "postgresql://postgres:wrong-pw-9431@127.0.0.1:5432/mfagate_no_such_db")).isEqualTo(ExitCodes.FAILURE);
        assertThat(err.toString())
                .startsWith("mfagate: Cannot connect to PostgreSQL (host 127.0.0.1, port 5432, database mfagate_no_such_db,"
                        + " user postgres): ")
                .contains("does not exist").contains("createdb -h 127.0.0.1 -p 5432 -U postgres mfagate_no_such_db")
                .doesNotContain("wrong-pw-9431").hasLineCount(1);
    }

    @Test
    void openDatabase_refusedLogin_pointsAtPasswordAndPgHbaWithoutPassword() {
        Store.init(dir).close();
        // An unknown role is refused whatever pg_hba.conf says (the local test server trusts every known one).
        assertThat(run("token", "list", "--data-dir", dir.toString(),
                "--database", "postgres://mfagate_no_such_role:wrong-pw-9431@127.0.0.1:5432/test")).isEqualTo(ExitCodes.FAILURE);
        assertThat(err.toString())
                .startsWith("mfagate: Cannot connect to PostgreSQL (host 127.0.0.1, port 5432, database test,"
                        + " user mfagate_no_such_role): ")
                .contains("password").contains("pg_hba.conf")
                .doesNotContain("wrong-pw-9431").hasLineCount(1);
    }

    @Test
    void openDatabase_malformedUrl_badInputWithoutQuotingIt() {
        Store.init(dir).close();
        assertThat(run("token", "list", "--data-dir", dir.toString(),
                "--database", "postgresql://mfagate:pw#9431@db/mfagate")).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(err.toString()).startsWith("mfagate: Invalid PostgreSQL URL: ").contains("%23")
                .doesNotContain("9431").hasLineCount(1);
    }

    @Test
    void openDatabase_noMfagateSchema_refusedNamingItWithoutPassword_nothingWritten_initThenOpens() throws Exception {
        dev.mfagate.core.store.PostgresUrl fresh = dev.mfagate.core.store.PostgresUrl.parse(
                STORES.fresh(TestStores.Backend.POSTGRESQL, dir).databaseUrl());
        String schema = "empty_" + Long.toHexString(System.nanoTime());
        try (java.sql.Connection c = dev.mfagate.core.store.Database.postgresDataSource(fresh).getConnection();
             java.sql.Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        // The local server trusts this user: the password is sent, ignored, and must never be printed.
        String url = "postgresql://postgres:pw-7713@" + fresh.hosts().get(0) + "/" + fresh.database() + "?currentSchema=" + schema;
        // A keyset beside it (another store's): before the fix the command claimed the empty database for it.
        assertThat(run("init", "--data-dir", dir.resolve("other").toString())).as(err.toString()).isZero();

        for (String[] command : new String[][] {{"token", "list"}, {"audit", "verify"}, {"policy", "show"}}) {
            err.getBuffer().setLength(0);
            List<String> args = new ArrayList<>(List.of(command));
            args.addAll(List.of("--data-dir", dir.resolve("other").toString(), "--database", url));
            assertThat(run(args.toArray(String[]::new))).as(String.join(" ", command)).isEqualTo(ExitCodes.FAILURE);
            assertThat(err.toString().strip())
                    .isEqualTo("mfagate: No mfagate store in the PostgreSQL database " + fresh.database() + " (postgresql://postgres:***@"
                            + fresh.hosts().get(0) + "/" + fresh.database() + "?currentSchema=" + schema + "): it has no mfagate"
                            + " schema, and nothing was written to it; run 'mfagate init --database URL' to make a store there,"
                            + " or fix the database in the URL")
                    .doesNotContain("pw-7713");
        }
        try (java.sql.Connection c = dev.mfagate.core.store.Database.postgresDataSource(fresh).getConnection();
             java.sql.PreparedStatement s = c.prepareStatement("SELECT count(*) FROM pg_tables WHERE schemaname = ?")) {
            s.setString(1, schema);
            try (java.sql.ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).as("tables left in the schema by refused commands").isZero();
            }
        }

        err.getBuffer().setLength(0);
        Path made = dir.resolve("made");
        assertThat(run("init", "--data-dir", made.toString(), "--database", url)).as(err.toString()).isZero();
        assertThat(run("token", "list", "--data-dir", made.toString(), "--database", url)).as(err.toString()).isZero();
    }

    @Test
    void openDatabase_sqliteUrlOfNoFile_refusedWithoutMakingOne() {
        Store.init(dir.resolve("data")).close();
        Path missing = dir.resolve("missing.db");
        assertThat(run("token", "list", "--data-dir", dir.resolve("data").toString(), "--database", "sqlite:" + missing))
                .isEqualTo(ExitCodes.FAILURE);
        assertThat(err.toString().strip()).isEqualTo("mfagate: No mfagate store at " + missing.toAbsolutePath()
                + "; run 'mfagate init' first (or fix the path in the URL)");
        assertThat(missing).doesNotExist();
    }
}
