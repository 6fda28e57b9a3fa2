package dev.mfagate.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mfagate.core.testing.TestDatabases;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PostgresUrlTest {

    static Stream<Arguments> forms() {
        return Stream.of(
                // url                                                               host          port  database   user       password   parameters
                Arguments.of("postgresql://postgres@127.0.0.1:5432/test",             "127.0.0.1",  5432, "test",    "postgres", null,      Map.of()),
                Arguments.of("postgres://mfagate:s3cret@db.internal:6543/mfagate",    "db.internal",6543, "mfagate", "mfagate",  "s3cret",  Map.of()),
                Arguments.of("postgresql://mfagate@db.internal/mfagate",              "db.internal",5432, "mfagate", "mfagate",  null,      Map.of()),
                Arguments.of("postgresql://db/mfagate?user=u&password=pw-secret&sslmode=verify-full",
                                                                                       "db",         5432, "mfagate", "u",        "pw-secret", Map.of("sslmode", "verify-full")),
                Arguments.of("postgresql://u%40corp:p%3Aw%2F%40%23%25+@h/d%20b",      "h",          5432, "d b",     "u@corp",   "p:w/@#%+", Map.of()),
                Arguments.of("postgresql://u@[::1]:5433/test",                        "::1",        5433, "test",    "u",        null,      Map.of()),
                Arguments.of("postgresql://u@[2001:db8::7]/test",                     "2001:db8::7",5432, "test",    "u",        null,      Map.of()),
                Arguments.of("jdbc:postgresql://127.0.0.1:5432/test?user=postgres&currentSchema=s1",
                                                                                       "127.0.0.1",  5432, "test",    "postgres", null,      Map.of("currentSchema", "s1")),
                Arguments.of("jdbc:postgresql:test?user=postgres",                     "localhost",  5432, "test",    "postgres", null,      Map.of()),
                Arguments.of("postgresql://alice@",                                    "localhost",  5432, "alice",   "alice",    null,      Map.of()),
                Arguments.of("postgresql://h/x?dbname=y&connect_timeout=5&application_name=gw",
                                                                                       "h",          5432, "y",       null,       null,      Map.of("connectTimeout", "5", "ApplicationName", "gw")),
                Arguments.of("POSTGRESQL://U@H/D",                                     "H",          5432, "D",       "U",        null,      Map.of()));
    }

    @ParameterizedTest
    @MethodSource("forms")
    void parse_acceptedForm_takenApart(String url, String host, int port, String database, String user, String password,
            Map<String, String> parameters) {
        PostgresUrl parsed = PostgresUrl.parse(url);

        assertThat(PostgresUrl.isPostgres(url)).isTrue();
        assertThat(parsed.host()).isEqualTo(host);
        assertThat(parsed.port()).isEqualTo(port);
        assertThat(parsed.database()).isEqualTo(database);
        assertThat(parsed.user().orElse(null)).isEqualTo(user);
        assertThat(parsed.password().orElse(null)).isEqualTo(password);
        assertThat(parsed.parameters()).isEqualTo(parameters);
        if (password != null) {
            assertThat(parsed.toString()).contains("***").doesNotContain(password);
            assertThat(parsed.describe()).doesNotContain(password);
        }
    }

    @Test
    void parse_severalHosts_keepsTheirOrderAndPorts() {
        PostgresUrl parsed = PostgresUrl.parse("postgresql://u@h1:5432,h2:5433,h3/mfagate?targetServerType=primary");

        assertThat(parsed.hosts()).extracting(Object::toString).containsExactly("h1:5432", "h2:5433", "h3:5432");
        assertThat(parsed.describe()).isEqualTo("hosts h1:5432, h2:5433, h3:5432, database mfagate, user u");
    }

    @Test
    void describe_oneHost_namesHostPortDatabaseAndUserButNotThePassword() {
        PostgresUrl parsed = PostgresUrl.parse("postgresql://mfagate:hunter2@db.internal:6543/gate");

        assertThat(parsed.describe()).isEqualTo("host db.internal, port 6543, database gate, user mfagate");
        assertThat(parsed.redacted()).isEqualTo("postgresql://mfagate:***@db.internal:6543/gate");
    }

    @Test
    void redacted_passwordAsParameter_hidden() {
        assertThat(PostgresUrl.parse("postgresql://db/gate?password=hunter2&sslmode=require").redacted())
                .isEqualTo("postgresql://db:5432/gate?password=***&sslmode=require");
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                // url                                           the message says
                Arguments.of("mysql://u@h/d",                     "must start with postgresql://"),
                Arguments.of("postgresql://u:hun%zzter2@h/d",        "percent-encode"),
                Arguments.of("postgresql://u:hun#ter2@h/d",          "%23"),
                Arguments.of("postgresql://u:hunter2@h:99999/d",     "port must be a number from 1 to 65535"),
                Arguments.of("postgresql://u:hunter2@h:port/d",      "port must be a number"),
                Arguments.of("postgresql://h",                    "names no database"),
                Arguments.of("postgresql://u:hunter2@[::1/d",        "percent-encode"),
                Arguments.of("postgresql://u:hunter2@h/d?host=x",    "not as the parameter 'host'"));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void parse_malformed_saysWhyWithoutQuotingTheUrl(String url, String says) {
        assertThatThrownBy(() -> PostgresUrl.parse(url))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Invalid PostgreSQL URL: ")
                .hasMessageContaining(says)
                .hasMessageContaining("postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE")
                .hasMessageNotContaining("hunter2").hasMessageNotContaining("hun");
    }

    @Test
    void postgresDataSource_unknownParameter_refusedByName() {
        PostgresUrl parsed = PostgresUrl.parse("postgresql://u@h/d?noSuchSetting=1");

        assertThatThrownBy(() -> Database.postgresDataSource(parsed))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'noSuchSetting'");
    }

    @Test
    void postgresDataSource_ipv6Host_keepsBracketsForTheDriver() {
        assertThat(Database.postgresDataSource(PostgresUrl.parse("postgresql://u@[::1]:5433/test")).getUrl())
                .startsWith("jdbc:postgresql://[::1]:5433/test");
    }

    /** The form every --help shows, against the real local server. */
    @Test
    void openPostgres_documentedUriForm_connectsAsThatUser() throws Exception {
        try (TestDatabases.TestDatabase db = TestDatabases.postgres()) {
            String url = db.database().description();
            assertThat(url).startsWith("postgresql://postgres@127.0.0.1:5432/");
            try (Connection c = db.database().dataSource().getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT current_user, current_database(), current_schema()")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("postgres");
                assertThat(rs.getString(2)).isEqualTo("test");
                assertThat(rs.getString(3)).startsWith("mfagate_test_");
            }
        }
    }
}
