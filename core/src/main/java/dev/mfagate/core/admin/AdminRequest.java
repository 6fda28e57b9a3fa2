package dev.mfagate.core.admin;

import dev.mfagate.core.issue.RequestMeta;
import dev.mfagate.core.tenant.Scope;
import java.time.Instant;
import java.util.Objects;

/**
 * One administrative request as the door read it: who asks, in which tenant (or the organisation),
 * where from (for the audit entry) and when.
 *
 * @param caller who asks
 * @param target the tenant the request's path names, or the organisation
 * @param meta request id, route template and client address
 * @param now the time of the request
 */
public record AdminRequest(AdminCaller caller, Scope target, RequestMeta meta, Instant now) {
    /** Validates. */
    public AdminRequest {
        Objects.requireNonNull(caller, "caller");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(meta, "meta");
        Objects.requireNonNull(now, "now");
    }
}
