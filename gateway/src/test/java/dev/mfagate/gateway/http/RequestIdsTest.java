package dev.mfagate.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RequestIdsTest {

    @Test
    void create_always_lettersOnlyWithAtLeast96BitsAndNoRepeats() {
        assertThat(RequestIds.LENGTH * Math.log(26) / Math.log(2)).as("bits of randomness").isGreaterThanOrEqualTo(96);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = RequestIds.create();
            assertThat(id).as("no digits, so an id is never mistaken for a code").matches("[a-z]{" + RequestIds.LENGTH + "}");
            assertThat(seen.add(id)).isTrue();
        }
    }

    static Stream<Arguments> offered() {
        return Stream.of(
                //            offered by the caller           kept
                Arguments.of("bot-req.0001-abcdef",           true),
                Arguments.of("abcdefgh",                      true),
                Arguments.of("short",                         false),
                Arguments.of("has space inside",              false),
                Arguments.of("x".repeat(65),                  false),
                Arguments.of("zulip-message-123456789",       true),
                Arguments.of("0f8fad5b-d9cb-469f-a165-70867728950e", true),
                Arguments.of("abcdefghijklmno",               true),
                // What may hold a secret is never echoed, logged or audited: 16+ letters and digits in a row.
                Arguments.of("abcdefghijklmnop",              false),
                Arguments.of("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", false),
                Arguments.of("req-JBSWY3DPEHPK3PXP",          false),
                // A token's shape: its id is 16 base32 characters; its base64url secret may break into short runs.
                Arguments.of("mfg_aiiy2ttlq3murmzq_" + "Ab3-dE5_gH7-jK9_mN2-pQ4_sT6-vW8_yZ1-bC3_eF5", false),
                Arguments.of(null,                            false));
    }

    @ParameterizedTest
    @MethodSource("offered")
    void acceptOrCreate_offeredId_keptOnlyWhenShortAndSafe(String offered, boolean kept) {
        String id = RequestIds.acceptOrCreate(offered);
        if (kept) {
            assertThat(id).isEqualTo(offered);
        } else {
            assertThat(id).matches("[a-z]{" + RequestIds.LENGTH + "}");
        }
    }
}
