package dev.mfagate.gateway;

import dev.mfagate.api.ErrorCode;
import dev.mfagate.core.Label;
import dev.mfagate.gateway.http.ApiException;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/** Access by token scope alone: the demo mode's policy (its caller's scope is {@code *}). */
public final class ScopeAccessControl implements AccessControl {

    @Override
    public void authorize(RequestRecord request, Caller caller, Optional<OnBehalf> onBehalf, Label label, Instant now) {
        if (!caller.scope().matches(label)) {
            throw new ApiException(ErrorCode.FORBIDDEN, "This token may not get codes for " + label.value());
        }
    }

    @Override
    public SortedSet<Label> allowed(Caller caller, Optional<OnBehalf> onBehalf, Collection<Label> all, Instant now) {
        SortedSet<Label> out = new TreeSet<>();
        for (Label l : all) {
            if (caller.scope().matches(l)) {
                out.add(l);
            }
        }
        return out;
    }
}
