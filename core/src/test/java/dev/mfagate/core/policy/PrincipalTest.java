package dev.mfagate.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class PrincipalTest {

    static Stream<Arguments> parse_validText_roundTrips() {
        return Stream.of(
                //            text               principal                                   canonical text
                Arguments.of("user:42",         new Principal.ZulipUser(42),                "user:42"),
                Arguments.of("group:7",         new Principal.ZulipGroup(7),                "group:7"),
                Arguments.of("channel:12",      new Principal.ZulipChannel(12),             "channel:12"),
                Arguments.of("channel-name:#Ops", new Principal.LegacyChannelName("#Ops"),  "channel-name:#Ops"),
                Arguments.of("channel-name:ops team", new Principal.LegacyChannelName("ops team"), "channel-name:ops team"),
                Arguments.of("token:bot-1",     new Principal.ApiToken("bot-1"),            "token:bot-1"),
                Arguments.of("USER:42",         new Principal.ZulipUser(42),                "user:42"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void parse_validText_roundTrips(String text, Principal expected, String canonical) {
        Principal p = Principal.parse(text);
        assertThat(p).isEqualTo(expected);
        assertThat(p.text()).isEqualTo(canonical);
        assertThat(Principal.parse(p.text())).isEqualTo(p);
    }

    @ParameterizedTest
    @ValueSource(strings = {"42", "user:", "user:+42", "user:-1", "user:0", "user:٤٢", "group:x", "group:0", "channel:",
        "channel:ops", "channel:#ops", "channel:0", "channel:+12", "channel-name:", "channel-name: ",
        "token:", "token:a b", "robot:1", ":x", "user:1234567890123456789"})
    void parse_invalidText_rejected(String text) {
        assertThatThrownBy(() -> Principal.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Invalid ");
    }

    @Test
    void parse_channelName_refusedSayingRulesTakeStreamIdsAndWhereToFindOne() {
        assertThatThrownBy(() -> Principal.parse("channel:ops"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("stream id")
                .hasMessageContaining("#narrow/channel/<id>-<name>")
                .hasMessageNotContaining("'ops'");
    }

    @Test
    void parse_groupName_refusedSayingGroupIdsAreNumbersAndWhereToFindOne() {
        assertThatThrownBy(() -> Principal.parse("group:ops"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Invalid group id: must be 1 to 18 ASCII digits")
                .hasMessageContaining("a number, not its name")
                .hasMessageContaining("#groups/<id>/<name>")
                .hasMessageNotContaining("'ops'");
    }

    @Test
    void parse_pastedSecret_neverRepeated() {
        String seedLike = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
        for (String text : new String[] {seedLike, "user:" + seedLike, "channel:" + seedLike, seedLike + ":x"}) {
            assertThatThrownBy(() -> Principal.parse(text)).hasMessageNotContaining(seedLike);
        }
    }

    @Test
    void parse_unknownKind_messageListsKinds() {
        assertThatThrownBy(() -> Principal.parse("robot:1"))
                .hasMessageContaining("must be user, group, channel, person or token");
    }
}
