package dev.mfagate.zulip.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/** Event queues on a ticker the test advances: registration, numbering, acknowledgement, filtering, expiry, deletion. */
class EventQueuesTest {
    private static final int ALICE = 8;
    private static final int BOB = 9;
    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final EventQueues queues = new EventQueues(new ReentrantLock(), TIMEOUT, nanos::get);

    private EventQueue register(int userId, Set<String> eventTypes) {
        return queues.register(userId, eventTypes, Narrow.NONE, false, false, false);
    }

    private List<EventQueue.Entry> pending(int userId, EventQueue q, Integer lastEventId) throws InterruptedException {
        return queues.poll(userId, q.id, lastEventId, true, Duration.ofSeconds(1));
    }

    private static Event group(int groupId) {
        return new Event.UserGroupMembers("add_members", groupId, List.of(ALICE));
    }

    private static String codeOf(Throwable e) {
        return ((ZulipError) e).code;
    }

    @Test
    void register_newQueue_hasNoEventsAndLastEventIdMinusOne() throws Exception {
        EventQueue q = register(ALICE, null);

        assertThat(q.lastEventId()).isEqualTo(-1);
        assertThat(pending(ALICE, q, null)).isEmpty();
        assertThat(queues.ids(ALICE)).containsExactly(q.id);
    }

    @Test
    void emit_severalEvents_numbersThemFromZeroInOrder() throws Exception {
        EventQueue q = register(ALICE, null);

        queues.emit(any -> true, any -> group(1));
        queues.emit(any -> true, any -> group(2));

        assertThat(pending(ALICE, q, null)).containsExactly(new EventQueue.Entry(0, group(1)), new EventQueue.Entry(1, group(2)));
        assertThat(q.lastEventId()).isEqualTo(1);
    }

    @Test
    void poll_withLastEventId_forgetsAcknowledgedEvents() throws Exception {
        EventQueue q = register(ALICE, null);
        queues.emit(any -> true, any -> group(1));
        queues.emit(any -> true, any -> group(2));

        assertThat(pending(ALICE, q, 0)).extracting(EventQueue.Entry::id).containsExactly(1);
        assertThat(pending(ALICE, q, null)).extracting(EventQueue.Entry::id).as("acknowledged events stay forgotten").containsExactly(1);
    }

    @Test
    void emit_typeOutsideEventTypes_isNotQueued() throws Exception {
        EventQueue messagesOnly = register(ALICE, Set.of("message"));
        EventQueue groups = register(ALICE, Set.of("user_group"));

        queues.emit(any -> true, any -> group(1));

        assertThat(pending(ALICE, messagesOnly, null)).isEmpty();
        assertThat(pending(ALICE, groups, null)).hasSize(1);
    }

    @Test
    void emit_queueNotPicked_getsNothingAndIsNotAskedForAnEvent() throws Exception {
        EventQueue alices = register(ALICE, null);
        EventQueue bobs = register(BOB, null);

        queues.emit(q -> q.userId == BOB, q -> {
            assertThat(q.userId).as("event built only for picked queues").isEqualTo(BOB);
            return group(1);
        });

        assertThat(pending(ALICE, alices, null)).isEmpty();
        assertThat(pending(BOB, bobs, null)).hasSize(1);
    }

    @Test
    void poll_idlePastTimeout_throwsBadEventQueueIdNamingTheQueue() {
        EventQueue q = register(ALICE, null);

        nanos.addAndGet(TIMEOUT.toNanos() + 1);

        assertThatThrownBy(() -> pending(ALICE, q, null)).isInstanceOfSatisfying(ZulipError.class, e -> {
            assertThat(e.code).isEqualTo("BAD_EVENT_QUEUE_ID");
            assertThat(e.status).isEqualTo(400);
            assertThat(e.body().get("queue_id").asText()).isEqualTo(q.id);
        });
        assertThat(queues.ids(ALICE)).isEmpty();
    }

    @Test
    void poll_idleExactlyTheTimeout_keepsQueue() throws Exception {
        EventQueue q = register(ALICE, null);

        nanos.addAndGet(TIMEOUT.toNanos());

        assertThat(pending(ALICE, q, null)).isEmpty();
    }

