package dev.mfagate.zulip.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mfagate.zulip.emulator.TestClient.Reply;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The emulated Zulip API over real HTTP; every exchange is checked against Zulip's OpenAPI description. */
class ZulipEmulatorTest {
    private ZulipEmulator zulip;
    private int bot;
    private int alice;
    private int bob;
    private int admins;
    private TestClient botClient;
    private TestClient aliceClient;

    @BeforeEach
    void start() {
        zulip = ZulipEmulator.builder().heartbeatInterval(Duration.ofSeconds(1)).validateAgainstSpec(true).build().start();
        bot = zulip.addUser("MFA Bot", "mfa-bot@example.com", true);
        alice = zulip.addUser("Alice", "alice@example.com", false);
        bob = zulip.addUser("Bob", "bob@example.com", false);
        zulip.addChannel("client");
        zulip.subscribe(alice, "client");
        zulip.subscribe(bot, "client");
        admins = zulip.addUserGroup("mfa-admins", "May fetch any code");
        zulip.addGroupMembers(admins, List.of(alice));
        botClient = new TestClient(zulip, bot);
        aliceClient = new TestClient(zulip, alice);
    }

    @AfterEach
    void stop() {
        try {
            zulip.assertNoSpecViolations();
            assertThat(zulip.validatedExchangeCount()).as("exchanges checked against the spec").isPositive();
        } finally {
            zulip.close();
        }
    }

    @Test
    void register_thenLongPoll_receivesDirectMessageEvent() throws Exception {
        String queue = botClient.register();
        CompletableFuture<Reply> poll = CompletableFuture.supplyAsync(() -> call(() ->
                botClient.get("/events", "queue_id", queue, "last_event_id", "-1")));
        Thread.sleep(200);
        int id = zulip.sendDirectMessage(alice, List.of(bot), "!mfa-acme-aws");

        Reply reply = poll.get(5, TimeUnit.SECONDS);

        assertThat(reply.status()).isEqualTo(200);
        JsonNode event = reply.body().get("events").get(0);
        assertThat(event.get("type").asText()).isEqualTo("message");
        assertThat(event.get("flags").isArray()).isTrue();
        JsonNode message = event.get("message");
        assertThat(message.get("id").asInt()).isEqualTo(id);
        assertThat(message.get("type").asText()).isEqualTo("private");
        assertThat(message.get("sender_id").asInt()).isEqualTo(alice);
        assertThat(message.get("sender_email").asText()).isEqualTo("alice@example.com");
        assertThat(message.get("sender_full_name").asText()).isEqualTo("Alice");
        assertThat(message.get("content").asText()).isEqualTo("!mfa-acme-aws");
        assertThat(message.get("content_type").asText()).isEqualTo("text/x-markdown");
        assertThat(message.get("subject").asText()).isEmpty();
        assertThat(message.get("client").asText()).isEqualTo("website");
        assertThat(message.get("is_me_message").asBoolean()).isFalse();
        assertThat(message.get("display_recipient").findValuesAsText("email"))
                .containsExactly("mfa-bot@example.com", "alice@example.com");
    }

    @Test
    void register_withApplyMarkdown_deliversRenderedHtml() throws Exception {
        String queue = botClient.register("apply_markdown", "true");
        zulip.sendDirectMessage(alice, List.of(bot), "a <b> c");

        Reply reply = botClient.get("/events", "queue_id", queue, "last_event_id", "-1", "dont_block", "true");

        JsonNode message = reply.body().get("events").get(0).get("message");
        assertThat(message.get("content").asText()).isEqualTo("<p>a &lt;b&gt; c</p>");
        assertThat(message.get("content_type").asText()).isEqualTo("text/html");
    }

