package dev.mfagate.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mfagate.core.testing.PolicyTestDatabases;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseSmokeTest {

    @RegisterExtension
    static final PolicyTestDatabases DBS = new PolicyTestDatabases();

    @Test
    void openSqlite_fileThatIsNotSqlite_saysSoInASentence(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("mfagate.db");
        Files.writeString(file, "garbage, not a database\n".repeat(20));
        assertThatThrownBy(() -> Database.openSqlite(file)).isInstanceOf(IllegalStateException.class)
                .hasMessage("sqlite:" + file.toAbsolutePath() + " is not an SQLite database (or it is damaged); restore the store"
                        + " from a backup, or give the right --data-dir");
    }

    @Test
    void openPostgres_databaseOfOtherTables_saysSoInASentenceAndAddsNothing() throws Exception {
        String target = DBS.freshTarget(PolicyTestDatabases.Backend.POSTGRESQL);
        try (Connection c = DriverManager.getConnection(target); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE customers (id int)");
        }
        assertThatThrownBy(() -> DBS.open(PolicyTestDatabases.Backend.POSTGRESQL, target)).isInstanceOf(IllegalStateException.class)
                .hasMessageEndingWith(" holds tables but no mfagate schema; give an empty database or an mfagate store")
                .hasMessageNotContaining("Flyway");
        try (Connection c = DriverManager.getConnection(target);
             ResultSet tables = c.getMetaData().getTables(null, target.replaceAll(".*currentSchema=", ""), "%", new String[] {"TABLE"})) {
            List<String> names = new ArrayList<>();
            while (tables.next()) {
                names.add(tables.getString("TABLE_NAME"));
            }
            assertThat(names).containsExactly("customers");
        }
    }

    @Test
    void openSqlite_newFile_runsMigrations(@TempDir Path dir) {
        try (Database db = Database.openSqlite(dir.resolve("m.db"))) {
            Integer n = db.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM flyway_schema_history WHERE success = 1").mapTo(Integer.class).one());
            assertThat(n).isGreaterThanOrEqualTo(1);
            String mode = db.jdbi().withHandle(h -> h.createQuery("PRAGMA journal_mode").mapTo(String.class).one());
            assertThat(mode).isEqualToIgnoringCase("wal");
            for (String[] pragma : new String[][] {
                    // pragma          expected  why
                    {"synchronous",    "2",      "FULL: a committed audit entry survives power loss"},
                    {"secure_delete",  "1",      "removed ciphertexts and token hashes are overwritten"},
                    {"foreign_keys",   "1",      "references hold"},
                    {"busy_timeout",   "5000",   "writers wait for each other instead of failing"},
                    {"mmap_size",      "0",      "an I/O error or a full disk is an error code, not a SIGBUS"},
                    {"cache_size",     "-512",   "512 KiB of page cache per connection, not SQLite's 2 MiB"}}) {
                String value = db.jdbi().withHandle(h -> h.createQuery("PRAGMA " + pragma[0]).mapTo(String.class).one());
                assertThat(value).as(pragma[0] + ": " + pragma[2]).isEqualTo(pragma[1]);
            }
        }
    }
}
