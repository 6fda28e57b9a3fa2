package dev.mfagate.bot.zulip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mfagate.bot.secret.Secret;
import dev.mfagate.zulip.emulator.EmulatedMessage;
import dev.mfagate.zulip.emulator.FaultKind;
import dev.mfagate.zulip.emulator.FaultTarget;
import dev.mfagate.zulip.emulator.ZulipEmulator;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The bot's Zulip client against the emulator over real HTTP, every exchange held to Zulip's OpenAPI description. */
class ZulipClientTest {
    private ZulipEmulator zulip;
    private ZulipClient client;
    private int bot;
    private int ada;
    private final List<String> retries = new CopyOnWriteArrayList<>();
    private final List<Instant> serverDates = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        zulip = ZulipEmulator.builder().heartbeatInterval(Duration.ofSeconds(1)).validateAgainstSpec(true).build().start();
        bot = zulip.addUser("MFA Bot", "mfa-bot@example.com", true);
        ada = zulip.addUser("Ada Lovelace", "ada@example.com", false);
        client = newClient(zulip.apiKey(bot));
    }

    private ZulipClient newClient(String key) {
        return newClient(key, Duration.ofSeconds(5));
    }

    private ZulipClient newClient(String key, Duration requestTimeout) {
        ZulipClient.Settings settings = new ZulipClient.Settings(requestTimeout, Duration.ofSeconds(10),
                new Backoff(Duration.ofMillis(10), Duration.ofMillis(100)), new RateGuard(1000, 100), Duration.ofSeconds(20));
        return new ZulipClient(URI.create(zulip.baseUrl()), "mfa-bot@example.com", Secret.ofTrusted(key), settings, new ZulipListener() {
            @Override
            public void onServerDate(Instant serverDate, Instant localReceived) {
                serverDates.add(serverDate);
            }

            @Override
            public void onRetry(String kind) {
                retries.add(kind);
            }
        }, Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        client.close();
        try {
            zulip.assertNoSpecViolations();
        } finally {
            zulip.close();
        }
    }

    private List<ZulipEvent> pollUntil(Registration r, java.util.function.Predicate<ZulipEvent> wanted) throws Exception {
        long last = r.lastEventId();
        List<ZulipEvent> seen = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            EventsResult result = client.events(r.queueId(), last);
            assertThat(result).isInstanceOf(EventsResult.Events.class);
            for (ZulipEvent e : ((EventsResult.Events) result).events()) {
                last = Math.max(last, e.id());
                seen.add(e);
                if (wanted.test(e)) {
                    return seen;
                }
            }
        }
        throw new AssertionError("no wanted event within 10 s; saw " + seen);
    }

    @Test
    void register_thenDirectMessage_arrivesAsPrivateMessageEvent() throws Exception {
        Registration r = client.register(List.of("message", "user_group", "subscription"), List.of("message", "realm_user_groups", "user_group"));
        assertThat(r.queueId()).isNotBlank();
        assertThat(r.userGroups()).as("system groups come with realm_user_groups").isNotEmpty();
        int sent = zulip.sendDirectMessage(ada, List.of(bot), "!mfa-client-demo");
        List<ZulipEvent> events = pollUntil(r, e -> e instanceof ZulipEvent.MessageEvent);
        ZulipMessage m = ((ZulipEvent.MessageEvent) events.get(events.size() - 1)).message();
        assertThat(m.id()).isEqualTo(sent);
        assertThat(m.type()).isEqualTo("private");
        assertThat(m.content()).as("apply_markdown=false gives raw Markdown").isEqualTo("!mfa-client-demo");
        assertThat(m.senderId()).isEqualTo(ada);
        assertThat(m.isOneToOneWith(bot)).isTrue();
        assertThat(serverDates).as("the Date header is read").isNotEmpty();
    }

    @Test
    void events_idleQueue_returnsHeartbeat() throws Exception {
        Registration r = client.register(List.of("message"), List.of("message"));
        assertThat(pollUntil(r, e -> e instanceof ZulipEvent.Heartbeat)).isNotEmpty();
    }

    @Test
    void events_droppedQueue_reportsQueueGone() throws Exception {
        Registration r = client.register(List.of("message"), List.of("message"));
        zulip.dropEventQueues(bot);
        assertThat(client.events(r.queueId(), r.lastEventId())).isInstanceOf(EventsResult.QueueGone.class);
    }

    @Test
    void userGroupEvents_membershipChanges_arriveTyped() throws Exception {
        Registration r = client.register(List.of("user_group"), List.of("realm_user_groups", "user_group"));
        int group = zulip.addUserGroup("ops", "operations");
        zulip.addGroupMembers(group, List.of(ada));
        List<ZulipEvent> events = pollUntil(r, e -> e instanceof ZulipEvent.UserGroupEvent g && g.op().equals("add_members"));
        ZulipEvent.UserGroupEvent added = (ZulipEvent.UserGroupEvent) events.get(events.size() - 1);
        assertThat(added.groupId()).isEqualTo((long) group);
        assertThat(added.userIds()).containsExactly(ada);
    }

    @Test
    void sendEditDelete_ownReply_changesWhatZulipHolds() throws Exception {
        long id = client.sendDirect(ada, "hello");
        assertThat(zulip.message((int) id).orElseThrow().recipientIds()).contains(ada);
        assertThat(client.editMessage(id, "edited")).isInstanceOf(ChangeResult.Done.class);
        assertThat(zulip.message((int) id).orElseThrow().content()).isEqualTo("edited");
        assertThat(client.deleteMessage(id)).isInstanceOf(ChangeResult.Done.class);
        assertThat(zulip.message((int) id).orElseThrow().deleted()).isTrue();
    }

    @Test
    void edit_organisationForbidsEditing_isRefusedNotThrown() throws Exception {
        long id = client.sendDirect(ada, "hello");
        zulip.setAllowMessageEditing(false);
        zulip.setEveryoneCanDeleteOwnMessages(false);
        assertThat(client.editMessage(id, "edited")).isInstanceOf(ChangeResult.Refused.class);
        assertThat(client.deleteMessage(id)).isInstanceOf(ChangeResult.Refused.class);
    }

    @Test
    void channelsAndSubscribers_reflectTheRealm() throws Exception {
        zulip.addChannel("acme");
        zulip.subscribe(ada, "acme");
        List<Channel> channels = client.channels();
        Channel acme = channels.stream().filter(c -> c.name().equals("acme")).findFirst().orElseThrow();
        assertThat(client.subscribers(acme.id())).containsExactly(ada);
        long id = client.sendToChannel("acme", "channel events", "notice");
        assertThat(zulip.message((int) id).orElseThrow().channel()).isEqualTo("acme");
    }

    @Test
    void userAndMe_describeAccounts() throws Exception {
        assertThat(client.me().userId()).isEqualTo(bot);
        assertThat(client.me().isBot()).isTrue();
        ZulipUser u = client.user(ada);
        assertThat(u.fullName()).isEqualTo("Ada Lovelace");
        assertThat(u.isBot()).isFalse();
    }

    @Test
    void message_readable_isReturned_unknown_isEmpty() throws Exception {
        int sent = zulip.sendDirectMessage(ada, List.of(bot), "code acme-aws");
        assertThat(client.message(sent).orElseThrow().content()).isEqualTo("code acme-aws");
        assertThat(client.message(sent + 1000)).isEmpty();
    }

    @Test
    void send_rateLimited_waitsRetryAfterThenSucceeds() throws Exception {
        zulip.faults().setRetryAfterSeconds(1).failNext(1, FaultKind.RATE_LIMIT, FaultTarget.of("POST", "/messages"));
        long start = System.nanoTime();
        client.sendDirect(ada, "after a wait");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("Retry-After: 1 is honoured").isGreaterThanOrEqualTo(Duration.ofMillis(950));
        assertThat(retries).containsExactly("rate_limited");
        assertThat(zulip.messagesTo(ada)).hasSize(1);
    }

    @Test
    void send_serverErrorsAndDroppedConnections_areRetriedWithBackoff() throws Exception {
        zulip.faults().failNext(2, FaultKind.SERVER_ERROR, FaultTarget.of("POST", "/messages"))
                .failNext(2, FaultKind.DROP_CONNECTION, FaultTarget.of("POST", "/messages"));
        client.sendDirect(ada, "eventually");
        // The emulator's dropped connection currently reaches the client as Jetty's HTML 500 on some runs
        // rather than a closed socket; either way it must be retried.
        assertThat(retries).hasSize(4).allMatch(k -> k.equals("server_error") || k.equals("connection"));
        assertThat(zulip.messagesTo(ada)).as("a failed request changed nothing, so the retry sends once").hasSize(1);
    }

    @Test
    void send_answeredAfterTheTimeoutButStored_isNotSentAgain() throws Exception {
        client.close();
        client = newClient(zulip.apiKey(bot), Duration.ofMillis(500));
        // An earlier reply with the same text must not be taken for the one whose answer is late.
        long earlier = client.sendDirect(ada, "Your code: 123 456, valid until 10:00:30");
        zulip.faults().setSlowAnswerDelay(Duration.ofMillis(1500))
                .failNext(1, FaultKind.SLOW_ANSWER, FaultTarget.of("POST", "/messages"));

        long id = client.sendDirect(ada, "Your code: 123 456, valid until 10:00:30");

        assertThat(zulip.messagesTo(ada)).as("the late attempt stored the reply; it is not posted again").hasSize(2)
                .extracting(EmulatedMessage::id).containsExactly((int) earlier, (int) id);
        assertThat(id).isGreaterThan(earlier);
        assertThat(retries).containsExactly("connection");
        assertThat(zulip.apiCalls()).filteredOn(c -> c.method().equals("GET") && c.path().equals("/messages")).hasSize(1);
        // The late answer is written (and its call recorded) once the slow delay is over; still two messages after it.
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (zulip.apiCalls().stream().filter(c -> c.method().equals("POST")).count() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(zulip.apiCalls()).filteredOn(c -> c.method().equals("POST") && c.path().equals("/messages")).hasSize(2);
        assertThat(zulip.messagesTo(ada)).hasSize(2);
    }

    @Test
    void sendToChannel_answeredAfterTheTimeoutButStored_isNotSentAgain() throws Exception {
        zulip.addChannel("audit");
        zulip.subscribe(bot, "audit");
        client.close();
        client = newClient(zulip.apiKey(bot), Duration.ofMillis(500));
        zulip.faults().setSlowAnswerDelay(Duration.ofMillis(1500))
                .failNext(1, FaultKind.SLOW_ANSWER, FaultTarget.of("POST", "/messages"));

        long id = client.sendToChannel("audit", "codes", "Ada asked for a code");

        assertThat(zulip.messages()).hasSize(1).extracting(EmulatedMessage::id).containsExactly((int) id);
    }

    @Test
    void send_502BeforeStoring_isLookedForThenSentOnce() throws Exception {
        zulip.faults().setServerErrorStatus(502).failNext(1, FaultKind.SERVER_ERROR, FaultTarget.of("POST", "/messages"));

        long id = client.sendDirect(ada, "Your code: 654 321");

        assertThat(zulip.messagesTo(ada)).hasSize(1).extracting(EmulatedMessage::id).containsExactly((int) id);
        assertThat(zulip.apiCalls()).filteredOn(c -> c.method().equals("POST") && c.path().equals("/messages")).hasSize(2);
        assertThat(zulip.apiCalls()).filteredOn(c -> c.method().equals("GET") && c.path().equals("/messages")).hasSize(1);
    }

    @Test
    void send_connectionDroppedBeforeStoring_isLookedForThenSentOnce() throws Exception {
        zulip.faults().failNext(1, FaultKind.DROP_CONNECTION, FaultTarget.of("POST", "/messages"));

        int grace = zulip.addUser("Grace Hopper", "grace@example.com", false);

        long id = client.sendDirectToMany(List.of(ada, grace), "Your code: 111 222");

        assertThat(zulip.messages()).hasSize(1).extracting(EmulatedMessage::id).containsExactly((int) id);
        assertThat(zulip.apiCalls()).filteredOn(c -> c.method().equals("POST") && c.path().equals("/messages")).hasSize(1);
        assertThat(zulip.apiCalls()).filteredOn(c -> c.method().equals("GET") && c.path().equals("/messages")).hasSize(1);
    }

    @Test
    void call_wrongKey_failsAtOnceWithZulipsCode() {
        ZulipClient wrong = newClient("x".repeat(32));
        assertThatThrownBy(wrong::me).isInstanceOf(ZulipException.class)
                .satisfies(e -> assertThat(((ZulipException) e).status()).isEqualTo(401))
                .hasMessageNotContaining("xxxxxxxx");
        assertThat(retries).isEmpty();
    }

    @Test
    void serverDate_skewedEmulatorClock_isReported() throws Exception {
        zulip.setClock(Clock.fixed(Instant.now().minusSeconds(120), ZoneOffset.UTC));
        client.me();
        assertThat(Duration.between(serverDates.get(serverDates.size() - 1), Instant.now())).isGreaterThan(Duration.ofSeconds(100));
    }

    @Test
    void serverDate_longPollAnswer_isNotReported() throws Exception {
        Registration r = client.register(List.of("message"), List.of("message"));
        int before = serverDates.size();
        zulip.sendDirectMessage(ada, List.of(bot), "help");
        pollUntil(r, e -> e instanceof ZulipEvent.MessageEvent);
        assertThat(serverDates).as("a long poll's Date can be as old as the start of the wait; it is not a clock reading")
                .hasSize(before);
        client.me();
        assertThat(serverDates).as("a prompt answer's Date is").hasSize(before + 1);
    }
}
