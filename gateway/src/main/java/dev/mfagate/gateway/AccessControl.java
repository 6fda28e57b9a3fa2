package dev.mfagate.gateway;

import dev.mfagate.core.Label;
import dev.mfagate.core.policy.Subject;
import java.time.Instant;
import java.util.Collection;
import java.util.SortedSet;

/**
 * Decides whether a caller (or the user it acts for) may get a code for a label. Deny by default.
 * Implementations are thread-safe.
 */
public interface AccessControl {

    /**
     * Returns normally when the request is allowed, and then counts it against any limit.
     *
     * @throws dev.mfagate.gateway.http.ApiException with {@code forbidden}, {@code on_behalf_not_permitted},
     *     {@code rate_limited} or {@code locked_out} when it is not
     */
    void authorize(RequestRecord request, Subject subject, Label label, Instant now);

    /** Exactly the labels among {@code all} that {@link #authorize} would allow (ignoring rate limits). */
    SortedSet<Label> allowed(Subject subject, Collection<Label> all, Instant now);
}
