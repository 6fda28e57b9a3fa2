package dev.mfagate.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.api.ErrorCode;
import dev.mfagate.core.audit.Outcome;
import dev.mfagate.core.issue.RefusalReason;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link ErrorMapping}: every refusal reason has a wire code whose status agrees with its audit outcome. */
class ErrorMappingTest {

    @ParameterizedTest
    @EnumSource(RefusalReason.class)
    void errorCode_everyReason_statusAgreesWithTheAuditOutcome(RefusalReason reason) {
        ErrorCode code = ErrorMapping.errorCode(reason);
        int status = code.httpStatus();
        Outcome outcome = reason.outcome();
        switch (outcome) {
            case UNAUTHENTICATED -> assertThat(status).isEqualTo(401);
            case DENIED -> assertThat(status).isIn(403, 404);
            case RATE_LIMITED, LOCKED_OUT -> assertThat(status).isEqualTo(429);
            case MALFORMED -> assertThat(status).isBetween(400, 431).isNotIn(401, 403, 429);
            case FAILED -> assertThat(status).as("a failure, never the caller's fault").isBetween(500, 599);
            case ALLOWED, ADMIN -> throw new AssertionError(reason + " is audited as " + outcome);
        }
        assertThat(status).as("a refusal is never 2xx").isGreaterThanOrEqualTo(400);
    }

    @Test
    void errorCode_keyUnavailable_503NeverA500() {
        assertThat(ErrorMapping.errorCode(RefusalReason.KEY_UNAVAILABLE)).isEqualTo(ErrorCode.KEY_UNAVAILABLE);
        assertThat(ErrorCode.KEY_UNAVAILABLE.httpStatus()).isEqualTo(503);
    }

    @Test
    void errorCode_tenantKeyRevokedOrUnavailable_503NeverA500() {
        assertThat(ErrorMapping.errorCode(RefusalReason.TENANT_KEY_REVOKED)).isEqualTo(ErrorCode.TENANT_KEY_REVOKED);
        assertThat(ErrorMapping.errorCode(RefusalReason.TENANT_KEY_UNAVAILABLE)).isEqualTo(ErrorCode.TENANT_KEY_UNAVAILABLE);
        assertThat(ErrorCode.TENANT_KEY_REVOKED.httpStatus()).isEqualTo(503);
        assertThat(ErrorCode.TENANT_KEY_UNAVAILABLE.httpStatus()).isEqualTo(503);
    }

    @Test
    void errorCode_policyDenials_allForbiddenSoTheCallerCannotTellRulesApart() {
        for (RefusalReason r : EnumSet.of(RefusalReason.NO_MATCHING_RULE, RefusalReason.GRANT_EXPIRED,
                RefusalReason.OUTSIDE_TOKEN_SCOPE)) {
            assertThat(ErrorMapping.errorCode(r)).isEqualTo(ErrorCode.FORBIDDEN);
        }
    }

    @Test
    void errorCode_everyWireCodeAReasonMapsTo_isSentBySomeReason() {
        Set<ErrorCode> sent = EnumSet.noneOf(ErrorCode.class);
        for (RefusalReason r : RefusalReason.values()) {
            sent.add(ErrorMapping.errorCode(r));
        }
        assertThat(sent).as("every wire code the API documents can be sent").containsExactlyInAnyOrder(ErrorCode.values());
    }

    @ParameterizedTest
    @ValueSource(ints = {401, 404, 405, 408, 413, 414, 431, 503})
    void forStatus_bareStatus_reasonSentWithThatStatus(int status) {
        assertThat(ErrorMapping.errorCode(ErrorMapping.forStatus(status)).httpStatus()).isEqualTo(status);
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 402, 418, 500, 502})
    void forStatus_otherStatus_badRequestOrInternalError(int status) {
        assertThat(ErrorMapping.forStatus(status)).isEqualTo(status >= 500 ? RefusalReason.INTERNAL_ERROR : RefusalReason.BAD_REQUEST);
    }
}
