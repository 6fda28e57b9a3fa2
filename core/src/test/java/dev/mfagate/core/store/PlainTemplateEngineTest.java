package dev.mfagate.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.core.testing.TestDatabases;
import dev.mfagate.core.testing.TestDatabases.TestDatabase;
import java.nio.file.Path;
import java.util.List;
import org.jdbi.v3.core.config.ConfigRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PlainTemplateEngineTest {

    @TempDir
    Path dir;

    private final PlainTemplateEngine engine = new PlainTemplateEngine();

    @Test
    void plainStatement_isGivenBackUnchanged() {
        String sql = "SELECT a FROM t WHERE b = ? AND c = 'x' /* note */";

        assertThat(engine.parse(sql, new ConfigRegistry())).hasValueSatisfying(render ->
                assertThat(render.apply(null)).isEqualTo(sql));
    }

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void bindList_stillExpandsItsAttribute_andComparisonsStillRun(Dialect backend) {
        try (TestDatabase db = TestDatabases.open(backend, dir)) {
            db.database().jdbi().useHandle(h -> {
                for (String label : List.of("a-b", "c-d", "e-f")) {
                    h.createUpdate("INSERT INTO seed_label_versions (label, last_version) VALUES (?, 2)").bind(0, label).execute();
                }
            });

            List<String> listed = db.database().jdbi().withHandle(h -> h.createQuery(
                            "SELECT label FROM seed_label_versions WHERE label IN (<labels>) ORDER BY label")
                    .bindList("labels", List.of("a-b", "e-f")).mapTo(String.class).list());
            int below = db.database().jdbi().withHandle(h -> h.createQuery(
                            "SELECT count(*) FROM seed_label_versions WHERE last_version < ? AND label <> ?")
                    .bind(0, 3).bind(1, "c-d").mapTo(Integer.class).one());

            assertThat(listed).containsExactly("a-b", "e-f");
            assertThat(below).isEqualTo(2);
        }
    }
}
