package dev.mfagate.bot.zulip;

import java.util.List;
import java.util.Objects;

/**
 * A Zulip user group as {@code /register}'s {@code realm_user_groups} and {@code user_group} events describe it.
 *
 * @param id the group id (what gateway policy grants to, as {@code group:<id>})
 * @param name the group name (system groups are named like {@code role:members})
 * @param members direct member user ids
 * @param directSubgroupIds direct subgroups: their members are members of this group too
 */
public record UserGroup(long id, String name, List<Integer> members, List<Long> directSubgroupIds) {
    /** Copies the lists. */
    public UserGroup {
        Objects.requireNonNull(name, "name");
        members = List.copyOf(members);
        directSubgroupIds = List.copyOf(directSubgroupIds);
    }
}
