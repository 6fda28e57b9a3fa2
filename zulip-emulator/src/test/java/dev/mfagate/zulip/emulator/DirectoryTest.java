package dev.mfagate.zulip.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Users, channels and groups: Zulip's rules for changing them and the events each change announces. */
class DirectoryTest {
    private static final Instant T0 = Instant.parse("2025-01-02T03:04:05Z");

    private final ReentrantLock lock = new ReentrantLock();
    private final EventQueues queues = new EventQueues(lock, Duration.ofMinutes(10), () -> 0L);
    private final Directory directory = new Directory(lock, queues);
    private int alice;
    private int bob;

    @BeforeEach
    void people() {
        alice = directory.addUser("Alice", "alice@example.com", false, T0);
        bob = directory.addUser("Bob", "bob@example.com", false, T0);
    }

    private EventQueue register(int userId) {
        return queues.register(userId, null, Narrow.NONE, false, false, false);
    }

    private List<Event> events(int userId, EventQueue q) throws InterruptedException {
        return queues.poll(userId, q.id, null, true, Duration.ofSeconds(1)).stream().map(EventQueue.Entry::event).toList();
    }

    private Directory.Group group(String name) {
        return directory.groups().stream().filter(g -> g.name.equals(name)).findFirst().orElseThrow();
    }

    @Test
    void addUser_first_getsIdEightAndAWellFormedKey() {
        Directory fresh = new Directory(lock, queues);

        int id = fresh.addUser("Carol", "carol@example.com", true, T0);

        assertThat(id).as("Zulip's first user id after its system bots").isEqualTo(8);
        assertThat(Directory.hasApiKeyFormat(fresh.user(id).apiKey)).isTrue();
        assertThat(fresh.user(id).dateJoined).isEqualTo(T0);
    }

