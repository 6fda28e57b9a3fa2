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

/** Messages: id allocation, Zulip's rules for content, edits, deletion and reactions, and who is told (narrows included). */
class MessageStoreTest {
    private static final Instant T0 = Instant.parse("2025-01-02T03:04:05Z");
    private static final String CLIENT = "test";

    private final ReentrantLock lock = new ReentrantLock();
    private final EventQueues queues = new EventQueues(lock, Duration.ofMinutes(10), () -> 0L);
    private final Directory directory = new Directory(lock, queues);
    private final MessageStore store = new MessageStore(lock, directory, queues);
    private int alice;
    private int bob;
    private int carol;
    private Directory.Channel client;

    @BeforeEach
    void organisation() {
        alice = directory.addUser("Alice", "alice@example.com", false, T0);
        bob = directory.addUser("Bob", "bob@example.com", false, T0);
        carol = directory.addUser("Carol", "carol@example.com", false, T0);
        directory.addChannel("client", "", false, T0);
        directory.subscribe(alice, "client");
        directory.subscribe(bob, "client");
        client = directory.channelByName("client");
    }

    private EventQueue register(int userId, String narrow) {
        return queues.register(userId, Set.of("message", "update_message", "delete_message", "reaction"),
                narrow == null ? Narrow.NONE : Narrow.parse(Json.parseOrNull(narrow)), false, false, false);
    }

    private List<Event> events(int userId, EventQueue q) throws InterruptedException {
        return queues.poll(userId, q.id, null, true, Duration.ofSeconds(1)).stream().map(EventQueue.Entry::event).toList();
    }

    private List<Integer> newMessageIds(int userId, EventQueue q) throws InterruptedException {
        return events(userId, q).stream().map(e -> ((Event.NewMessage) e).message().id()).toList();
    }

    private int dm(int from, int to, String content) {
        return store.sendDirect(from, Set.of(to), content, CLIENT, T0);
    }

    @Test
    void maxMessageId_beforeAnyMessage_isMinusOne() {
        assertThat(store.maxMessageId()).isEqualTo(-1);
    }

    @Test
    void send_directThenChannel_idsCountUpFromOneInSendingOrder() {
        int first = dm(alice, bob, "one");
        int second = store.sendToChannel(alice, client, "topic", "two", CLIENT, T0);
        int third = dm(bob, alice, "three");

        assertThat(List.of(first, second, third)).containsExactly(1, 2, 3);
        assertThat(store.maxMessageId()).isEqualTo(3);
        assertThat(store.all()).extracting(m -> m.id).containsExactly(1, 2, 3);
        assertThat(client.firstMessageId).isEqualTo(2);
    }

    @Test
    void send_refused_allocatesNoId() {
        assertThatThrownBy(() -> dm(alice, bob, "   ")).isInstanceOf(ZulipError.class).hasMessage("Message must not be empty");

        assertThat(dm(alice, bob, "hello")).isEqualTo(1);
    }

    @Test
    void sendDirect_toDeactivatedUser_isRefusedNamingThem() {
        directory.setActive(bob, false);

        assertThatThrownBy(() -> dm(alice, bob, "hi")).isInstanceOf(ZulipError.class)
                .hasMessage("'bob@example.com' is no longer using Zulip.");
    }