    @Test
    void register_withFetchTypes_returnsRequestedState() throws Exception {
        Reply reply = botClient.post("/register", "event_types", "[\"message\",\"user_group\",\"subscription\"]",
                "fetch_event_types", "[\"message\",\"user_group\",\"realm_user\",\"subscription\",\"realm\"]",
                "apply_markdown", "false", "client_gravatar", "true", "include_subscribers", "true");

        assertThat(reply.status()).isEqualTo(200);
        JsonNode body = reply.body();
        assertThat(body.get("queue_id").asText()).isNotBlank();
        assertThat(body.get("last_event_id").asInt()).isEqualTo(-1);
        assertThat(body.get("max_message_id").asInt()).isEqualTo(-1);
        assertThat(body.get("zulip_version").asText()).isEqualTo("11.0-dev");
        assertThat(body.get("zulip_feature_level").asInt()).isEqualTo(378);
        JsonNode group = findByField(body.get("realm_user_groups"), "name", "mfa-admins");
        assertThat(group.get("id").asInt()).isEqualTo(admins);
        assertThat(group.get("members").get(0).asInt()).isEqualTo(alice);
        assertThat(body.get("realm_user_groups").findValuesAsText("name")).containsAll(ZulipEmulator.systemGroupNames());
        assertThat(body.get("realm_users").findValuesAsText("email"))
                .containsExactly("mfa-bot@example.com", "alice@example.com", "bob@example.com");
        JsonNode subscription = body.get("subscriptions").get(0);
        assertThat(subscription.get("name").asText()).isEqualTo("client");
        assertThat(subscription.get("subscribers")).hasSize(2);
        assertThat(body.get("realm_allow_message_editing").asBoolean()).isTrue();
        assertThat(body.get("realm_message_content_edit_limit_seconds").asInt()).isEqualTo(600);
    }

    @Test
    void getEvents_whenIdle_answersHeartbeatAfterInterval() throws Exception {
        String queue = botClient.register();
        long started = System.nanoTime();

        Reply reply = botClient.get("/events", "queue_id", queue, "last_event_id", "-1");

        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertThat(elapsedMillis).isBetween(900L, 4000L);
        JsonNode events = reply.body().get("events");
        assertThat(events).hasSize(1);
        assertThat(events.get(0).get("type").asText()).isEqualTo("heartbeat");
        assertThat(events.get(0).get("id").asInt()).isZero();
    }

    @Test
    void getEvents_afterAcknowledging_returnsOnlyNewerEvents() throws Exception {
        String queue = botClient.register();
        zulip.sendDirectMessage(alice, List.of(bot), "one");
        zulip.sendDirectMessage(alice, List.of(bot), "two");

        Reply first = botClient.get("/events", "queue_id", queue, "last_event_id", "-1", "dont_block", "true");
        Reply second = botClient.get("/events", "queue_id", queue, "last_event_id", "0", "dont_block", "true");
        Reply third = botClient.get("/events", "queue_id", queue, "last_event_id", "1", "dont_block", "true");

        assertThat(first.body().get("events").findValuesAsText("content")).containsExactly("one", "two");
        assertThat(second.body().get("events").findValuesAsText("content")).containsExactly("two");
        assertThat(third.body().get("events")).isEmpty();
    }

