package dev.mfagate.gateway;

import dev.mfagate.api.ErrorCode;
import dev.mfagate.core.Label;
import dev.mfagate.core.policy.Subject;
import dev.mfagate.gateway.http.ApiException;
import java.time.Instant;
import java.util.Collection;
import java.util.SortedSet;
import java.util.TreeSet;

/** Access by token scope alone: the demo mode's policy, where the one demo token's scope is {@code *}. */
public final class ScopeAccessControl implements AccessControl {

    @Override
    public void authorize(RequestRecord request, Subject subject, Label label, Instant now) {
        if (!subject.token().covers(label)) {
            throw new ApiException(ErrorCode.FORBIDDEN, "This token may not get codes for " + label.value());
        }
    }

    @Override
    public SortedSet<Label> allowed(Subject subject, Collection<Label> all, Instant now) {
        SortedSet<Label> out = new TreeSet<>();
        for (Label l : all) {
            if (subject.token().covers(l)) {
                out.add(l);
            }
        }
        return out;
    }
}