    @Test
    void sendDirect_fromDeactivatedUser_isMisuse() {
        directory.setActive(alice, false);

        assertThatThrownBy(() -> dm(alice, bob, "hi")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sendToChannel_topicPastLimit_isCutWithEllipsis() {
        int id = store.sendToChannel(alice, client, "  " + "t".repeat(100) + "  ", "hi", CLIENT, T0);

        assertThat(store.message(id).topic).hasSize(MessageStore.MAX_TOPIC_LENGTH).endsWith("...");
    }

    @Test
    void send_contentPastLimit_isTruncatedWithMarker() {
        int id = dm(alice, bob, "x".repeat(MessageStore.MAX_MESSAGE_LENGTH + 1));

        assertThat(store.message(id).content).hasSize(MessageStore.MAX_MESSAGE_LENGTH).endsWith("\n[message truncated]");
    }

    @Test
    void sendToChannel_privateChannelNotSubscribed_isRefused() {
        directory.addChannel("secret", "", true, T0);

        assertThatThrownBy(() -> store.sendToChannel(alice, directory.channelByName("secret"), "t", "hi", CLIENT, T0))
                .isInstanceOf(ZulipError.class).hasMessage("Not authorized to send to channel 'secret'");
    }

    @Test
    void send_mentioningReceiver_flagsThemMentionedAndSenderRead() {
        int id = store.sendToChannel(alice, client, "t", "ping @**Bob**", CLIENT, T0);
        MessageStore.Message m = store.message(id);

        assertThat(store.flags(m, bob)).containsExactly("mentioned");
        assertThat(store.flags(m, alice)).containsExactly("read");
    }

    @Test
    void send_toChannel_reachesSubscribersAndSenderOnly() throws Exception {
        EventQueue bobs = register(bob, null);
        EventQueue carols = register(carol, null);

        int id = store.sendToChannel(alice, client, "t", "hi", CLIENT, T0);

        assertThat(newMessageIds(bob, bobs)).containsExactly(id);
        assertThat(newMessageIds(carol, carols)).as("not subscribed").isEmpty();
        assertThat(store.receivers(store.message(id))).containsExactlyInAnyOrder(alice, bob);
        assertThat(store.canAccess(carol, store.message(id))).as("a public channel's history is open").isTrue();
    }

    @Test
    void send_queueNarrowedToDirectMessages_receivesNoChannelMessage() throws Exception {
        EventQueue q = register(bob, "[[\"is\", \"dm\"]]");

        int direct = dm(alice, bob, "dm");
        store.sendToChannel(alice, client, "t", "channel", CLIENT, T0);

        assertThat(newMessageIds(bob, q)).containsExactly(direct);
    }

    @Test
    void send_queueNarrowedToChannelAndTopic_receivesOnlyThatTopic() throws Exception {
        EventQueue q = register(bob, "[{\"operator\": \"channel\", \"operand\": \"CLIENT\"}, {\"operator\": \"topic\", \"operand\": \"deploy\"}]");

        int wanted = store.sendToChannel(alice, client, "Deploy", "a", CLIENT, T0);
        store.sendToChannel(alice, client, "other", "b", CLIENT, T0);
        dm(alice, bob, "c");

        assertThat(newMessageIds(bob, q)).containsExactly(wanted);
    }

    @Test
    void send_queueNarrowedToConversation_receivesOnlyMessagesWithThatPerson() throws Exception {
        EventQueue q = register(bob, "[[\"dm\", \"alice@example.com\"]]");

        int withAlice = dm(alice, bob, "from alice");
        dm(carol, bob, "from carol");
        int toAlice = dm(bob, alice, "to alice");

        assertThat(newMessageIds(bob, q)).containsExactly(withAlice, toAlice);
    }

    @Test
    void send_negatedSenderNarrow_excludesThatSender() throws Exception {
        EventQueue q = register(bob, "[{\"operator\": \"sender\", \"operand\": \"alice@example.com\", \"negated\": true}]");

        dm(alice, bob, "from alice");
        int fromCarol = dm(carol, bob, "from carol");

        assertThat(newMessageIds(bob, q)).containsExactly(fromCarol);
    }

    @Test
    void editContent_withinLimitPlusGrace_keepsHistoryAndAnnouncesUpdate() throws Exception {
        int id = dm(alice, bob, "before");
        EventQueue q = register(bob, null);
        Instant late = T0.plusSeconds(600 + MessageStore.EDIT_LIMIT_GRACE_SECONDS);

        store.editContent(alice, store.message(id), "after", OrgSettings.defaults(), late);

        MessageStore.Message m = store.message(id);
        assertThat(m.content).isEqualTo("after");
        assertThat(m.edits).containsExactly(new MessageStore.Edit("before", late.getEpochSecond(), alice));
        assertThat(events(bob, q)).singleElement().isInstanceOfSatisfying(Event.UpdateMessage.class, e -> {
            assertThat(e.origContent()).isEqualTo("before");
            assertThat(e.content()).isEqualTo("after");
            assertThat(e.streamId()).as("a direct message has no channel").isNull();
        });
    }

    @Test
    void editContent_pastLimitPlusGrace_isRefused() {
        int id = dm(alice, bob, "before");
        Instant tooLate = T0.plusSeconds(600 + MessageStore.EDIT_LIMIT_GRACE_SECONDS + 1);

        assertThatThrownBy(() -> store.editContent(alice, store.message(id), "after", OrgSettings.defaults(), tooLate))
                .isInstanceOf(ZulipError.class).hasMessage("The time limit for editing this message has past");
        assertThat(store.message(id).content).isEqualTo("before");
    }

    @Test
    void editContent_someoneElsesMessage_isRefused() {
        int id = dm(alice, bob, "before");

        assertThatThrownBy(() -> store.editContent(bob, store.message(id), "after", OrgSettings.defaults(), T0))
                .isInstanceOf(ZulipError.class).hasMessage("You don't have permission to edit this message");
    }

    @Test
    void delete_ownMessage_hidesItFromLookupButKeepsItStored() throws Exception {
        int id = store.sendToChannel(alice, client, "t", "oops", CLIENT, T0);
        EventQueue q = register(bob, null);

        store.delete(alice, store.message(id), OrgSettings.defaults(), T0);

        assertThat(store.message(id)).isNull();
        assertThat(store.all()).singleElement().satisfies(m -> assertThat(m.deleted).isTrue());
        assertThat(events(bob, q)).containsExactly(new Event.DeleteMessage(null, id, "stream", client.id, "t"));
    }

    @Test
    void delete_byMemberWhenOnlyAdministratorsMay_isRefusedButAdministratorMay() {
        int id = dm(alice, bob, "hi");
        OrgSettings adminsOnly = OrgSettings.defaults().withEveryoneCanDeleteOwnMessages(false);

        assertThatThrownBy(() -> store.delete(alice, store.message(id), adminsOnly, T0))
                .isInstanceOf(ZulipError.class).hasMessage("You don't have permission to delete this message");
        directory.setRole(carol, Role.ADMINISTRATOR);
        store.delete(carol, store.message(id), adminsOnly, T0);
        assertThat(store.message(id)).isNull();
    }

    @Test
    void react_sameReactionTwice_isRefusedWithReactionAlreadyExists() {
        int id = dm(alice, bob, "hi");
        store.react(bob, store.message(id), "+1", "1f44d", "unicode_emoji", true);

        assertThatThrownBy(() -> store.react(bob, store.message(id), "+1", "1f44d", "unicode_emoji", true))
                .isInstanceOfSatisfying(ZulipError.class, e -> assertThat(e.code).isEqualTo("REACTION_ALREADY_EXISTS"));
        assertThat(store.message(id).reactions).hasSize(1);
    }

    @Test
    void react_removingAbsentReaction_isRefusedWithReactionDoesNotExist() {
        int id = dm(alice, bob, "hi");

        assertThatThrownBy(() -> store.react(bob, store.message(id), "+1", "1f44d", "unicode_emoji", false))
                .isInstanceOfSatisfying(ZulipError.class, e -> assertThat(e.code).isEqualTo("REACTION_DOES_NOT_EXIST"));
    }

    @Test
    void await_messageAlreadyThere_returnsWhatTheProbeFound() throws Exception {
        int id = dm(alice, bob, "hi");

        Integer found = store.await(all -> all.isEmpty() ? null : all.get(0).id, Duration.ofSeconds(1));

        assertThat(found).isEqualTo(id);
    }
}
