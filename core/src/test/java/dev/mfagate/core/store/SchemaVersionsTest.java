package dev.mfagate.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sqlite.SQLiteDataSource;

class SchemaVersionsTest {
    private static final List<Class<?>> JAVA = List.of(V4_1__AssignTenants.class);

    static Stream<Arguments> names() {
        return Stream.of(
                // name                            version
                Arguments.of("V1__seeds_keys_tokens.sql", "1"),
                Arguments.of("V3_1__key_provider.sql",    "3.1"),
                Arguments.of("V4_1__AssignTenants",       "4.1"),
                Arguments.of("V1_0__same_as_one.sql",     "1"),
                Arguments.of("V10__after_nine.sql",       "10"));
    }

    @ParameterizedTest
    @MethodSource("names")
    void versionOf_flywayName_versionAsFlywayReadsIt(String name, String version) {
        assertThat(SchemaVersions.versionOf(name)).isEqualTo(SchemaVersions.parse(version));
    }

    @Test
    void versionOf_notAVersionedName_refused() {
        assertThatThrownBy(() -> SchemaVersions.versionOf("R__views.sql")).hasMessageContaining("must be V<version>__<description>");
        assertThatThrownBy(() -> SchemaVersions.versionOf("V3a__x.sql")).hasMessageContaining("must be digits separated by dots");
    }

    @Test
    void available_bothDialects_everySqlFileAndTheJavaMigration() {
        for (Dialect d : Dialect.values()) {
            var versions = SchemaVersions.available("db/migration/" + d.migrationFolder(), JAVA).orElseThrow();
            assertThat(versions).as(d.name()).contains(v(1), v(2), v(3), v(3, 1), v(4), v(4, 1));
        }
    }

    @Test
    void isBehind_newThenMigratedThenAVersionMissingOrFailed_answersWhenFlywayHasWork(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("s.db");
        SQLiteDataSource ds = new SQLiteDataSource();
        ds.setUrl("jdbc:sqlite:" + file);
        String folder = "db/migration/sqlite";

        assertThat(SchemaVersions.isBehind(ds, folder, JAVA)).as("a new store").isTrue();
        Database.openSqlite(file).close();
        assertThat(SchemaVersions.isBehind(ds, folder, JAVA)).as("just migrated").isFalse();

        try (var c = ds.getConnection(); var s = c.createStatement()) {
            s.executeUpdate("UPDATE flyway_schema_history SET success = 0 WHERE version = '2'");
        }
        assertThat(SchemaVersions.isBehind(ds, folder, JAVA)).as("a failed migration").isTrue();
        try (var c = ds.getConnection(); var s = c.createStatement()) {
            s.executeUpdate("UPDATE flyway_schema_history SET success = 1 WHERE version = '2'");
            s.executeUpdate("DELETE FROM flyway_schema_history WHERE version = '4.1'");
        }
        assertThat(SchemaVersions.isBehind(ds, folder, JAVA)).as("the Java migration not applied").isTrue();
        assertThat(SchemaVersions.isBehind(ds, folder, List.of())).as("without it, the SQL files are all applied").isFalse();
    }

    @Test
    void standing_newCurrentOlderNewerOrFailed_toldApartWithoutWriting(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("s.db");
        SQLiteDataSource ds = new SQLiteDataSource();
        ds.setUrl("jdbc:sqlite:" + file);
        String folder = "db/migration/sqlite";

        assertThat(SchemaVersions.standing(ds, folder, JAVA)).as("no history table").isEqualTo(SchemaVersions.Standing.UNKNOWN);
        Database.openSqlite(file).close();
        assertThat(SchemaVersions.standing(ds, folder, JAVA)).as("just migrated").isEqualTo(SchemaVersions.Standing.CURRENT);
        assertThat(SchemaVersions.standing(ds, folder, List.of())).as("a migration this build lacks")
                .isEqualTo(SchemaVersions.Standing.NEWER);
        try (var c = ds.getConnection(); var s = c.createStatement()) {
            s.executeUpdate("DELETE FROM flyway_schema_history WHERE version = '4.1'");
        }
        assertThat(SchemaVersions.standing(ds, folder, JAVA)).as("one not applied").isEqualTo(SchemaVersions.Standing.OLDER);
        try (var c = ds.getConnection(); var s = c.createStatement()) {
            s.executeUpdate("UPDATE flyway_schema_history SET success = 0 WHERE version = '2'");
        }
        assertThat(SchemaVersions.standing(ds, folder, JAVA)).as("a failed migration").isEqualTo(SchemaVersions.Standing.UNKNOWN);
    }

    private static List<BigInteger> v(int... parts) {
        return Arrays.stream(parts).mapToObj(BigInteger::valueOf).toList();
    }
}
