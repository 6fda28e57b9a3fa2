package dev.mfagate.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.core.testing.TestDatabases;
import dev.mfagate.core.testing.TestDatabases.TestDatabase;
import java.nio.file.Path;
import java.util.List;
import org.jdbi.v3.core.statement.ColonPrefixSqlParser;
import org.jdbi.v3.core.statement.ParsedSql;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class PositionalSqlParserTest {

    @TempDir
    Path dir;

    private final PositionalSqlParser parser = new PositionalSqlParser();
    private final ColonPrefixSqlParser jdbi = new ColonPrefixSqlParser();

    @ParameterizedTest
    @ValueSource(strings = {
        "SELECT label, version FROM seed WHERE label = ? AND disabled_at IS NULL",
        "INSERT INTO audit_log (at, actor, action, label, outcome, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
        "UPDATE token SET last_used_at = ? WHERE id = ? AND revoked_at IS NULL",
        "DELETE FROM grant_rule WHERE id = ?",
        "SELECT count(*) FROM seed",
        "SELECT a - b FROM t WHERE c > ? AND d < ?",
        "SELECT x FROM t WHERE y = ?",
        "?",
        "",
    })
    void plainStatements_takeTheShortcut_andParseAsJdbiDoes(String sql) {
        assertThat(PositionalSqlParser.plain(sql)).isTrue();
        assertThat(parser.parse(sql, null)).isEqualTo(jdbi.parse(sql, null));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "SELECT * FROM t WHERE a = :name",
        "SELECT * FROM t WHERE a = '?' AND b = ?",
        "SELECT * FROM t WHERE a = \"?\" AND b = ?",
        "SELECT * FROM t /* ? */ WHERE b = ?",
        "SELECT * FROM t -- ?\n WHERE b = ?",
        "SELECT a::text FROM t WHERE b = ?",
        "SELECT a FROM t WHERE b ?? 'k' AND c = ?",
        "SELECT a FROM t WHERE b = \\? AND c = ?",
        "SELECT $1 FROM t",
        "SELECT a # b FROM t WHERE c = ?",
        "SELECT `a` FROM t WHERE c = ?",
    })
    void anythingElse_goesToJdbisParser_withTheSameAnswer(String sql) {
        assertThat(PositionalSqlParser.plain(sql)).isFalse();
        ParsedSql ours = parser.parse(sql, null);
        assertThat(ours).isEqualTo(jdbi.parse(sql, null));
    }

    @Test
    void positionalParameters_areCountedAndTheTextKept() {
        ParsedSql parsed = parser.parse("SELECT a FROM t WHERE b = ? AND c IN (?, ?)", null);

        assertThat(parsed.getSql()).isEqualTo("SELECT a FROM t WHERE b = ? AND c IN (?, ?)");
        assertThat(parsed.getParameters().isPositional()).isTrue();
        assertThat(parsed.getParameters().getParameterCount()).isEqualTo(3);
    }

    @Test
    void aPlainStatement_isReadOnce_andItsAnswerKept() {
        String sql = "SELECT a FROM t WHERE b = ?";

        ParsedSql first = parser.parse(sql, null);

        assertThat(parser.parse(new String(sql.toCharArray()), null)).isSameAs(first);
    }

    @Test
    void noParameters_readAsJdbisNone() {
        ParsedSql parsed = parser.parse("SELECT 1", null);

        assertThat(parsed.getParameters().getParameterCount()).isZero();
        assertThat(parsed.getParameters().isPositional()).isFalse();
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void aStoresJdbi_bindsPositionalAndNamedParameters_throughTheParser(Dialect backend) {
        try (TestDatabase db = TestDatabases.open(backend, dir)) {
            db.database().jdbi().useHandle(h -> {
                h.createUpdate("INSERT INTO seed_label_versions (label, last_version) VALUES (?, ?)")
                        .bind(0, "a-b").bind(1, 3).execute();
                h.createUpdate("INSERT INTO seed_label_versions (label, last_version) VALUES (:label, :version)")
                        .bind("label", "c-d").bind("version", 4).execute();
            });

            List<Integer> versions = db.database().jdbi().withHandle(h -> h.createQuery(
                            "SELECT last_version FROM seed_label_versions WHERE label IN (?, ?) ORDER BY label")
                    .bind(0, "a-b").bind(1, "c-d").mapTo(Integer.class).list());

            assertThat(versions).containsExactly(3, 4);
        }
    }
}
