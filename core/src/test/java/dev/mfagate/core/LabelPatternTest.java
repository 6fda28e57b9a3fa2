package dev.mfagate.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LabelPatternTest {

    static Stream<Arguments> matches() {
        return Stream.of(
                //            pattern          label               matches
                Arguments.of("*",             "acme-aws",          true),
                Arguments.of("acme-*",        "acme-aws",          true),
                Arguments.of("acme-*",        "acme-aws-prod",     true),
                Arguments.of("acme-*",        "acmecorp-aws",      false),
                Arguments.of("acme*",         "acmecorp-aws",      true),
                Arguments.of("client-demo",   "client-demo",       true),
                Arguments.of("client-demo",   "client-demo2",      false),
                Arguments.of("CLIENT-Demo",   "client-demo",       true),
                Arguments.of("*-aws",         "acme-aws",          true),
                Arguments.of("*-aws",         "acme-aws-prod",     false),
                Arguments.of("*-aws*",        "acme-aws-prod",     true),
                Arguments.of("a*b*c",         "axx-bxxc",          true),
                Arguments.of("a*b*c",         "axx-cxxb",          false),
                Arguments.of("acme-a.s",      "acme-aws",          false),
                Arguments.of("**",            "acme-aws",          true));
    }

    @ParameterizedTest(name = "{0} ~ {1} = {2}")
    @MethodSource("matches")
    void matches_table_givesExpected(String pattern, String label, boolean expected) {
        assertThat(LabelPattern.parse(pattern).matches(Label.parse(label))).isEqualTo(expected);
    }

    @Test
    void matches_manyStarsAgainstLongLabel_finishesQuickly() {
        LabelPattern pattern = LabelPattern.parse("a*a*a*a*a*a*a*a*a*a*a*a*b");
        Label label = Label.parse("a-" + "a".repeat(64));

        assertThat(pattern.matches(label)).isFalse();
    }

    @Test
    void parse_invalid_throwsNamingTheRule() {
        assertThatThrownBy(() -> LabelPattern.parse(""))
                .hasMessage("Invalid label pattern: empty; use * to match every label");
        assertThatThrownBy(() -> LabelPattern.parse("acme-?"))
                .hasMessage("Invalid label pattern 'acme-?': must use only a-z, 0-9, '_', '.', '-' and '*'");
        assertThatThrownBy(() -> LabelPattern.parse("acme aws"))
                .hasMessageContaining("must use only");
        assertThatThrownBy(() -> LabelPattern.parse("a".repeat(130)))
                .hasMessage("Invalid label pattern: 130 characters; must be at most 129");
    }

    @Test
    void parse_unicodeThatLowerCasesToAscii_refusedNotFolded() {
        // "\u212A".toLowerCase(Locale.ROOT) is "k": checked after lower-casing, this would grant keys-*.
        assertThatThrownBy(() -> LabelPattern.parse("\u212Aeys-*")).hasMessageContaining("must use only");
        assertThatThrownBy(() -> LabelPattern.parse("\u0130nfra-*")).hasMessageContaining("must use only");
    }

    @Test
    void parse_upperCase_keepsLowerCase() {
        assertThat(LabelPattern.parse("ACME-*").value()).isEqualTo("acme-*");
        assertThat(LabelPattern.ALL.value()).isEqualTo("*");
    }
}