    @Test
    void poll_beforeTimeout_restartsIdleness() throws Exception {
        EventQueue q = register(ALICE, null);
        nanos.addAndGet(TIMEOUT.toNanos() - 1);
        pending(ALICE, q, null);

        nanos.addAndGet(TIMEOUT.toNanos() - 1);

        assertThat(pending(ALICE, q, null)).as("polled within each timeout, the queue lives on").isEmpty();
    }

    @Test
    void emit_afterTimeout_collectsIdleQueueFirst() {
        EventQueue q = register(ALICE, null);
        nanos.addAndGet(TIMEOUT.toNanos() + 1);

        queues.emit(any -> true, any -> group(1));

        assertThat(q.dead).isTrue();
        assertThatThrownBy(() -> pending(ALICE, q, null)).satisfies(e -> assertThat(codeOf(e)).isEqualTo("BAD_EVENT_QUEUE_ID"));
    }

    @Test
    void poll_unknownQueue_throwsBadEventQueueId() {
        assertThatThrownBy(() -> queues.poll(ALICE, "no-such-queue", null, true, Duration.ofSeconds(1)))
                .satisfies(e -> assertThat(codeOf(e)).isEqualTo("BAD_EVENT_QUEUE_ID"));
    }

    @Test
    void poll_anotherUsersQueue_isRefusedWithBadRequest() {
        EventQueue q = register(ALICE, null);

        assertThatThrownBy(() -> pending(BOB, q, null)).isInstanceOfSatisfying(ZulipError.class, e -> {
            assertThat(e.code).isEqualTo("BAD_REQUEST");
            assertThat(e.getMessage()).isEqualTo("You are not authorized to get events from this queue");
        });
    }

    @Test
    void poll_nothingPendingPastHeartbeat_returnsHeartbeat() throws Exception {
        EventQueue q = register(ALICE, null);

        List<EventQueue.Entry> events = queues.poll(ALICE, q.id, null, false, Duration.ofMillis(1));

        assertThat(events).containsExactly(new EventQueue.Entry(0, new Event.Heartbeat()));
    }

    @Test
    void delete_thenPoll_throwsBadEventQueueId() {
        EventQueue q = register(ALICE, null);

        queues.delete(ALICE, q.id);

        assertThat(q.dead).isTrue();
        assertThatThrownBy(() -> pending(ALICE, q, null)).satisfies(e -> assertThat(codeOf(e)).isEqualTo("BAD_EVENT_QUEUE_ID"));
    }

    @Test
    void delete_anotherUsersQueue_isRefusedAndQueueKept() {
        EventQueue q = register(ALICE, null);

        assertThatThrownBy(() -> queues.delete(BOB, q.id)).satisfies(e -> assertThat(codeOf(e)).isEqualTo("BAD_REQUEST"));
        assertThat(queues.ids(ALICE)).containsExactly(q.id);
    }

    @Test
    void drop_user_removesOnlyTheirQueuesAndCountsThem() {
        register(ALICE, null);
        register(ALICE, Set.of("message"));
        EventQueue bobs = register(BOB, null);

        int dropped = queues.drop(ALICE);

        assertThat(dropped).isEqualTo(2);
        assertThat(queues.ids(ALICE)).isEmpty();
        assertThat(queues.ids(BOB)).containsExactly(bobs.id);
    }

    @Test
    void close_pollThatWouldWait_returnsAtOnceWithNothing() throws Exception {
        EventQueue q = register(ALICE, null);

        queues.close();

        assertThat(queues.poll(ALICE, q.id, null, false, Duration.ofHours(1))).isEmpty();
    }

    @Test
    void tree_entry_putsIdBesideTheEventsOwnFields() {
        var json = Json.tree(new EventQueue.Entry(3, group(5)));

        assertThat(json).isEqualTo(Json.parseOrNull(
                "{\"id\":3,\"type\":\"user_group\",\"op\":\"add_members\",\"group_id\":5,\"user_ids\":[8]}"));
    }
}
