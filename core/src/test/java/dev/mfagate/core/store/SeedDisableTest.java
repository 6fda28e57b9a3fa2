package dev.mfagate.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.core.Label;
import dev.mfagate.core.seed.SeedParser;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeedDisableTest {

    @TempDir
    Path dir;

    @Test
    void disable_storedSeed_noLongerFoundButListedAsDisabled() throws Exception {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        try (Store s = Store.init(dir.resolve("d"))) {
            Label label = Label.parse("acme-aws");
            s.seeds().add(label, SeedParser.parse("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"), now);
            assertThat(s.seeds().find(label)).as("found before disabling").isPresent();

            assertThat(s.seeds().disable(label, now)).isTrue();
            assertThat(s.seeds().disable(label, now)).as("a second disable changes nothing").isFalse();

            assertThat(s.seeds().find(label)).as("a disabled seed issues no code").isEmpty();
            assertThat(s.seeds().list()).extracting(SeedInfo::label).containsExactly(label);
            assertThat(s.seeds().disabled()).containsEntry(label, now);
            assertThat(s.seeds().disable(Label.parse("acme-none"), now)).isFalse();
        }
    }
}
