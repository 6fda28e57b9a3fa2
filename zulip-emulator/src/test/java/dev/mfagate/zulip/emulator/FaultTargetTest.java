package dev.mfagate.zulip.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class FaultTargetTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                //            target method, pattern,                     request, path,                      matches
                Arguments.of(null,          "/**",                       "GET",   "/events",                 true),
                Arguments.of(null,          "/events",                   "DELETE", "/events",                true),
                Arguments.of("POST",        "/messages",                 "POST",  "/messages",               true),
                Arguments.of("POST",        "/messages",                 "GET",   "/messages",               false),
                Arguments.of("POST",        "/messages",                 "POST",  "/messages/12/reactions",  false),
                Arguments.of(null,          "/messages/*/reactions",     "POST",  "/messages/12/reactions",  true),
                Arguments.of(null,          "/messages/*",               "PATCH", "/messages/12",            true),
                Arguments.of(null,          "/messages/*",               "PATCH", "/messages",               false),
                Arguments.of(null,          "/messages/**",              "POST",  "/messages/12/reactions",  true));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matches_givenMethodAndPattern_decidesPerTable(String method, String pattern, String requestMethod, String path, boolean expected) {
        assertThat(new FaultTarget(method, pattern).matches(requestMethod, path)).isEqualTo(expected);
    }

    @Test
    void create_patternWithoutLeadingSlash_isRejectedNamingTheRule() {
        assertThatThrownBy(() -> FaultTarget.path("events"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must start with '/'");
    }
}
