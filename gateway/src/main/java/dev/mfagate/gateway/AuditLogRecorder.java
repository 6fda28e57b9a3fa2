package dev.mfagate.gateway;

import dev.mfagate.api.ErrorCode;
import dev.mfagate.core.audit.AuditEvent;
import dev.mfagate.core.audit.AuditLog;
import dev.mfagate.core.audit.AuditUnavailableException;
import dev.mfagate.core.audit.Outcome;
import dev.mfagate.gateway.http.ApiException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Writes each request's audit entry through the group-committing {@link AuditLog} and waits for
 * the commit. If the commit fails the request fails with {@code audit_unavailable} (503) and no
 * code leaves (fail closed). Thread-safe.
 */
public final class AuditLogRecorder implements AuditRecorder {

    private final AuditLog log;
    private final Clock clock;
    private final String instanceId;

    /** @param instanceId names this gateway process in every entry (several may share one chain) */
    public AuditLogRecorder(AuditLog log, Clock clock, String instanceId) {
        this.log = log;
        this.clock = clock;
        this.instanceId = instanceId;
    }

    @Override
    public void recordDurably(RequestRecord r, String outcome, String reason) {
        AuditEvent.Builder b = AuditEvent.builder(clock.instant(), Outcome.valueOf(outcome))
                .requestId(r.requestId())
                .route(r.route())
                .tokenId(r.tokenId())
                .label(r.label())
                .reason(r.reason != null ? r.reason : reason)
                .ruleId(r.grant)
                .remoteAddress(r.remoteAddress())
                .instanceId(instanceId);
        if (r.onBehalf() != null) {
            b.zulipUser(r.onBehalf().userId(), r.onBehalf().email().orElse(null));
        }
        append(b.build());
    }

    @Override
    public void recordLockout(RequestRecord r, String principalKey, Instant until) {
        AuditEvent.Builder b = AuditEvent.builder(clock.instant(), Outcome.LOCKED_OUT)
                .requestId(r.requestId())
                .route(r.route())
                .tokenId(r.tokenId())
                .label(r.label())
                .reason("lockout_started")
                .remoteAddress(r.remoteAddress())
                .instanceId(instanceId)
                .detail(principalKey + " locked until " + until);
        if (r.onBehalf() != null) {
            b.zulipUser(r.onBehalf().userId(), r.onBehalf().email().orElse(null));
        }
        append(b.build());
    }

    private void append(AuditEvent event) {
        try {
            log.appendDurably(event);
        } catch (AuditUnavailableException e) {
            throw new ApiException(ErrorCode.AUDIT_UNAVAILABLE,
                    "The audit trail cannot be written, so no code is issued; try again shortly", Duration.ofSeconds(5));
        }
    }
}
