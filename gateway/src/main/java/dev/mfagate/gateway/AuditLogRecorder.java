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
        append(fromRequest(r, Outcome.valueOf(outcome)).reason(r.reason != null ? r.reason : reason).ruleId(r.grant).build());
    }

    /** The fields every entry about a request carries. */
    private AuditEvent.Builder fromRequest(RequestRecord r, Outcome outcome) {
        AuditEvent.Builder b = AuditEvent.builder(clock.instant(), outcome)
                .requestId(r.requestId())
                .route(r.route())
                .tokenId(r.tokenId())
                .label(r.label())
                .remoteAddress(r.remoteAddress())
                .instanceId(instanceId);
        if (r.onBehalf() != null) {
            b.zulipUser(r.onBehalf().userId(), r.onBehalf().email().orElse(null));
        }
        return b;
    }

    @Override
    public void recordRejected(String remoteAddress, String wireCode) {
        try {
            log.append(AuditEvent.builder(clock.instant(), Outcome.MALFORMED)
                    .requestId(dev.mfagate.gateway.http.RequestIds.create())
                    .route("(refused by the HTTP parser)")
                    .reason(wireCode)
                    .remoteAddress(remoteAddress)
                    .instanceId(instanceId)
                    .build());
        } catch (RuntimeException e) {
            // Nothing to fail closed on: no code was going to leave. The audit writer logs its own failures.
        }
    }

    @Override
    public void recordLockout(RequestRecord r, String principalKey, Instant until) {
        append(fromRequest(r, Outcome.LOCKED_OUT).reason("lockout_started").detail(principalKey + " locked until " + until).build());
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