    @Test
    void getEvents_afterQueueTimeout_answersBadEventQueueIdWithExactShape() throws Exception {
        zulip.close();
        zulip = ZulipEmulator.builder().heartbeatInterval(Duration.ofSeconds(1)).queueTimeout(Duration.ofMillis(500))
                .validateAgainstSpec(true).build().start();
        bot = zulip.addUser("MFA Bot", "mfa-bot@example.com", true);
        botClient = new TestClient(zulip, bot);
        String queue = botClient.register();
        Thread.sleep(800);

        Reply reply = botClient.get("/events", "queue_id", queue, "last_event_id", "-1", "dont_block", "true");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.body()).isEqualTo(json("{\"result\":\"error\",\"code\":\"BAD_EVENT_QUEUE_ID\","
                + "\"msg\":\"Bad event queue ID: " + queue + "\",\"queue_id\":\"" + queue + "\"}"));
        assertThat(zulip.eventQueueIds(bot)).isEmpty();
    }

    @Test
    void deleteEvents_thenPoll_answersBadEventQueueId() throws Exception {
        String queue = botClient.register();

        Reply deleted = botClient.delete("/events", "queue_id", queue);
        Reply poll = botClient.get("/events", "queue_id", queue, "dont_block", "true");
        Reply again = botClient.delete("/events", "queue_id", queue);

        assertThat(deleted.status()).isEqualTo(200);
        assertThat(poll.status()).isEqualTo(400);
        assertThat(poll.code()).isEqualTo("BAD_EVENT_QUEUE_ID");
        assertThat(again.code()).isEqualTo("BAD_EVENT_QUEUE_ID");
    }

    @Test
    void register_withDirectMessageNarrow_receivesNoChannelMessages() throws Exception {
        String queue = botClient.register("narrow", "[[\"is\",\"dm\"]]");
        zulip.sendChannelMessage(alice, "client", "aws", "in the channel");
        zulip.sendDirectMessage(alice, List.of(bot), "direct");

        Reply reply = botClient.get("/events", "queue_id", queue, "last_event_id", "-1", "dont_block", "true");

        assertThat(reply.body().get("events").findValuesAsText("content")).containsExactly("direct");
    }

    @Test
    void register_withUnknownNarrowOperator_isRefused() throws Exception {
        Reply reply = botClient.post("/register", "narrow", "[[\"has\",\"link\"]]");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.code()).isEqualTo("BAD_NARROW");
    }

    @Test
    void register_withNarrowNamingUnknownUser_isRefused() throws Exception {
        Reply reply = botClient.post("/register", "narrow", "[[\"dm\",\"nobody@example.com\"]]");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.body().get("msg").asText()).isEqualTo("Invalid narrow operator: unknown user");
    }

    @Test
    void register_withConversationNarrow_receivesOnlyThatConversation() throws Exception {
        String queue = botClient.register("narrow", "[[\"dm\",\"alice@example.com\"]]");
        zulip.sendDirectMessage(bob, List.of(bot), "from bob");
        zulip.sendDirectMessage(alice, List.of(bot), "from alice");
        zulip.sendDirectMessage(alice, List.of(bot, bob), "group");

        Reply reply = botClient.get("/events", "queue_id", queue, "last_event_id", "-1", "dont_block", "true");

        assertThat(reply.body().get("events").findValuesAsText("content")).containsExactly("from alice");
    }

    @Test
    void changeGroupMembers_withRegisteredQueue_emitsUserGroupEvents() throws Exception {
        String queue = botClient.register("event_types", "[\"user_group\"]");

        zulip.addGroupMembers(admins, List.of(bob));
        zulip.removeGroupMembers(admins, List.of(alice));
        Reply reply = botClient.get("/events", "queue_id", queue, "last_event_id", "-1", "dont_block", "true");

        JsonNode events = reply.body().get("events");
        assertThat(events.findValuesAsText("op")).containsExactly("add_members", "remove_members");
        assertThat(events.get(0).get("group_id").asInt()).isEqualTo(admins);
        assertThat(events.get(0).get("user_ids").get(0).asInt()).isEqualTo(bob);
        assertThat(events.get(1).get("user_ids").get(0).asInt()).isEqualTo(alice);
    }

    @Test
    void addUser_afterRegistration_emitsRealmUserAdd() throws Exception {
        String queue = botClient.register("event_types", "[\"realm_user\"]");

        int carol = zulip.addUser("Carol", "carol@example.com", false);
        Reply reply = botClient.get("/events", "queue_id", queue, "last_event_id", "-1", "dont_block", "true");

        JsonNode event = reply.body().get("events").get(0);
        assertThat(event.get("op").asText()).isEqualTo("add");
        assertThat(event.get("person").get("user_id").asInt()).isEqualTo(carol);
    }

    @Test
    void changeSubscriptions_withRegisteredQueue_emitsSubscriptionEvents() throws Exception {
        String queue = botClient.register("event_types", "[\"subscription\"]");

        zulip.subscribe(bob, "client");
        zulip.unsubscribe(bob, "client");
        zulip.unsubscribe(bot, "client");
        Reply reply = botClient.get("/events", "queue_id", queue, "last_event_id", "-1", "dont_block", "true");

        assertThat(reply.body().get("events").findValuesAsText("op")).containsExactly("peer_add", "peer_remove", "remove");
    }

    @Test
    void sendMessage_direct_isStoredAndEventedToRecipient() throws Exception {
        String queue = aliceClient.register();

        Reply sent = botClient.post("/messages", "type", "direct", "to", "[" + alice + "]", "content", "123456");

        assertThat(sent.status()).isEqualTo(200);
        int id = sent.body().get("id").asInt();
        EmulatedMessage stored = zulip.messagesTo(alice).get(0);
        assertThat(stored.id()).isEqualTo(id);
        assertThat(stored.senderId()).isEqualTo(bot);
        assertThat(stored.content()).isEqualTo("123456");
        JsonNode event = aliceClient.get("/events", "queue_id", queue, "last_event_id", "-1", "dont_block", "true")
                .body().get("events").get(0);
        assertThat(event.get("message").get("client").asText()).isEqualTo("MfagateTest");
        assertThat(event.get("flags")).isEmpty();
    }

    @Test
    void sendMessage_toChannelByName_reachesSubscribersWithTopic() throws Exception {
        String queue = aliceClient.register();

        Reply sent = botClient.post("/messages", "type", "stream", "to", "client", "topic", "aws", "content", "hello");

        assertThat(sent.status()).isEqualTo(200);
        JsonNode message = aliceClient.get("/events", "queue_id", queue, "last_event_id", "-1", "dont_block", "true")
                .body().get("events").get(0).get("message");
        assertThat(message.get("type").asText()).isEqualTo("stream");
        assertThat(message.get("display_recipient").asText()).isEqualTo("client");
        assertThat(message.get("subject").asText()).isEqualTo("aws");
        assertThat(message.get("stream_id").asInt()).isEqualTo(zulip.channelId("client"));
    }

    @Test
    void sendMessage_toUnknownChannel_answersStreamDoesNotExist() throws Exception {
        Reply reply = botClient.post("/messages", "type", "channel", "to", "nowhere", "topic", "t", "content", "x");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.body()).isEqualTo(json("{\"result\":\"error\",\"msg\":\"Channel 'nowhere' does not exist\","
                + "\"code\":\"STREAM_DOES_NOT_EXIST\",\"stream\":\"nowhere\"}"));
    }

    @Test
    void sendMessage_withoutContent_answersMissingArgument() throws Exception {
        Reply reply = botClient.post("/messages", "type", "direct", "to", "[" + alice + "]");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.code()).isEqualTo("REQUEST_VARIABLE_MISSING");
        assertThat(reply.body().get("var_name").asText()).isEqualTo("content");
        // The request itself breaks the contract (content is required), and the validator says so.
        assertThat(zulip.validationReport()).singleElement()
                .satisfies(v -> assertThat(v.side()).isEqualTo(SpecViolation.Side.REQUEST))
                .satisfies(v -> assertThat(v.rule()).isEqualTo("validation.request.body.schema.required"));
        zulip.clearValidationReport();
    }

    @Test
    void sendMessage_withUnknownParameter_reportsItIgnored() throws Exception {
        Reply reply = botClient.post("/messages", "type", "direct", "to", "[" + alice + "]", "content", "x", "colour", "red");

        assertThat(reply.body().get("ignored_parameters_unsupported").get(0).asText()).isEqualTo("colour");
    }

    @Test
    void getMessage_afterEdit_showsContentAndEditHistory() throws Exception {
        int id = sendAsBot("first");
        botClient.patch("/messages/" + id, "content", "second");

        Reply reply = botClient.get("/messages/" + id, "apply_markdown", "false");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().get("raw_content").asText()).isEqualTo("second");
        JsonNode message = reply.body().get("message");
        assertThat(message.get("content").asText()).isEqualTo("second");
        assertThat(message.get("edit_history").get(0).get("prev_content").asText()).isEqualTo("first");
        assertThat(message.has("last_edit_timestamp")).isTrue();
    }

    @Test
    void getMessages_newestDirectMessages_returnsWindowAfterQueueLoss() throws Exception {
        zulip.sendDirectMessage(alice, List.of(bot), "one");
        zulip.sendChannelMessage(alice, "client", "aws", "in the channel");
        zulip.sendDirectMessage(alice, List.of(bot), "two");
        zulip.sendDirectMessage(alice, List.of(bob), "not for the bot");

        Reply reply = botClient.get("/messages", "anchor", "newest", "num_before", "10", "num_after", "0",
                "narrow", "[{\"operator\":\"is\",\"operand\":\"dm\"}]", "apply_markdown", "false");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().get("messages").findValuesAsText("content")).containsExactly("one", "two");
        assertThat(reply.body().get("found_newest").asBoolean()).isTrue();
        assertThat(reply.body().get("found_oldest").asBoolean()).isTrue();
        assertThat(reply.body().get("messages").get(0).get("flags")).isEmpty();
    }

    @Test
    void getMessages_aroundAnchor_honoursCounts() throws Exception {
        List<Integer> ids = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            ids.add(zulip.sendDirectMessage(alice, List.of(bot), "m" + i));
        }

        Reply reply = botClient.get("/messages", "anchor", Integer.toString(ids.get(2)), "num_before", "1", "num_after", "1",
                "apply_markdown", "false");
        Reply missing = botClient.get("/messages", "anchor", "newest");

        assertThat(reply.body().get("messages").findValuesAsText("content")).containsExactly("m2", "m3", "m4");
        assertThat(reply.body().get("found_anchor").asBoolean()).isTrue();
        assertThat(reply.body().get("found_newest").asBoolean()).isFalse();
        assertThat(missing.code()).isEqualTo("REQUEST_VARIABLE_MISSING");
    }

    @Test
    void getMessage_notVisibleToCaller_answersInvalidMessage() throws Exception {
        int id = zulip.sendDirectMessage(alice, List.of(bob), "private");

        Reply reply = botClient.get("/messages/" + id);

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.body()).isEqualTo(json("{\"result\":\"error\",\"msg\":\"Invalid message(s)\",\"code\":\"BAD_REQUEST\"}"));
    }

    @Test
    void editMessage_withinLimit_succeedsAndEmitsUpdate() throws Exception {
        String queue = aliceClient.register("event_types", "[\"update_message\"]");
        int id = sendAsBot("123456");

        Reply reply = botClient.patch("/messages/" + id, "content", "(expired)");

        assertThat(reply.status()).isEqualTo(200);
        EmulatedMessage stored = zulip.message(id).orElseThrow();
        assertThat(stored.content()).isEqualTo("(expired)");
        assertThat(stored.edited()).isTrue();
        assertThat(stored.previousContents()).containsExactly("123456");
        JsonNode event = aliceClient.get("/events", "queue_id", queue, "last_event_id", "-1", "dont_block", "true")
                .body().get("events").get(0);
        assertThat(event.get("type").asText()).isEqualTo("update_message");
        assertThat(event.get("orig_content").asText()).isEqualTo("123456");
        assertThat(event.get("content").asText()).isEqualTo("(expired)");
    }

    @Test
    void editMessage_whenEditingTurnedOff_isRefused() throws Exception {
        int id = sendAsBot("123456");
        zulip.setAllowMessageEditing(false);

        Reply reply = botClient.patch("/messages/" + id, "content", "(expired)");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.body()).isEqualTo(json("{\"result\":\"error\",\"code\":\"BAD_REQUEST\","
                + "\"msg\":\"Your organization has turned off message editing\"}"));
        assertThat(zulip.message(id).orElseThrow().edited()).isFalse();
    }

    @Test
    void editMessage_afterTimeLimit_isRefused() throws Exception {
        int id = sendAsBot("123456");
        zulip.setMessageContentEditLimitSeconds(60);
        zulip.setClock(Clock.offset(Clock.systemUTC(), Duration.ofSeconds(60 + 21)));

        Reply reply = botClient.patch("/messages/" + id, "content", "(expired)");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.body().get("msg").asText()).isEqualTo("The time limit for editing this message has past");
    }

    @Test
    void editMessage_withinGracePeriod_succeeds() throws Exception {
        int id = sendAsBot("123456");
        zulip.setMessageContentEditLimitSeconds(60);
        zulip.setClock(Clock.offset(Clock.systemUTC(), Duration.ofSeconds(70)));

        assertThat(botClient.patch("/messages/" + id, "content", "(expired)").status()).isEqualTo(200);
    }

    @Test
    void editMessage_ofSomeoneElse_isRefused() throws Exception {
        int id = zulip.sendDirectMessage(alice, List.of(bot), "mine");

        Reply reply = botClient.patch("/messages/" + id, "content", "theirs");

        assertThat(reply.body().get("msg").asText()).isEqualTo("You don't have permission to edit this message");
    }

    @Test
    void deleteMessage_own_succeedsAndEmitsDeletion() throws Exception {
        String queue = aliceClient.register("event_types", "[\"delete_message\"]", "client_capabilities",
                "{\"bulk_message_deletion\":true}");
        int id = sendAsBot("123456");

        Reply reply = botClient.delete("/messages/" + id);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(zulip.message(id).orElseThrow().deleted()).isTrue();
        assertThat(botClient.get("/messages/" + id).code()).isEqualTo("BAD_REQUEST");
        JsonNode event = aliceClient.get("/events", "queue_id", queue, "last_event_id", "-1", "dont_block", "true")
                .body().get("events").get(0);
        assertThat(event.get("message_ids").get(0).asInt()).isEqualTo(id);
        assertThat(event.get("message_type").asText()).isEqualTo("private");
    }

    @Test
    void deleteMessage_whenOnlyAdministratorsMayDelete_isRefused() throws Exception {
        int id = sendAsBot("123456");
        zulip.setEveryoneCanDeleteOwnMessages(false);

        Reply reply = botClient.delete("/messages/" + id);

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.body()).isEqualTo(json("{\"result\":\"error\",\"code\":\"BAD_REQUEST\","
                + "\"msg\":\"You don't have permission to delete this message\"}"));
        assertThat(zulip.message(id).orElseThrow().deleted()).isFalse();
    }

    @Test
    void reactions_addThenRemove_updateMessageAndRefuseRepeats() throws Exception {
        String queue = aliceClient.register("event_types", "[\"reaction\"]");
        int id = zulip.sendDirectMessage(alice, List.of(bot), "!mfa-acme-aws");

        Reply added = botClient.post("/messages/" + id + "/reactions", "emoji_name", "lock");
        Reply repeated = botClient.post("/messages/" + id + "/reactions", "emoji_name", "lock");
        List<EmulatedMessage.Reaction> whileReacted = zulip.message(id).orElseThrow().reactions();
        Reply removed = botClient.delete("/messages/" + id + "/reactions", "emoji_name", "lock");
        Reply removedAgain = botClient.delete("/messages/" + id + "/reactions", "emoji_name", "lock");
        Reply unknown = botClient.post("/messages/" + id + "/reactions", "emoji_name", "no_such_emoji");

        assertThat(added.status()).isEqualTo(200);
        assertThat(whileReacted).containsExactly(new EmulatedMessage.Reaction(bot, "lock", "1f512"));
        assertThat(repeated.code()).isEqualTo("REACTION_ALREADY_EXISTS");
        assertThat(removed.status()).isEqualTo(200);
        assertThat(removedAgain.code()).isEqualTo("REACTION_DOES_NOT_EXIST");
        assertThat(unknown.body().get("msg").asText()).isEqualTo("Emoji 'no_such_emoji' does not exist");
        assertThat(zulip.message(id).orElseThrow().reactions()).isEmpty();
        JsonNode events = aliceClient.get("/events", "queue_id", queue, "last_event_id", "-1", "dont_block", "true")
                .body().get("events");
        assertThat(events.findValuesAsText("op")).containsExactly("add", "remove");
    }

    @Test
    void getUserGroups_asBot_isRefusedAsByZulip() throws Exception {
        Reply asBot = botClient.get("/user_groups");
        Reply asHuman = aliceClient.get("/user_groups");

        assertThat(asBot.status()).isEqualTo(400);
        assertThat(asBot.body()).isEqualTo(json("{\"result\":\"error\",\"code\":\"BAD_REQUEST\","
                + "\"msg\":\"This endpoint does not accept bot requests.\"}"));
        assertThat(asHuman.status()).isEqualTo(200);
        assertThat(findByField(asHuman.body().get("user_groups"), "name", "mfa-admins").get("members").get(0).asInt())
                .isEqualTo(alice);
    }

    @Test
    void request_withoutCredentials_answers401Unauthorized() throws Exception {
        Reply reply = new TestClient(zulip.apiUrl(), null, null).get("/users/me");

        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.body()).isEqualTo(json("{\"result\":\"error\",\"code\":\"UNAUTHORIZED\","
                + "\"msg\":\"Missing authorization header for basic auth\"}"));
        assertThat(reply.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"zulip\"");
        assertThat(zulip.validatedExchangeCount()).as("a refused request is checked too").isEqualTo(1);
    }

    @Test
    void request_withWrongApiKey_answers401InvalidApiKey() throws Exception {
        String someoneElsesKey = zulip.apiKey(alice);

        Reply reply = new TestClient(zulip.apiUrl(), "mfa-bot@example.com", someoneElsesKey).get("/users/me");
        Reply malformed = new TestClient(zulip.apiUrl(), "mfa-bot@example.com", "short").get("/users/me");

        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.body()).isEqualTo(json("{\"result\":\"error\",\"code\":\"INVALID_API_KEY\",\"msg\":\"Invalid API key\"}"));
        assertThat(malformed.body().get("msg").asText()).isEqualTo("Malformed API key");
    }

    @Test
    void request_byDeactivatedUser_answersUserDeactivated() throws Exception {
        zulip.setUserActive(alice, false);

        Reply reply = aliceClient.get("/users/me");

        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.code()).isEqualTo("USER_DEACTIVATED");
    }

    @Test
    void anyRequest_withSkewedClock_dateHeaderFollowsIt() throws Exception {
        Instant skewed = Instant.parse("2030-01-02T03:04:05Z");
        zulip.setClock(Clock.fixed(skewed, ZoneOffset.UTC));

        Reply reply = botClient.get("/users/me");

        String date = reply.headers().firstValue("Date").orElseThrow();
        assertThat(ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant()).isEqualTo(skewed);
        assertThat(reply.headers().allValues("Date")).hasSize(1);
    }

    @Test
    void longPoll_eventQueuedLater_dateIsWhenTheAnswerWasSentNotWhenThePollStarted() throws Exception {
        Instant pollStarted = Instant.parse("2030-01-02T03:04:05Z");
        Instant eventQueued = pollStarted.plusSeconds(17);
        zulip.setClock(Clock.fixed(pollStarted, ZoneOffset.UTC));
        String queue = botClient.register();
        CompletableFuture<Reply> poll = CompletableFuture.supplyAsync(() -> call(() ->
                botClient.get("/events", "queue_id", queue, "last_event_id", "-1")));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (zulip.waitingPolls(bot) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(zulip.waitingPolls(bot)).as("the poll is waiting before the clock moves").isEqualTo(1);

        zulip.setClock(Clock.fixed(eventQueued, ZoneOffset.UTC));
        zulip.sendDirectMessage(alice, List.of(bot), "!mfa-acme-aws");
        Reply reply = poll.get(5, TimeUnit.SECONDS);

        assertThat(reply.body().get("events").get(0).get("type").asText()).isEqualTo("message");
        String date = reply.headers().firstValue("Date").orElseThrow();
        assertThat(ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant())
                .as("Date is stamped when the answer is written").isEqualTo(eventQueued);
        assertThat(reply.headers().allValues("Date")).hasSize(1);
    }

    @Test
    void apiCalls_listAnsweredRequestsInOrder() throws Exception {
        botClient.get("/users/me");
        botClient.get("/users/" + alice);

        assertThat(zulip.apiCalls()).extracting(ApiCall::method, ApiCall::path, ApiCall::status)
                .containsSubsequence(org.assertj.core.groups.Tuple.tuple("GET", "/users/me", 200),
                        org.assertj.core.groups.Tuple.tuple("GET", "/users/" + alice, 200));
        assertThat(zulip.apiCalls().getLast().is("GET", "/users/\\d+")).isTrue();
    }

    @Test
    void readEndpoints_asBot_describeTheOrganisation() throws Exception {
        int channel = zulip.channelId("client");

        JsonNode me = botClient.get("/users/me").body();
        JsonNode users = botClient.get("/users").body();
        JsonNode one = botClient.get("/users/" + alice).body();
        JsonNode none = botClient.get("/users/9999").body();
        JsonNode streams = botClient.get("/streams").body();
        JsonNode streamId = botClient.get("/get_stream_id", "stream", "client").body();
        JsonNode unknownStream = botClient.get("/get_stream_id", "stream", "nope").body();
        JsonNode members = botClient.get("/streams/" + channel + "/members").body();
        JsonNode aliceSubscribed = botClient.get("/users/" + alice + "/subscriptions/" + channel).body();
        JsonNode bobSubscribed = botClient.get("/users/" + bob + "/subscriptions/" + channel).body();
        JsonNode mySubscriptions = botClient.get("/users/me/subscriptions", "include_subscribers", "true").body();
        Reply settings = new TestClient(zulip.apiUrl(), null, null).get("/server_settings");

        assertThat(me.get("user_id").asInt()).isEqualTo(bot);
        assertThat(me.get("is_bot").asBoolean()).isTrue();
        assertThat(users.get("members")).hasSize(3);
        assertThat(one.get("user").get("full_name").asText()).isEqualTo("Alice");
        assertThat(none.get("msg").asText()).isEqualTo("No such user");
        assertThat(streams.get("streams").findValuesAsText("name")).containsExactly("client");
        assertThat(streamId.get("stream_id").asInt()).isEqualTo(channel);
        assertThat(unknownStream.get("msg").asText()).isEqualTo("Invalid channel name 'nope'");
        assertThat(members.get("subscribers")).hasSize(2);
        assertThat(aliceSubscribed.get("is_subscribed").asBoolean()).isTrue();
        assertThat(bobSubscribed.get("is_subscribed").asBoolean()).isFalse();
        assertThat(mySubscriptions.get("subscriptions").get(0).get("subscribers")).hasSize(2);
        assertThat(settings.status()).isEqualTo(200);
        assertThat(settings.body().get("zulip_feature_level").asInt()).isEqualTo(378);
    }

    @Test
    void privateChannel_forNonSubscriber_isInvisible() throws Exception {
        int secret = zulip.addChannel("secret", "", true);
        zulip.subscribe(alice, "secret");

        Reply members = botClient.get("/streams/" + secret + "/members");
        Reply send = botClient.post("/messages", "type", "stream", "to", "secret", "topic", "t", "content", "x");

        assertThat(members.body().get("msg").asText()).isEqualTo("Invalid channel ID");
        assertThat(send.code()).isEqualTo("STREAM_DOES_NOT_EXIST");
    }

    @Test
    void request_toUnemulatedEndpoint_answersZulipErrorShape() throws Exception {
        Reply reply = botClient.get("/realm/emoji");

        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.body().get("result").asText()).isEqualTo("error");
        // Zulip has this endpoint and the emulator does not: its 404 is a finding of the validator, not noise.
        assertThat(zulip.validationReport()).extracting(SpecViolation::rule).containsExactly("validation.response.status.unknown");
        zulip.clearValidationReport();
    }

    @Test
    void awaitMessage_whenNothingArrives_failsListingMessages() {
        zulip.sendDirectMessage(alice, List.of(bot), "hello");

        assertThatThrownBy(() -> zulip.awaitMessage(m -> m.senderId() == bot, Duration.ofMillis(200)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("hello");
        assertThat(zulip.awaitMessage(m -> m.content().equals("hello"), Duration.ofMillis(200)).senderId()).isEqualTo(alice);
        call(() -> botClient.get("/users/me"));
    }

    private int sendAsBot(String content) throws Exception {
        Reply sent = botClient.post("/messages", "type", "private", "to", "[\"alice@example.com\"]", "content", content);
        assertThat(sent.status()).as("send %s", sent.body()).isEqualTo(200);
        return sent.body().get("id").asInt();
    }

    private static JsonNode findByField(JsonNode array, String field, String value) {
        List<JsonNode> found = new ArrayList<>();
        array.forEach(n -> {
            if (n.path(field).asText().equals(value)) {
                found.add(n);
            }
        });
        assertThat(found).as("%s=%s in %s", field, value, array).hasSize(1);
        return found.get(0);
    }

    private static JsonNode json(String text) {
        return Json.parseOrNull(text);
    }

    @FunctionalInterface
    interface Call<T> {
        T run() throws Exception;
    }

    static <T> T call(Call<T> call) {
        try {
            return call.run();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
