package dev.mfagate.zulip.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The endpoints' bodies as JSON: Zulip's success and error bases, and /register's sections by fetched type. */
class ResponsesTest {

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }

    @Test
    void tree_success_startsWithResultAndEmptyMsg() {
        JsonNode body = Json.tree(new MessageResponses.Sent(7));

        assertThat(fieldNames(body)).containsExactly("result", "msg", "id");
        assertThat(body.get("result").asText()).isEqualTo("success");
        assertThat(body.get("msg").asText()).isEmpty();
    }

    @Test
    void body_errorWithExtras_putsThemBesideResultMsgAndCode() {
        JsonNode body = ZulipError.badEventQueue("q1").body();

        assertThat(body).isEqualTo(Json.parseOrNull(
                "{\"result\":\"error\",\"msg\":\"Bad event queue ID: q1\",\"code\":\"BAD_EVENT_QUEUE_ID\",\"queue_id\":\"q1\"}"));
    }

    @Test
    void body_rateLimit_keepsTheHyphenatedRetryAfterName() {
        JsonNode body = new ZulipError(429, "RATE_LIMIT_HIT", "API usage exceeded rate limit").with("retry-after", 3).body();

        assertThat(body.get("retry-after").asInt()).isEqualTo(3);
    }

    @Test
    void tree_registeredWithOnlyRealmFetched_leavesOtherSectionsOutButSendsNullLimits() {
        EventResponses.RealmState realm = new EventResponses.RealmState("Org", "http://127.0.0.1:1", true, null, null, 7, 3);

        JsonNode body = Json.tree(new EventResponses.Registered("q1", -1, 90, null, null, null, null, null, realm));

        assertThat(body.get("queue_id").asText()).isEqualTo("q1");
        assertThat(body.get("last_event_id").asInt()).isEqualTo(-1);
        assertThat(body.get("zulip_feature_level").asInt()).isEqualTo(Responses.ZULIP_FEATURE_LEVEL);
        assertThat(body.get("realm_name").asText()).isEqualTo("Org");
        assertThat(body.has("realm_message_content_edit_limit_seconds")).isTrue();
        assertThat(body.get("realm_message_content_edit_limit_seconds").isNull()).isTrue();
        assertThat(body.get("max_message_length").asInt()).isEqualTo(MessageStore.MAX_MESSAGE_LENGTH);
        assertThat(body.has("max_message_id")).as("message not fetched").isFalse();
        assertThat(body.has("realm_users")).as("realm_user not fetched").isFalse();
        assertThat(body.has("subscriptions")).as("subscription not fetched").isFalse();
        assertThat(body.has("message")).as("sections are flattened, never nested").isFalse();
    }

    @Test
    void tree_serverSettings_namesOpenIdConnectWithItsSpace() {
        JsonNode body = Json.tree(new DirectoryResponses.ServerSettings("http://127.0.0.1:1", "Org"));

        assertThat(body.get("authentication_methods").get("openid connect").asBoolean()).isFalse();
        assertThat(body.get("authentication_methods").get("password").asBoolean()).isTrue();
        assertThat(body.get("realm_uri").asText()).isEqualTo("http://127.0.0.1:1");
        assertThat(body.get("realm_icon").asText()).isEqualTo("http://127.0.0.1:1/static/images/logo/zulip-icon-128x128.png");
    }
}
