package dev.mfagate.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LabelTest {

    static Stream<Arguments> validLabels() {
        return Stream.of(
                //            text                  client      service
                Arguments.of("client-demo",         "client",   "demo"),
                Arguments.of("acme-aws-prod",       "acme",     "aws-prod"),
                Arguments.of("ACME-AWS",            "acme",     "aws"),
                Arguments.of("a1-b_2.c-d",          "a1",       "b_2.c-d"),
                Arguments.of("x.y-z",               "x.y",      "z"));
    }

    @ParameterizedTest
    @MethodSource("validLabels")
    void parse_validText_splitsAtFirstDashAndLowerCases(String text, String client, String service) {
        Label label = Label.parse(text);
        assertThat(label.client()).isEqualTo(client);
        assertThat(label.service()).isEqualTo(service);
        assertThat(label.value()).isEqualTo(client + "-" + service);
    }

    static Stream<Arguments> invalidLabels() {
        return Stream.of(
                //            text                         message fragment
                Arguments.of("nodash",                     "must be <client>-<service>"),
                Arguments.of("-svc",                       "must be <client>-<service>"),
                Arguments.of("client-",                    "must be <client>-<service>"),
                Arguments.of("cl ient-x",                  "must match"),
                Arguments.of("client-de/mo",               "must match"),
                Arguments.of("client-..",                  "must match"),
                Arguments.of("client-a..b",                "must not contain '..'"),
                Arguments.of("client-\u0000",              "must match"),
                Arguments.of("_client-x",                  "must match"),
                Arguments.of("client-" + "s".repeat(65),   "at most 64"),
                Arguments.of("x".repeat(200),              "must be at most 129"),
                Arguments.of("\u212Aeys-aws",              "must match"),   // KELVIN SIGN: lower-cases to 'k'
                Arguments.of("acme-\uFF41ws",              "must match"));  // full-width a
    }

    @ParameterizedTest
    @MethodSource("invalidLabels")
    void parse_invalidText_rejectsNamingTheRule(String text, String fragment) {
        assertThatThrownBy(() -> Label.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(fragment);
        assertThat(Label.isValid(text)).isFalse();
    }

    @Test
    void parse_nonPrintableInput_doesNotEchoIt() {
        assertThatThrownBy(() -> Label.parse("client-\u0007bell"))
                .hasMessageNotContaining("\u0007")
                .hasMessageContaining("not shown");
    }

    @Test
    void constructor_parts_sameAsParse() {
        assertThat(new Label("Acme", "AWS-Prod")).isEqualTo(Label.parse("acme-aws-prod"));
    }

    @org.junit.jupiter.api.Test
    void requireNotSecretShaped_aSecretAsALabel_refusedWithoutQuotingIt_wordsKept() {
        // Was stored, then shown in every listing, log line and audit entry.
        String secret = "onswg4tforzwk4tfor2gk43uonswg4tf";
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Label.requireNotSecretShaped(Label.parse("acme-" + secret)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining(secret)
                .hasMessageStartingWith("Invalid label (37 characters, not shown): 16 or more letters and digits in a row");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Label.requireNotSecretShaped(Label.parse("jbswy3dpehpk3pxp-aws")))
                .isInstanceOf(IllegalArgumentException.class);
        for (String fine : new String[] {"acme-awsrootaccountproduction", "acme-aws-root-2024", "acme-db.prod_eu-west-1", "acme-a1b2c3d4e5f6g7h"}) {
            org.assertj.core.api.Assertions.assertThat(Label.requireNotSecretShaped(Label.parse(fine)).value()).isEqualTo(fine);
        }
    }
}
