package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mfagate.core.store.Store;
import dev.mfagate.gateway.cli.ExitCodes;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code audit verify}, {@code export} and {@code anchor} on a copy of a SQLite store that cannot be
 * written (a backup, a forensic copy): the immutable attribute on its files and directory, which
 * holds for root too (see {@link FileFaults}), as a copy owned by someone else with mode 0400 in a
 * directory of 0555 is to an auditor. They read it read-only, never migrate it and leave every
 * byte and time stamp of it as it was; a schema older or newer than this build's is refused in one
 * line.
 */
class AuditReadOnlyCopyTest {

    /** Entries the store's trail holds: a token created, a seed added. */
    private static final int ENTRIES = 2;

    @TempDir
    Path tmp;
    private Path store;
    private final List<Path> immutable = new ArrayList<>();

    @BeforeEach
    void populate() {
        FileFaults.requireImmutableAttribute(tmp);
        store = tmp.resolve("store");
        Store.init(store).close();
        InProcessCli cli = InProcessCli.in(store);
        InProcessCli.Result token = cli.run("token", "create", "--name", "auditor", "--labels", "acme-*");
        assertThat(token.exitCode()).as(token.err()).isZero();
        InProcessCli.Result seed = cli.runWithStdin("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP\n", "seed", "add", "acme-aws");
        assertThat(seed.exitCode()).as(seed.err()).isZero();
    }

    @AfterEach
    void clear() {
        // Children first: an immutable directory refuses the removal of its entries.
        FileFaults.immutable(false, immutable.reversed().toArray(Path[]::new));
    }

    @Test
    void auditVerifyExportAnchor_unwritableCopy_readItAndChangeNothing() throws Exception {
        Path copy = readOnlyCopy("copy");
        Map<String, String> before = snapshot(copy);

        InProcessCli.Result verify = InProcessCli.in(copy).run("audit", "verify");
        assertThat(verify.exitCode()).as(verify.err()).isEqualTo(ExitCodes.OK);
        assertThat(verify.out()).startsWith("OK: " + ENTRIES + " entries verified");

        Path exported = tmp.resolve("export.jsonl");
        InProcessCli.Result export = InProcessCli.in(copy).run("audit", "export", "--output", exported.toString());
        assertThat(export.exitCode()).as(export.err()).isEqualTo(ExitCodes.OK);
        List<String> lines = Files.readAllLines(exported);
        assertThat(lines).hasSize(ENTRIES);
        ObjectMapper json = new ObjectMapper();
        List<String> routes = new ArrayList<>();
        for (String line : lines) {
            routes.add(json.readTree(line).path("route").asText());
        }
        assertThat(routes).containsExactly("cli:token-create", "cli:seed-add");

        InProcessCli.Result anchor = InProcessCli.in(copy).run("audit", "anchor");
        assertThat(anchor.exitCode()).as(anchor.err()).isEqualTo(ExitCodes.OK);
        assertThat(anchor.out()).startsWith(ENTRIES + ":");

        assertThat(snapshot(copy)).as("every file of the copy, its bytes and times, and the directory").isEqualTo(before);
    }

    @Test
    void auditVerify_unwritableCopyEditedBeforehand_exit3NamingTheEntry() throws Exception {
        sql(store, "UPDATE audit_entry SET detail = 'by nobody' WHERE seq = 1");
        Path copy = readOnlyCopy("tampered");
        Map<String, String> before = snapshot(copy);

        InProcessCli.Result verify = InProcessCli.in(copy).run("audit", "verify");

        assertThat(verify.exitCode()).as(verify.err()).isEqualTo(ExitCodes.TAMPERED);
        assertThat(verify.out()).startsWith("TAMPERED: EDITED: entry 1 was modified");
        assertThat(snapshot(copy)).isEqualTo(before);
    }

    @Test
    void auditVerify_unwritableCopyOfAnOlderSchema_refusedInOneLineNotMigrated() throws Exception {
        sql(store, "DELETE FROM flyway_schema_history WHERE installed_rank ="
                + " (SELECT max(installed_rank) FROM flyway_schema_history WHERE version IS NOT NULL)");
        Path copy = readOnlyCopy("older");
        Map<String, String> before = snapshot(copy);

        InProcessCli.Result verify = InProcessCli.in(copy).run("audit", "verify");

        assertThat(verify.exitCode()).as(verify.err()).isEqualTo(ExitCodes.FAILURE);
        assertThat(verify.errLines()).hasSize(1);
        assertThat(verify.err()).contains("has an older schema than this mfagate's, and a read-only store is never migrated")
                .doesNotContain("SQLITE");
        assertThat(snapshot(copy)).isEqualTo(before);
    }

    @Test
    void auditExport_unwritableCopyOfANewerSchema_refusedInOneLine() throws Exception {
        sql(store, "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum,"
                + " installed_by, installed_on, execution_time, success) VALUES (999, '999', 'later', 'SQL',"
                + " 'V999__later.sql', 0, 'test', '2026-01-01 00:00:00', 0, 1)");
        Path copy = readOnlyCopy("newer");

        InProcessCli.Result export = InProcessCli.in(copy).run("audit", "export");

        assertThat(export.exitCode()).as(export.err()).isEqualTo(ExitCodes.FAILURE);
        assertThat(export.errLines()).hasSize(1);
        assertThat(export.err()).contains("has a newer schema than this mfagate's (a later version wrote it)");
    }

    /** A copy of the store's database and keyset, made immutable with its directory. */
    private Path readOnlyCopy(String name) throws Exception {
        Path copy = tmp.resolve(name);
        Files.createDirectories(copy);
        for (String file : new String[] {Store.DATABASE_FILE_NAME, Store.KEYSET_FILE_NAME}) {
            Files.copy(store.resolve(file), copy.resolve(file));
        }
        assertThat(store.resolve(Store.DATABASE_FILE_NAME + "-wal")).as("every write checkpointed: nothing left out of the copy")
                .doesNotExist();
        immutable.add(copy);
        immutable.add(copy.resolve(Store.DATABASE_FILE_NAME));
        immutable.add(copy.resolve(Store.KEYSET_FILE_NAME));
        FileFaults.immutable(true, copy.resolve(Store.DATABASE_FILE_NAME), copy.resolve(Store.KEYSET_FILE_NAME), copy);
        return copy;
    }

    /** Each entry of {@code dir} (and {@code dir} itself) by name: its SHA-256 for a file, and its modification time. */
    private static Map<String, String> snapshot(Path dir) throws Exception {
        Map<String, String> all = new TreeMap<>();
        all.put(".", String.valueOf(Files.getLastModifiedTime(dir, LinkOption.NOFOLLOW_LINKS)));
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
                all.put(f.getFileName().toString(), digest + " " + Files.getLastModifiedTime(f, LinkOption.NOFOLLOW_LINKS));
            }
        }
        return all;
    }

    private static void sql(Path dataDir, String... statements) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(Store.DATABASE_FILE_NAME));
             Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }
}
