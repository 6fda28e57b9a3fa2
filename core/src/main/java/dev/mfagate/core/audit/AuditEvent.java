package dev.mfagate.core.audit;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * What one audit entry records, before the log gives it a sequence number.
 *
 * <p>There is deliberately no field for a code or a seed, and none may be put in {@code detail}
 * or {@code reason}. Fields other than {@code time} and {@code outcome} are optional
 * ({@code null}). Text is made safe for logs and terminals: control characters become
 * {@code '?'} and each field is cut to {@value #MAX_FIELD_LENGTH} characters, because some fields
 * (a malformed label, a remote address header) carry untrusted input. {@code time} is truncated
 * to microseconds, the precision stored.
 *
 * <pre>{@code
 * AuditEvent e = AuditEvent.builder(now, Outcome.ALLOWED)
 *         .requestId(rid).route("GET /code").tokenId("bot-1")
 *         .zulipUser(42L, "ann@example.com").label("acme-aws")
 *         .reason("rule:acme-team").ruleId("acme-team").remoteAddress("10.0.0.5")
 *         .build();
 * }</pre>
 *
 * @param time when the request was decided
 * @param requestId the request id ({@code X-Request-Id})
 * @param route the HTTP route or CLI command, e.g. {@code GET /code}, {@code cli policy apply}
 * @param tokenId the API token's public id
 * @param zulipUserId the on-behalf Zulip user id
 * @param zulipEmail the on-behalf Zulip user's email (informational)
 * @param label the label asked for (as given, when malformed)
 * @param outcome what happened
 * @param reason why, e.g. a {@code DenialReason}, {@code rule:<id>} or {@code token-scope}
 * @param ruleId the rule that granted, if any
 * @param remoteAddress the client address
 * @param instanceId which gateway instance wrote the entry
 * @param detail free text, e.g. what an admin action changed
 */
public record AuditEvent(
        Instant time,
        String requestId,
        String route,
        String tokenId,
        Long zulipUserId,
        String zulipEmail,
        String label,
        Outcome outcome,
        String reason,
        String ruleId,
        String remoteAddress,
        String instanceId,
        String detail) {

    /** The longest any text field may be; longer text is cut. */
    public static final int MAX_FIELD_LENGTH = 2_000;

    /** Validates {@code time} and {@code outcome}; sanitises text fields. */
    public AuditEvent {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(outcome, "outcome");
        time = time.truncatedTo(ChronoUnit.MICROS);
        requestId = clean(requestId);
        route = clean(route);
        tokenId = clean(tokenId);
        zulipEmail = clean(zulipEmail);
        label = clean(label);
        reason = clean(reason);
        ruleId = clean(ruleId);
        remoteAddress = clean(remoteAddress);
        instanceId = clean(instanceId);
        detail = clean(detail);
    }

    /** A builder for an event at {@code time} with {@code outcome}. */
    public static Builder builder(Instant time, Outcome outcome) {
        return new Builder(time, outcome);
    }

    private static String clean(String s) {
        if (s == null) {
            return null;
        }
        String cut = s.length() > MAX_FIELD_LENGTH ? s.substring(0, MAX_FIELD_LENGTH) : s;
        StringBuilder sb = null;
        for (int i = 0; i < cut.length(); i++) {
            char c = cut.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                if (sb == null) {
                    sb = new StringBuilder(cut);
                }
                sb.setCharAt(i, '?');
            }
        }
        return sb == null ? cut : sb.toString();
    }

    /** Builds an {@link AuditEvent}; not thread-safe. */
    public static final class Builder {
        private final Instant time;
        private final Outcome outcome;
        private String requestId;
        private String route;
        private String tokenId;
        private Long zulipUserId;
        private String zulipEmail;
        private String label;
        private String reason;
        private String ruleId;
        private String remoteAddress;
        private String instanceId;
        private String detail;

        private Builder(Instant time, Outcome outcome) {
            this.time = Objects.requireNonNull(time, "time");
            this.outcome = Objects.requireNonNull(outcome, "outcome");
        }

        /** Sets the request id. */
        public Builder requestId(String v) {
            requestId = v;
            return this;
        }

        /** Sets the route or command. */
        public Builder route(String v) {
            route = v;
            return this;
        }

        /** Sets the token id. */
        public Builder tokenId(String v) {
            tokenId = v;
            return this;
        }

        /** Sets the on-behalf Zulip user. */
        public Builder zulipUser(Long id, String email) {
            zulipUserId = id;
            zulipEmail = email;
            return this;
        }

        /** Sets the label. */
        public Builder label(String v) {
            label = v;
            return this;
        }

        /** Sets the reason. */
        public Builder reason(String v) {
            reason = v;
            return this;
        }

        /** Sets the granting rule id. */
        public Builder ruleId(String v) {
            ruleId = v;
            return this;
        }

        /** Sets the client address. */
        public Builder remoteAddress(String v) {
            remoteAddress = v;
            return this;
        }

        /** Sets the instance id. */
        public Builder instanceId(String v) {
            instanceId = v;
            return this;
        }

        /** Sets the free-text detail. */
        public Builder detail(String v) {
            detail = v;
            return this;
        }

        /** The event. */
        public AuditEvent build() {
            return new AuditEvent(time, requestId, route, tokenId, zulipUserId, zulipEmail, label, outcome,
                    reason, ruleId, remoteAddress, instanceId, detail);
        }
    }
}
