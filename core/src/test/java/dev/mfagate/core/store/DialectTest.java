package dev.mfagate.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.mfagate.core.testing.TestDatabases;
import dev.mfagate.core.testing.TestDatabases.TestDatabase;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DialectTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @MethodSource("dev.mfagate.core.testing.TestDatabases#backends")
    void isUniqueViolation_duplicateKeyOrName_isTrueOtherErrorsFalse(Dialect backend) {
        try (TestDatabase db = TestDatabases.open(backend, dir)) {
            db.database().jdbi().useHandle(h -> h.execute("INSERT INTO seed_label_versions (label, last_version) VALUES ('a-b', 1)"));

            Throwable duplicateKey = catchThrowable(() -> db.database().jdbi().useHandle(h ->
                    h.execute("INSERT INTO seed_label_versions (label, last_version) VALUES ('a-b', 1)")));
            Throwable checkFailed = catchThrowable(() -> db.database().jdbi().useHandle(h ->
                    h.execute("INSERT INTO seed_label_versions (label, last_version) VALUES ('c-d', 0)")));

            assertThat(backend.isUniqueViolation(duplicateKey)).isTrue();
            assertThat(backend.isUniqueViolation(checkFailed)).isFalse();
            assertThat(backend.isUniqueViolation(new IllegalStateException())).isFalse();
        }
    }
}
