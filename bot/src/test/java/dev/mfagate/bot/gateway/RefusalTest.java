package dev.mfagate.bot.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.api.ErrorCode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RefusalTest {
    @ParameterizedTest
    @EnumSource(ErrorCode.class)
    void of_serverSideError_neverBlamesTheBotsConfiguration(ErrorCode code) {
        if (code.httpStatus() >= 500) {
            assertThat(Refusal.of(code)).as("%s is the gateway's trouble (or the client's revoked key), never the bot's", code)
                    .isIn(Refusal.GATEWAY_FAILING, Refusal.AUDIT_UNAVAILABLE, Refusal.TENANT_KEY_REVOKED);
        }
        if (code.httpStatus() == 429) {
            assertThat(Refusal.of(code)).isIn(Refusal.RATE_LIMITED, Refusal.DAILY_CAP_REACHED, Refusal.LOCKED_OUT);
        }
    }
}
