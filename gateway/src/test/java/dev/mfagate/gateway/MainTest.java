package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class MainTest {

    static Stream<Arguments> commandLines() {
        return Stream.of(
                //            arguments                                      opens a store
                Arguments.of(new String[] {},                                  false),
                Arguments.of(new String[] {"--help"},                          false),
                Arguments.of(new String[] {"-V"},                              false),
                Arguments.of(new String[] {"help", "seed"},                    false),
                Arguments.of(new String[] {"seed", "list", "--help"},          false),
                Arguments.of(new String[] {"token", "create", "-h"},           false),
                Arguments.of(new String[] {"seed", "list"},                    true),
                Arguments.of(new String[] {"audit", "verify"},                 true),
                Arguments.of(new String[] {"serve", "--port", "0"},            true),
                Arguments.of(new String[] {"init"},                            true));
    }

    @ParameterizedTest
    @MethodSource("commandLines")
    void opensStore_commandLine_isTrueOnlyForCommandsThatOpenOne(String[] args, boolean opens) {
        assertThat(Main.opensStore(args)).isEqualTo(opens);
    }

    @Test
    void usesDatabaseUrl_databaseOption_isTrueInEitherForm() {
        assertThat(Main.usesDatabaseUrl(new String[] {"seed", "list", "--database", "postgresql://u@h/db"})).isTrue();
        assertThat(Main.usesDatabaseUrl(new String[] {"seed", "list", "--database=postgresql://u@h/db"})).isTrue();
        assertThat(Main.usesDatabaseUrl(new String[] {"seed", "list", "--database-pool-size", "4"}))
                .isEqualTo(System.getenv("MFAGATE_DATABASE_URL") != null && !System.getenv("MFAGATE_DATABASE_URL").isBlank());
    }

    @Test
    void preload_serverClasses_eachNamesAClassOnTheClassPath() {
        // A library that renames one of them would leave the preloading silently useless.
        for (String name : GatewayApp.SERVER_CLASSES) {
            assertThatCode(() -> Class.forName(name, false, GatewayApp.class.getClassLoader())).as(name).doesNotThrowAnyException();
        }
        assertThatCode(GatewayApp::preload).doesNotThrowAnyException();
    }

    @Test
    void checkLogSettings_badFormatOrLevel_oneLineAndBadInput() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        assertThat(Main.checkLogSettings(Map.of("MFAGATE_LOG_FORMAT", "xml")::get, err)).isEqualTo(2);
        assertThat(Main.checkLogSettings(Map.of("MFAGATE_LOG_LEVEL", "bogus")::get, err)).isEqualTo(2);
        // A typo of "off" left audit entries in the log, unnoticed.
        assertThat(Main.checkLogSettings(Map.of("MFAGATE_AUDIT_LOG", "of")::get, err)).isEqualTo(2);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo(
                "mfagate: MFAGATE_LOG_FORMAT: must be json or plain (in lower case)" + System.lineSeparator()
                + "mfagate: MFAGATE_LOG_LEVEL: must be one of TRACE, DEBUG, INFO, WARN, ERROR, OFF (in any case)" + System.lineSeparator()
                + "mfagate: MFAGATE_AUDIT_LOG: must be on or off" + System.lineSeparator());
    }

    @Test
    void checkLogSettings_unsetOrValid_passes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        assertThat(Main.checkLogSettings(Map.<String, String>of()::get, err)).isZero();
        assertThat(Main.checkLogSettings(Map.of("MFAGATE_LOG_FORMAT", "plain", "MFAGATE_LOG_LEVEL", "debug")::get, err)).isZero();
        for (String audit : new String[] {"off", "OFF", "on", "On", "info"}) {
            assertThat(Main.checkLogSettings(Map.of("MFAGATE_AUDIT_LOG", audit)::get, err)).as(audit).isZero();
        }
        assertThat(bytes.size()).isZero();
    }
}
