package dev.mfagate.zulip.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Zulip's objects made from the realm's state, as JSON: names, and which fields are null and which are left out. */
class ViewsTest {
    private static final Instant T0 = Instant.parse("2025-01-02T03:04:05Z");

    private final ReentrantLock lock = new ReentrantLock();
    private final EventQueues queues = new EventQueues(lock, Duration.ofMinutes(10), () -> 0L);
    private final Directory directory = new Directory(lock, queues);
    private final MessageStore store = new MessageStore(lock, directory, queues);
    private int alice;
    private int bot;

    @BeforeEach
    void organisation() {
        alice = directory.addUser("Alice", "alice@example.com", false, T0);
        bot = directory.addUser("MFA Bot", "mfa-bot@example.com", true, T0);
        directory.addChannel("client", "Where **clients** ask", false, T0);
        directory.subscribe(alice, "client");
    }

    private static JsonNode json(Object record) {
        return Json.tree(record);
    }

    @Test
    void user_person_hasNullBotTypeAndNoBotOwner() {
        JsonNode person = json(Views.user(directory.user(alice), false));

        assertThat(person.get("user_id").asInt()).isEqualTo(alice);
        assertThat(person.get("date_joined").asText()).isEqualTo("2025-01-02T03:04:05Z");
        assertThat(person.get("bot_type").isNull()).isTrue();
        assertThat(person.has("bot_owner_id")).isFalse();
        assertThat(person.get("is_active").asBoolean()).isTrue();
        assertThat(person.get("role").asInt()).isEqualTo(400);
        assertThat(person.get("avatar_url").asText()).startsWith("https://secure.gravatar.com/avatar/");
        assertThat(person.get("avatar_version").asInt()).isEqualTo(1);
        assertThat(person.get("timezone").asText()).isEmpty();
    }

    @Test
    void user_botWithClientGravatar_hasBotTypeNullOwnerAndNullAvatar() {
        JsonNode b = json(Views.user(directory.user(bot), true));

        assertThat(b.get("is_bot").asBoolean()).isTrue();
        assertThat(b.get("bot_type").asInt()).isEqualTo(1);
        assertThat(b.has("bot_owner_id")).isTrue();
        assertThat(b.get("bot_owner_id").isNull()).isTrue();
        assertThat(b.get("avatar_url").isNull()).isTrue();
    }

    @Test
    void channel_beforeAnyMessage_sendsNullFirstMessageAndNoSubscribersUnlessAsked() {
        Directory.Channel client = directory.channelByName("client");

        JsonNode plain = json(Views.channel(directory, client, false));
        JsonNode withSubscribers = json(Views.channel(directory, client, true));

        assertThat(plain.get("stream_id").asInt()).isEqualTo(client.id);
        assertThat(plain.get("rendered_description").asText()).isEqualTo("<p>Where **clients** ask</p>");
        assertThat(plain.get("first_message_id").isNull()).isTrue();
        assertThat(plain.get("is_recently_active").asBoolean()).isFalse();
        assertThat(plain.get("history_public_to_subscribers").asBoolean()).isTrue();
        assertThat(plain.get("creator_id").isNull()).isTrue();
        assertThat(plain.get("can_send_message_group").asInt()).isEqualTo(directory.everyoneGroupId);
        assertThat(plain.has("subscribers")).isFalse();
        assertThat(withSubscribers.get("subscribers").toString()).isEqualTo("[" + alice + "]");
    }

    @Test
    void subscription_ofChannel_isTheChannelsFieldsFlatPlusPersonalSettings() {
        Directory.Channel client = directory.channelByName("client");

        JsonNode sub = json(Views.subscription(directory, client, false));

        assertThat(sub.has("channel")).as("the channel is unwrapped, not nested").isFalse();
        assertThat(sub.get("name").asText()).isEqualTo("client");
        assertThat(sub.get("stream_id").asInt()).isEqualTo(client.id);
        assertThat(sub.get("desktop_notifications").isNull()).isTrue();
        assertThat(sub.get("in_home_view").asBoolean()).isTrue();
        assertThat(sub.get("color").asText()).isEqualTo("#76ce90");
    }

    @Test
    void userGroup_systemAndMade_differInDateAndWhoMayMention() {
        int made = directory.addGroup("mfa-admins", "", T0);
        Directory.Group system = directory.groups().get(0);

        JsonNode sys = json(Views.userGroup(directory, system));
        JsonNode own = json(Views.userGroup(directory, directory.groups().stream().filter(g -> g.id == made).findFirst().orElseThrow()));

        assertThat(sys.get("is_system_group").asBoolean()).isTrue();
        assertThat(sys.get("date_created").isNull()).isTrue();
        assertThat(sys.get("can_mention_group").asInt()).isEqualTo(directory.nobodyGroupId);
        assertThat(own.get("date_created").asLong()).isEqualTo(T0.getEpochSecond());
        assertThat(own.get("can_mention_group").asInt()).isEqualTo(directory.everyoneGroupId);
        assertThat(own.get("deactivated").asBoolean()).isFalse();
    }

    @Test
    void message_directNeverEdited_listsParticipantsAndLeavesOutChannelAndEditFields() {
        int id = store.sendDirect(alice, Set.of(bot), "hi", "test", T0);

        JsonNode m = json(Views.message(directory, store.message(id), false, false, true));

        assertThat(m.get("type").asText()).isEqualTo("private");
        assertThat(m.get("display_recipient").findValuesAsText("email")).containsExactly("alice@example.com", "mfa-bot@example.com");
        assertThat(m.get("display_recipient").get(0).get("is_mirror_dummy").asBoolean()).isFalse();
        assertThat(m.has("stream_id")).isFalse();
        assertThat(m.has("last_edit_timestamp")).isFalse();
        assertThat(m.has("edit_history")).isFalse();
        assertThat(m.has("flags")).as("flags travel beside a message event, not in it").isFalse();
        assertThat(m.get("sender_realm_str").asText()).isEqualTo("zulip");
        assertThat(m.get("content_type").asText()).isEqualTo("text/x-markdown");
    }

    @Test
    void message_channelEditedWithMarkdown_carriesStreamHistoryAndHtml() {
        Directory.Channel client = directory.channelByName("client");
        int id = store.sendToChannel(alice, client, "topic", "first", "test", T0);
        store.editContent(alice, store.message(id), "second", OrgSettings.defaults(), T0.plusSeconds(5));

        JsonNode m = json(Views.message(directory, store.message(id), true, true, true).withFlags(store.flags(store.message(id), alice)));

        assertThat(m.get("display_recipient").asText()).isEqualTo("client");
        assertThat(m.get("stream_id").asInt()).isEqualTo(client.id);
        assertThat(m.get("subject").asText()).isEqualTo("topic");
        assertThat(m.get("content").asText()).isEqualTo("<p>second</p>");
        assertThat(m.get("last_edit_timestamp").asLong()).isEqualTo(T0.getEpochSecond() + 5);
        assertThat(m.get("edit_history").get(0).get("prev_content").asText()).isEqualTo("first");
        assertThat(m.get("avatar_url").isNull()).isTrue();
        assertThat(m.get("flags").toString()).isEqualTo("[\"read\"]");
    }

    @Test
    void render_markdownWithMarkupAndParagraphs_escapesAndWraps() {
        assertThat(Views.render("a <b>\nc\n\nd & 'e'")).isEqualTo("<p>a &lt;b&gt;<br>\nc</p><p>d &amp; &#39;e&#39;</p>");
    }
}
