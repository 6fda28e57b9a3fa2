package dev.mfagate.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class LabelPatternGlobTest {

    static Stream<Arguments> matches() {
        return Stream.of(
                //            pattern          label              matches
                Arguments.of("*",             "acme-aws",         true),
                Arguments.of("acme-*",        "acme-aws",         true),
                Arguments.of("acme-*",        "acme-aws-prod",    true),
                Arguments.of("acme-*",        "acmex-aws",        false),
                Arguments.of("acme-*",        "beta-acme",        false),
                Arguments.of("acme-aws",      "acme-aws",         true),
                Arguments.of("acme-aws",      "acme-aws-prod",    false),
                Arguments.of("*-prod",        "acme-aws-prod",    true),
                Arguments.of("*-prod",        "acme-prod2",       false),
                Arguments.of("a*e-*",         "acme-x",           true),
                Arguments.of("ACME-*",        "acme-aws",         true),
                Arguments.of("acme-a*s",      "acme-as",          true),
                Arguments.of("acme-a*s",      "acme-aws.s",       true),
                Arguments.of("acme-a*s",      "acme-awsx",        false),
                Arguments.of("**",            "acme-aws",         true),
                Arguments.of("acme.corp-*",   "acmexcorp-aws",    false));
    }

    @ParameterizedTest(name = "{0} ~ {1} -> {2}")
    @MethodSource
    void matches(String pattern, String label, boolean expected) {
        assertThat(LabelPattern.parse(pattern).matches(Label.parse(label))).isEqualTo(expected);
    }

    @Test
    void parse_upperCase_keepsLowerCase() {
        assertThat(LabelPattern.parse("Acme-*").value()).isEqualTo("acme-*");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "acme aws", "acme-?", "acme/aws", "acme-aws\n", "ä-*"})
    void parse_badCharacters_rejectedNamingTheRule(String text) {
        assertThatThrownBy(() -> LabelPattern.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Invalid label pattern");
    }

    @Test
    void parse_tooLong_rejected() {
        assertThatThrownBy(() -> LabelPattern.parse("a".repeat(130)))
                .hasMessageContaining("must be at most 129");
    }

    @Test
    void matches_manyStarsOnLongLabel_isFast() {
        LabelPattern p = LabelPattern.parse("*a*a*a*a*a*a*a*a*a*a*b");
        Label l = Label.parse("a".repeat(60) + "-" + "a".repeat(64));
        long start = System.nanoTime();
        assertThat(p.matches(l)).isFalse();
        assertThat(System.nanoTime() - start).isLessThan(50_000_000L);
    }
}
