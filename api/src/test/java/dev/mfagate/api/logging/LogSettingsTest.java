package dev.mfagate.api.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LogSettingsTest {

    static Stream<Arguments> settings() {
        String badFormat = "MFAGATE_LOG_FORMAT: must be json or plain (in lower case)";
        String badLevel = "MFAGATE_LOG_LEVEL: must be one of TRACE, DEBUG, INFO, WARN, ERROR, OFF (in any case)";
        return Stream.of(
                //            format    level     problem
                Arguments.of(null,     null,     null),
                Arguments.of("",       " ",      null),
                Arguments.of("json",   "INFO",   null),
                Arguments.of("plain",  "debug",  null),
                Arguments.of("json",   "Warn",   null),
                Arguments.of("xml",    null,     badFormat),
                Arguments.of("text",   null,     badFormat),
                Arguments.of("JSON",   null,     badFormat),
                Arguments.of(" plain", null,     badFormat),
                Arguments.of(null,     "bogus",  badLevel),
                Arguments.of(null,     "INFO ",  badLevel),
                Arguments.of("xml",    "bogus",  badFormat));
    }

    @ParameterizedTest
    @MethodSource("settings")
    void problem_settings_namesTheFirstBadSettingAndItsRule(String format, String level, String problem) {
        Map<String, String> values = new HashMap<>();
        values.put(LogSettings.FORMAT, format);
        values.put(LogSettings.LEVEL, level);
        assertThat(LogSettings.problem(values::get)).isEqualTo(Optional.ofNullable(problem));
    }
}
