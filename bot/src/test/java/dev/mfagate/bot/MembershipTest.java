package dev.mfagate.bot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.bot.zulip.UserGroup;
import dev.mfagate.bot.zulip.ZulipEvent;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Group membership is pure bookkeeping (no Zulip call), so it is tested without a server. */
class MembershipTest {
    private final Membership membership = new Membership(null, Duration.ofSeconds(60));

    @Test
    void groupsOf_memberOfSubgroup_isMemberOfParent() {
        membership.resetGroups(List.of(
                new UserGroup(1, "ops", List.of(10), List.of()),
                new UserGroup(2, "engineering", List.of(11), List.of(1L)),
                new UserGroup(3, "everyone", List.of(), List.of(2L)),
                new UserGroup(4, "sales", List.of(12), List.of())));
        assertThat(membership.groupsOf(10)).containsExactly(1L, 2L, 3L);
        assertThat(membership.groupsOf(11)).containsExactly(2L, 3L);
        assertThat(membership.groupsOf(99)).isEmpty();
    }

    @Test
    void apply_userGroupEvents_keepMembershipCurrent() {
        membership.resetGroups(List.of(new UserGroup(1, "ops", List.of(10), List.of())));
        membership.apply(new ZulipEvent.UserGroupEvent(1, "add_members", null, 1L, List.of(20), List.of()));
        membership.apply(new ZulipEvent.UserGroupEvent(2, "remove_members", null, 1L, List.of(10), List.of()));
        membership.apply(new ZulipEvent.UserGroupEvent(3, "add", new UserGroup(5, "new", List.of(), List.of(1L)), null, List.of(), List.of()));
        assertThat(membership.groupsOf(10)).isEmpty();
        assertThat(membership.groupsOf(20)).containsExactly(1L, 5L);
        membership.apply(new ZulipEvent.UserGroupEvent(4, "remove_subgroups", null, 5L, List.of(), List.of(1L)));
        assertThat(membership.groupsOf(20)).containsExactly(1L);
        membership.apply(new ZulipEvent.UserGroupEvent(5, "remove", null, 1L, List.of(), List.of()));
        assertThat(membership.groupsOf(20)).isEmpty();
    }
}
