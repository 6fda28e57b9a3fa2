package dev.mfagate.core.tenant;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Who is making an administrative request, as the door recognised them: the person (if their
 * identity is linked to one), the Zulip user groups they are in, and the SSO group claims of their
 * ID token. Each of these is a {@link Holder} that role bindings can name.
 *
 * @param person the person, if recognised
 * @param zulipGroupIds the Zulip user groups the actor is in
 * @param ssoGroups the SSO group claims (console sessions only)
 */
public record AdminActor(Optional<PersonId> person, Set<Long> zulipGroupIds, Set<String> ssoGroups) {

    /** Validates and copies. */
    public AdminActor {
        Objects.requireNonNull(person, "person");
        zulipGroupIds = Set.copyOf(zulipGroupIds);
        ssoGroups = Set.copyOf(ssoGroups);
    }

    /** The holders this actor is: the person, each Zulip group, each SSO group claim. */
    public List<Holder> holders() {
        List<Holder> out = new ArrayList<>();
        person.ifPresent(p -> out.add(new Holder.PersonHolder(p)));
        zulipGroupIds.forEach(g -> out.add(new Holder.ZulipGroup(g)));
        ssoGroups.forEach(c -> out.add(new Holder.SsoGroup(c)));
        return out;
    }
}
