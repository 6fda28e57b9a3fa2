package dev.mfagate.bot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.bot.gateway.RequestedLabel;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CommandTest {
    private static final String BOT = "MFA Bot";

    static Stream<Arguments> codeRequests() {
        return Stream.of(
                //            message text                          label
                Arguments.of("!mfa-client-demo",                    "client-demo"),
                Arguments.of("  !MFA-Client-Demo  ",                 "client-demo"),
                Arguments.of("!mfa-acme-aws-prod",                   "acme-aws-prod"),
                Arguments.of("!mfa acme-aws",                        "acme-aws"),
                Arguments.of("code acme-aws",                        "acme-aws"),
                Arguments.of("CODE   acme-aws",                      "acme-aws"),
                Arguments.of("code\tacme-aws\n",                     "acme-aws"),
                Arguments.of("@**MFA Bot** !mfa-acme-aws",           "acme-aws"),
                Arguments.of("@**mfa bot|42** code acme-aws",        "acme-aws"),
                Arguments.of("@_**MFA Bot**: !mfa-acme-aws",         "acme-aws"),
                Arguments.of("!mfa-a_b.c-x.y_z-1",                   "a_b.c-x.y_z-1"));
    }

    @ParameterizedTest
    @MethodSource("codeRequests")
    void parse_codeRequest_yieldsLabel(String text, String label) {
        assertThat(Command.parse(text, BOT).command())
                .as("'%s' asks for the code of %s", text, label)
                .isEqualTo(new Command.GetCode(RequestedLabel.parse(label).orElseThrow()));
    }

    static Stream<Arguments> otherCommands() {
        return Stream.of(
                Arguments.of("!mfa",                 new Command.Help()),
                Arguments.of("!MFA-HELP",            new Command.Help()),
                Arguments.of(" help ",               new Command.Help()),
                Arguments.of("!mfa   help",          new Command.Help()),
                Arguments.of("@**MFA Bot** help",    new Command.Help()),
                Arguments.of("!mfa list",            new Command.ListLabels()),
                Arguments.of("!mfa    LIST",         new Command.ListLabels()),
                Arguments.of("!mfa-list",            new Command.ListLabels()),
                Arguments.of("!mfa-acme",            new Command.BadLabel()),
                Arguments.of("!mfa-acme-",           new Command.BadLabel()),
                Arguments.of("code ac me-aws",       new Command.BadLabel()),
                Arguments.of("!mfa-ácme-aws",        new Command.BadLabel()),
                Arguments.of("!mfa-acme-a..b",       new Command.BadLabel()),
                Arguments.of("!mfa-\u212Aeys-aws",   new Command.BadLabel()),   // KELVIN SIGN, not 'k'
                Arguments.of("!MFA-\u212AEYS-AWS",   new Command.BadLabel()),
                Arguments.of("!mfa-\uFF41cme-aws",   new Command.BadLabel()),   // full-width a
                Arguments.of("hello",                new Command.Unrecognised()),
                Arguments.of("please give me a code", new Command.Unrecognised()),
                Arguments.of("",                     new Command.Unrecognised()),
                Arguments.of("!mfax-acme-aws",       new Command.Unrecognised()),
                Arguments.of("@**Someone Else** help", new Command.Unrecognised()));
    }

    @ParameterizedTest
    @MethodSource("otherCommands")
    void parse_otherText_yieldsCommand(String text, Command expected) {
        assertThat(Command.parse(text, BOT).command()).as("'%s'", text).isEqualTo(expected);
    }

    @Test
    void parse_leadingBotMention_reportsMention() {
        assertThat(Command.parse("@**MFA Bot** !mfa-acme-aws", BOT).mentionedBot()).isTrue();
        assertThat(Command.parse("!mfa-acme-aws", BOT).mentionedBot()).isFalse();
        assertThat(Command.parse("@**Other** !mfa-acme-aws", BOT).mentionedBot()).isFalse();
    }

    @Test
    void parse_overlongMessage_isUnrecognisedWithoutScanning() {
        assertThat(Command.parse("!mfa-acme-" + "a".repeat(400), BOT).command()).isEqualTo(new Command.Unrecognised());
    }

    @Test
    void parse_partLongerThan64_isBadLabel() {
        assertThat(Command.parse("!mfa-acme-" + "a".repeat(65), BOT).command()).isEqualTo(new Command.BadLabel());
        assertThat(Command.parse("!mfa-acme-" + "a".repeat(64), BOT).command()).isInstanceOf(Command.GetCode.class);
    }
}
