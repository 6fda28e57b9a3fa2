package dev.mfagate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class LabelGrammarTest {

    static Stream<LabelTable.Good> good() {
        return LabelTable.GOOD.stream();
    }

    static Stream<LabelTable.Bad> bad() {
        return LabelTable.BAD.stream();
    }

    @ParameterizedTest
    @MethodSource("good")
    void parse_goodLabel_splitsAtFirstDashAndLowerCases(LabelTable.Good g) {
        LabelGrammar.Parts parts = LabelGrammar.parse(g.text());

        assertThat(parts.client()).isEqualTo(g.client());
        assertThat(parts.service()).isEqualTo(g.service());
        assertThat(parts.value()).isEqualTo(g.client() + "-" + g.service());
        assertThat(Pattern.compile(LabelGrammar.LABEL_REGEX).matcher(g.text()).matches()).as("LABEL_REGEX").isTrue();
    }

    @ParameterizedTest
    @MethodSource("bad")
    void parse_badLabel_refusedByParseAndRegex(LabelTable.Bad b) {
        assertThatThrownBy(() -> LabelGrammar.parse(b.text())).as(b.why()).isInstanceOf(IllegalArgumentException.class);
        assertThat(LabelGrammar.tryParse(b.text())).as(b.why()).isEmpty();
        assertThat(LabelGrammar.isValid(b.text())).as(b.why()).isFalse();
        assertThat(Pattern.compile(LabelGrammar.LABEL_REGEX).matcher(b.text()).matches()).as("LABEL_REGEX: " + b.why()).isFalse();
    }

    @Test
    void client_kelvinSign_refusedNotFoldedIntoK() {
        // "\u212A".toLowerCase(Locale.ROOT) is "k": a rule checked after lower-casing would accept it.
        assertThatThrownBy(() -> LabelGrammar.client("\u212Aeys"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must match")
                .hasMessageNotContaining("\u212A");
    }

    @Test
    void parts_eachRegexAgreesWithItsCheck() {
        Pattern client = Pattern.compile(LabelGrammar.CLIENT_PART_REGEX);
        Pattern service = Pattern.compile(LabelGrammar.SERVICE_PART_REGEX);
        for (String part : new String[] {"a", "A", "a.b", "a_b", "a-b", "a..b", ".a", "a.", "", "k\u212A", "s".repeat(64), "s".repeat(65)}) {
            assertThat(client.matcher(part).matches()).as("client %s", part).isEqualTo(accepts(() -> LabelGrammar.client(part)));
            assertThat(service.matcher(part).matches()).as("service %s", part).isEqualTo(accepts(() -> LabelGrammar.service(part)));
        }
    }

    @Test
    void isAsciiWord_samples_agreesWithTheCharacterClassesItReplaces() {
        Pattern client = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.]*");
        Pattern tokenId = Pattern.compile("[A-Za-z0-9_.-]+");
        Pattern labelPattern = Pattern.compile("[A-Za-z0-9_.*-]+");
        for (String text : new String[] {"a", "Z9", "a.b_c", "_a", ".a", "-a", "a-b", "a*", "*", "a b", "a/b", "a:b", "\u00e9",
                "k\u212A", "\u0130x", "a\u0000", "@", "[", "`", "{", "/", ":"}) {
            assertThat(LabelGrammar.isAsciiWord(text, "_.", true)).as("client %s", text).isEqualTo(client.matcher(text).matches());
            assertThat(LabelGrammar.isAsciiWord(text, "_.-", false)).as("token id %s", text).isEqualTo(tokenId.matcher(text).matches());
            assertThat(LabelGrammar.isAsciiWord(text, "_.*-", false)).as("pattern %s", text)
                    .isEqualTo(labelPattern.matcher(text).matches());
        }
    }

    @Test
    void parse_tooLong_saysTheLimitWithoutEchoing() {
        assertThatThrownBy(() -> LabelGrammar.parse("x".repeat(200)))
                .hasMessage("Invalid label: 200 characters; must be at most 129");
    }

    @Test
    void parse_nonPrintableInput_doesNotEchoIt() {
        assertThatThrownBy(() -> LabelGrammar.parse("client-\u0007bell"))
                .hasMessageNotContaining("\u0007")
                .hasMessageContaining("not shown");
    }

    @Test
    void parse_secretWhereALabelBelongs_neverQuotedBack() {
        for (String secret : new String[] {"JBSWY3DPEHPK3PXP", "jbsw y3dp ehpk 3pxp", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
                "JBSWY3DPEHPK3PXP====", "3132333435363738393031323334353637383930"}) {
            assertThatThrownBy(() -> LabelGrammar.parse(secret)).as(secret)
                    .hasMessage("Invalid label (" + secret.length() + " characters, not shown): must be <client>-<service>,"
                            + " for example acme-aws");
        }
    }

    @Test
    void parse_shortOrPunctuatedNonLabel_quotedForTheTypo() {
        assertThatThrownBy(() -> LabelGrammar.parse("acmeaws")).hasMessageStartingWith("Invalid label 'acmeaws':");
        assertThatThrownBy(() -> LabelGrammar.parse("acme_production_aws")).hasMessageStartingWith("Invalid label 'acme_production_aws':");
        assertThatThrownBy(() -> LabelGrammar.client("ac%me")).hasMessageStartingWith("Invalid label client part 'ac%me':");
    }

    @Test
    void parse_doubleDotInService_namesTheRule() {
        assertThatThrownBy(() -> LabelGrammar.parse("client-a..b")).hasMessage("Invalid label service part: must not contain '..'");
    }

    private static boolean accepts(Runnable check) {
        try {
            check.run();
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Test
    void describe_secretInsideOtherText_notQuoted() {
        // Each of these was quoted back before: the punctuation made the value no secret's shape.
        for (String pasted : new String[] {"JBSWY3DPEHPK3PXP,", "'JBSWY3DPEHPK3PXP'", "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP",
                "acme-JBSWY3DPEHPK3PXP"}) {
            assertThat(LabelGrammar.describe(pasted)).as(pasted).isEqualTo("(" + pasted.length() + " characters, not shown)");
        }
        assertThat(LabelGrammar.describe("JBSW Y3DP EHPK 3PXP")).isEqualTo("(19 characters, not shown)");
        // Labels and patterns of ordinary words are still quoted, so that a typo can be seen.
        assertThat(LabelGrammar.describe("acme-aws_prod.eu-*")).isEqualTo("'acme-aws_prod.eu-*'");
        assertThat(LabelGrammar.describe("Acme-AWS")).isEqualTo("'Acme-AWS'");
    }
}