    @Test
    void addUser_emailTakenInOtherCase_isRefused() {
        assertThatThrownBy(() -> directory.addUser("Alice 2", "ALICE@example.com", false, T0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already in use");
    }

    @Test
    void addUser_withQueueRegistered_joinsFullMembersAndIsAnnounced() throws Exception {
        EventQueue q = register(alice);

        int carol = directory.addUser("Carol", "carol@example.com", false, T0);

        assertThat(group("role:fullmembers").members).contains(carol);
        assertThat(events(alice, q)).singleElement().isInstanceOfSatisfying(Event.RealmUserAdd.class,
                e -> assertThat(e.person().userId()).isEqualTo(carol));
    }

    @Test
    void setRole_toAdministrator_movesUserBetweenSystemGroups() {
        directory.setRole(bob, Role.ADMINISTRATOR);

        assertThat(group("role:fullmembers").members).doesNotContain(bob);
        assertThat(group("role:administrators").members).contains(bob);
        assertThat(directory.user(bob).role.isAdministrator()).isTrue();
    }

    @Test
    void setApiKey_malformed_isRefusedAndKeyKept() {
        String before = directory.user(alice).apiKey;

        assertThatThrownBy(() -> directory.setApiKey(alice, "short")).isInstanceOf(IllegalArgumentException.class);
        assertThat(directory.user(alice).apiKey).isEqualTo(before);
    }

    @Test
    void canSeeChannel_privateChannel_onlySubscribersAndAdministrators() {
        directory.addChannel("secret", "", true, T0);
        directory.subscribe(alice, "secret");
        Directory.Channel secret = directory.channelByName("SECRET");

        assertThat(directory.canSeeChannel(alice, secret)).isTrue();
        assertThat(directory.canSeeChannel(bob, secret)).isFalse();
        directory.setRole(bob, Role.ADMINISTRATOR);
        assertThat(directory.canSeeChannel(bob, secret)).isTrue();
    }

    @Test
    void subscribe_privateChannel_announcesPeerAddOnlyToThoseWhoSeeIt() throws Exception {
        directory.addChannel("secret", "", true, T0);
        int carol = directory.addUser("Carol", "carol@example.com", false, T0);
        directory.subscribe(carol, "secret");
        EventQueue alices = register(alice);
        EventQueue bobs = register(bob);
        EventQueue carols = register(carol);

        directory.subscribe(alice, "secret");

        assertThat(events(alice, alices)).singleElement().isInstanceOfSatisfying(Event.SubscriptionAdd.class,
                e -> assertThat(e.subscriptions()).extracting(s -> s.channel().name()).containsExactly("secret"));
        assertThat(events(carol, carols)).containsExactly(new Event.SubscriptionPeers("peer_add",
                List.of(directory.channelByName("secret").id), List.of(alice)));
        assertThat(events(bob, bobs)).as("a member who cannot see the channel learns nothing").isEmpty();
    }

    @Test
    void subscribe_twice_announcesOnce() throws Exception {
        directory.addChannel("client", "", false, T0);
        EventQueue q = register(alice);

        directory.subscribe(alice, "client");
        directory.subscribe(alice, "client");

        assertThat(events(alice, q)).hasSize(1);
        assertThat(directory.channelByName("client").subscribers).containsExactly(alice);
    }

    @Test
    void unsubscribe_subscriber_announcesRemoveToThemAndPeerRemoveToOthers() throws Exception {
        int client = directory.addChannel("client", "", false, T0);
        directory.subscribe(alice, "client");
        EventQueue alices = register(alice);
        EventQueue bobs = register(bob);

        directory.unsubscribe(alice, "client");

        assertThat(events(alice, alices)).containsExactly(new Event.SubscriptionRemove(List.of(new Wire.ChannelRef("client", client))));
        assertThat(events(bob, bobs)).containsExactly(new Event.SubscriptionPeers("peer_remove", List.of(client), List.of(alice)));
    }

    @Test
    void unsubscribe_notSubscribed_announcesNothing() throws Exception {
        directory.addChannel("client", "", false, T0);
        EventQueue q = register(alice);

        directory.unsubscribe(alice, "client");

        assertThat(events(alice, q)).isEmpty();
    }

    @Test
    void changeGroupMembers_someAlreadyMembers_announcesOnlyThoseAdded() throws Exception {
        int admins = directory.addGroup("mfa-admins", "", T0);
        directory.changeGroupMembers(admins, List.of(alice), true);
        EventQueue q = register(bob);

        directory.changeGroupMembers(admins, List.of(alice, bob), true);

        assertThat(group("mfa-admins").members).containsExactly(alice, bob);
        assertThat(events(bob, q)).containsExactly(new Event.UserGroupMembers("add_members", admins, List.of(bob)));
    }

    @Test
    void changeGroupMembers_removingNonMembers_announcesNothing() throws Exception {
        int admins = directory.addGroup("mfa-admins", "", T0);
        EventQueue q = register(alice);

        directory.changeGroupMembers(admins, List.of(alice, bob), false);

        assertThat(events(alice, q)).isEmpty();
    }

    @Test
    void changeGroupMembers_systemGroup_isRefused() {
        int administrators = group("role:administrators").id;

        assertThatThrownBy(() -> directory.changeGroupMembers(administrators, List.of(alice), true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("setRole");
        assertThat(group("role:administrators").members).doesNotContain(alice);
    }

    @Test
    void changeGroupMembers_unknownUser_isRefused() {
        int admins = directory.addGroup("mfa-admins", "", T0);

        assertThatThrownBy(() -> directory.changeGroupMembers(admins, List.of(999), true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("999");
    }

    @Test
    void directRecipientId_sameParticipants_sameIdFromTheSequenceChannelsDrawOn() {
        directory.addChannel("client", "", false, T0);

        int first = directory.directRecipientId(Set.of(alice, bob));
        int again = directory.directRecipientId(Set.of(bob, alice));
        int other = directory.directRecipientId(Set.of(alice));

        assertThat(directory.channelByName("client").recipientId).isEqualTo(1);
        assertThat(first).isEqualTo(2);
        assertThat(again).isEqualTo(first);
        assertThat(other).isEqualTo(3);
    }
}
