package dev.mfagate.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseSmokeTest {
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
