package dev.mfagate.core.issue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.core.audit.Outcome;
import dev.mfagate.core.policy.DenialReason;
import dev.mfagate.core.ratelimit.RateLimitScope;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Every {@link RefusalReason}: its audit outcome and its stable audit reason. */
class RefusalReasonTest {

    static Stream<Arguments> table() {
        return Stream.of(
                //            reason                                          outcome                  audit reason
                Arguments.of(RefusalReason.SHUTTING_DOWN,                    Outcome.FAILED,          "shutting_down"),
                Arguments.of(RefusalReason.ADDRESS_NOT_ALLOWED,              Outcome.DENIED,          "address_not_allowed"),
                Arguments.of(RefusalReason.UNAUTHENTICATED,                  Outcome.UNAUTHENTICATED, "unauthenticated"),
                Arguments.of(RefusalReason.INVALID_ON_BEHALF,                Outcome.MALFORMED,       "invalid_on_behalf"),
                Arguments.of(RefusalReason.BAD_REQUEST,                      Outcome.MALFORMED,       "bad_request"),
                Arguments.of(RefusalReason.INVALID_LABEL,                    Outcome.MALFORMED,       "invalid_label"),
                Arguments.of(RefusalReason.NO_SUCH_ROUTE,                    Outcome.MALFORMED,       "not_found"),
                Arguments.of(RefusalReason.METHOD_NOT_ALLOWED,               Outcome.MALFORMED,       "method_not_allowed"),
                Arguments.of(RefusalReason.REQUEST_TOO_LARGE,                Outcome.MALFORMED,       "request_too_large"),
                Arguments.of(RefusalReason.URI_TOO_LONG,                     Outcome.MALFORMED,       "uri_too_long"),
                Arguments.of(RefusalReason.HEADERS_TOO_LARGE,                Outcome.MALFORMED,       "headers_too_large"),
                Arguments.of(RefusalReason.REQUEST_TIMEOUT,                  Outcome.MALFORMED,       "request_timeout"),
                Arguments.of(RefusalReason.BUSY,                             Outcome.FAILED,          "busy"),
                Arguments.of(RefusalReason.ADMIN_FORBIDDEN,                  Outcome.DENIED,          "admin_forbidden"),
                Arguments.of(RefusalReason.CSRF_REFUSED,                     Outcome.DENIED,          "csrf_refused"),
                Arguments.of(RefusalReason.NOT_VISIBLE,                      Outcome.DENIED,          "not_visible"),
                Arguments.of(RefusalReason.NO_SUCH_OBJECT,                   Outcome.DENIED,          "no_such_object"),
                Arguments.of(RefusalReason.CONFLICT,                         Outcome.MALFORMED,       "conflict"),
                Arguments.of(RefusalReason.SEED_BATCH_TOO_LARGE,             Outcome.MALFORMED,       "seed_batch_too_large"),
                Arguments.of(RefusalReason.TENANT_SEED_LIMIT,                Outcome.MALFORMED,       "tenant_seed_limit"),
                Arguments.of(RefusalReason.LOCKED_OUT,                       Outcome.LOCKED_OUT,      "locked_out"),
                Arguments.of(RefusalReason.RATE_LIMITED_PRINCIPAL_AND_LABEL, Outcome.RATE_LIMITED,    "rate_limited_principal_and_label"),
                Arguments.of(RefusalReason.RATE_LIMITED_PRINCIPAL,           Outcome.RATE_LIMITED,    "rate_limited_principal"),
                Arguments.of(RefusalReason.RATE_LIMITED_TOKEN,               Outcome.RATE_LIMITED,    "rate_limited_token"),
                Arguments.of(RefusalReason.ON_BEHALF_NOT_PERMITTED,          Outcome.DENIED,          "on_behalf_not_permitted"),
                Arguments.of(RefusalReason.NO_MATCHING_RULE,                 Outcome.DENIED,          "no_matching_rule"),
                Arguments.of(RefusalReason.GRANT_EXPIRED,                    Outcome.DENIED,          "grant_expired"),
                Arguments.of(RefusalReason.OUTSIDE_TOKEN_SCOPE,              Outcome.DENIED,          "outside_token_scope"),
                Arguments.of(RefusalReason.DAILY_CAP_REACHED,                Outcome.RATE_LIMITED,    "daily_cap_reached"),
                Arguments.of(RefusalReason.UNKNOWN_LABEL,                    Outcome.DENIED,          "unknown_label"),
                Arguments.of(RefusalReason.KEY_UNAVAILABLE,                  Outcome.FAILED,          "key_unavailable"),
                Arguments.of(RefusalReason.TENANT_KEY_REVOKED,               Outcome.FAILED,          "tenant_key_revoked"),
                Arguments.of(RefusalReason.TENANT_KEY_UNAVAILABLE,           Outcome.FAILED,          "tenant_key_unavailable"),
                Arguments.of(RefusalReason.SEED_UNREADABLE,                  Outcome.FAILED,          "seed_unreadable"),
                Arguments.of(RefusalReason.STORE_UNAVAILABLE,                Outcome.FAILED,          "store_unavailable"),
                Arguments.of(RefusalReason.AUDIT_UNAVAILABLE,                Outcome.FAILED,          "audit_unavailable"),
                Arguments.of(RefusalReason.INTERNAL_ERROR,                   Outcome.FAILED,          "internal_error"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void reason_audit_outcomeAndStableReason(RefusalReason reason, Outcome outcome, String auditReason) {
        assertThat(reason.outcome()).isEqualTo(outcome);
        assertThat(reason.auditReason()).isEqualTo(auditReason);
    }

    @Test
    void table_coversEveryReason_onceAndWithDistinctAuditReasons() {
        Set<RefusalReason> listed = new HashSet<>();
        Set<String> auditReasons = new HashSet<>();
        table().forEach(a -> {
            listed.add((RefusalReason) a.get()[0]);
            auditReasons.add((String) a.get()[2]);
        });
        assertThat(listed).as("every reason has a row").containsExactlyInAnyOrder(RefusalReason.values());
        assertThat(auditReasons).as("operators tell reasons apart in the trail").hasSize(RefusalReason.values().length);
    }

    @ParameterizedTest
    @EnumSource(DenialReason.class)
    void of_everyDenialReason_sameName(DenialReason denial) {
        assertThat(RefusalReason.of(denial).name()).isEqualTo(denial.name());
    }

    @ParameterizedTest
    @EnumSource(RateLimitScope.class)
    void of_everyRateLimitScope_aLimit(RateLimitScope scope) {
        assertThat(RefusalReason.of(scope).isLimit()).isTrue();
        assertThat(RefusalReason.of(scope).auditReason()).isEqualTo("rate_limited_" + scope.name().toLowerCase(java.util.Locale.ROOT));
    }
}
