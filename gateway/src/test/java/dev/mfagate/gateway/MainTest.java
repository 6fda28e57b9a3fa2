package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

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
}
