package dev.mfagate.zulip.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The validator really validates: it finds the description, passes good exchanges and catches bad ones. */
class ZulipSpecValidatorTest {

    @Test
    void locateSpec_inThisBuild_findsZulipsDescription() throws Exception {
        Path spec = ZulipSpecValidator.locateSpec();

        assertThat(spec).isRegularFile();
        assertThat(Files.readString(spec)).contains("title: Zulip REST API");
        assertThat(ZulipSpecValidator.shared().loadWarnings()).as("parser messages beyond the known one").isEmpty();
    }

    @Test
    void load_missingFile_failsNamingIt() {
        Path missing = Path.of("no/such/zulip.yaml");

        assertThatThrownBy(() -> ZulipSpecValidator.load(missing))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no/such/zulip.yaml");
    }

    @Test
    void tolerated_eachEntry_givesAReason() {
        assertThat(ZulipSpecValidator.TOLERATED).isNotEmpty();
        assertThat(ZulipSpecValidator.TOLERATED.values()).allSatisfy(reason -> assertThat(reason).hasSizeGreaterThan(60));
    }

    @Test
    void validate_wellFormedDirectMessageEvent_passes() {
        List<SpecViolation> violations = ZulipSpecValidator.shared().validate(events(MESSAGE_EVENT));

        assertThat(violations).isEmpty();
    }

    @Test
    void validate_messageEventWithStringId_isCaught() {
        String wrong = MESSAGE_EVENT.replace("\"id\":31,", "\"id\":\"31\",");

        List<SpecViolation> violations = ZulipSpecValidator.shared().validate(events(wrong));

        assertThat(violations).singleElement().satisfies(v -> {
            assertThat(v.side()).isEqualTo(SpecViolation.Side.RESPONSE);
            assertThat(v.message()).contains("/events/0/message/id");
        });
    }

    @Test
    void validate_messageEventWithUnknownField_isCaught() {
        String wrong = MESSAGE_EVENT.replace("\"client\":\"website\",", "\"client\":\"website\",\"code\":\"123456\",");

        List<SpecViolation> violations = ZulipSpecValidator.shared().validate(events(wrong));

        assertThat(violations).singleElement().satisfies(v -> assertThat(v.message()).contains("code"));
    }

    @Test
    void validate_responseMissingRequiredMsg_isCaught() {
        String wrong = "{\"result\":\"success\",\"events\":[]}";

        List<SpecViolation> violations = ZulipSpecValidator.shared().validate(events(wrong));

        assertThat(violations).singleElement().satisfies(v -> assertThat(v.message()).contains("msg"));
    }

    @Test
    void validate_formRequestWithJsonEncodedParameters_passesAndChecksThem() {
        ApiExchange good = form("POST", "/api/v1/register", "event_types=%5B%22message%22%5D&apply_markdown=false&narrow=%5B%5D");
        ApiExchange wrongType = form("POST", "/api/v1/register", "event_types=%7B%22message%22%3A1%7D");
        ApiExchange notJson = form("POST", "/api/v1/register", "event_types=message");

        assertThat(ZulipSpecValidator.shared().validate(good)).isEmpty();
        assertThat(ZulipSpecValidator.shared().validate(wrongType)).extracting(SpecViolation::rule)
                .containsExactly("validation.request.body.schema.type");
        assertThat(ZulipSpecValidator.shared().validate(notJson)).extracting(SpecViolation::rule)
                .containsExactly("validation.request.body.schema.json");
    }

    @Test
    void validate_undocumentedMessageType_isCaught() {
        ApiExchange send = form("POST", "/api/v1/messages", "type=telegram&to=%5B9%5D&content=hi");

        assertThat(ZulipSpecValidator.shared().validate(send)).extracting(SpecViolation::rule)
                .containsExactly("validation.request.body.schema.enum");
    }

    @Test
    void validate_commonErrors_areCheckedAgainstRestErrorHandling() {
        ApiExchange goodLimit = response("GET", "/api/v1/users/me", 429,
                "{\"result\":\"error\",\"msg\":\"API usage exceeded rate limit\",\"code\":\"RATE_LIMIT_HIT\",\"retry-after\":3}");
        ApiExchange badLimit = response("GET", "/api/v1/users/me", 429,
                "{\"result\":\"error\",\"msg\":\"API usage exceeded rate limit\",\"code\":\"RATE_LIMIT_HIT\",\"retry-after\":\"soon\"}");
        ApiExchange noCode = response("GET", "/api/v1/users/me", 401, "{\"result\":\"error\",\"msg\":\"Invalid API key\"}");
        ApiExchange extraField = response("POST", "/api/v1/messages", 400,
                "{\"result\":\"error\",\"msg\":\"x\",\"code\":\"BAD_REQUEST\",\"seed\":\"JBSWY3DP\"}");

        assertThat(ZulipSpecValidator.shared().validate(goodLimit)).isEmpty();
        assertThat(ZulipSpecValidator.shared().validate(badLimit)).hasSize(1);
        assertThat(ZulipSpecValidator.shared().validate(noCode)).hasSize(1);
        assertThat(ZulipSpecValidator.shared().validate(extraField)).filteredOn(v -> v.side() == SpecViolation.Side.RESPONSE)
                .hasSize(1);
    }

    @Test
    void emulator_withDeliberatelyBrokenEvent_reportsViolation() throws Exception {
        try (ZulipEmulator zulip = ZulipEmulator.builder().heartbeatInterval(Duration.ofSeconds(1)).validateAgainstSpec(true)
                .build().start()) {
            int bot = zulip.addUser("MFA Bot", "mfa-bot@example.com", true);
            int alice = zulip.addUser("Alice", "alice@example.com", false);
            TestClient client = new TestClient(zulip, bot);
            String queue = client.register();
            zulip.sendDirectMessage(alice, List.of(bot), "!mfa-acme-aws");
            zulip.mutateResponses(body -> {
                body.path("events").forEach(e -> ((ObjectNode) e.get("message")).remove("sender_id"));
                body.path("events").forEach(e -> ((ObjectNode) e.get("message")).put("timestamp", "yesterday"));
                return body;
            });

            client.get("/events", "queue_id", queue, "last_event_id", "-1", "dont_block", "true");

            assertThat(zulip.validationReport()).singleElement()
                    .satisfies(v -> assertThat(v.message()).contains("/events/0/message/timestamp"));
            assertThatThrownBy(zulip::assertNoSpecViolations).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("GET /api/v1/events");
        }
    }

    private static final String MESSAGE_EVENT = "{\"result\":\"success\",\"msg\":\"\",\"queue_id\":\"q\",\"events\":[{"
            + "\"type\":\"message\",\"id\":0,\"flags\":[],\"message\":{\"id\":31,\"sender_id\":10,\"content\":\"hi\","
            + "\"content_type\":\"text/x-markdown\",\"recipient_id\":23,\"timestamp\":1594825416,\"client\":\"website\","
            + "\"subject\":\"\",\"topic_links\":[],\"is_me_message\":false,\"reactions\":[],\"submessages\":[],"
            + "\"sender_full_name\":\"Alice\",\"sender_email\":\"alice@example.com\",\"sender_realm_str\":\"zulip\","
            + "\"display_recipient\":[{\"id\":10,\"email\":\"alice@example.com\",\"full_name\":\"Alice\",\"is_mirror_dummy\":false}],"
            + "\"type\":\"private\",\"avatar_url\":null}}]}";

    private static ApiExchange events(String body) {
        return new ApiExchange("GET", "/api/v1/events", "queue_id=q&last_event_id=-1", Map.of(), "", 200, "application/json", body);
    }

    private static ApiExchange response(String method, String path, int status, String body) {
        return new ApiExchange(method, path, "", Map.of(), "", status, "application/json", body);
    }

    private static ApiExchange form(String method, String path, String body) {
        return new ApiExchange(method, path, "", Map.of("Content-Type", List.of("application/x-www-form-urlencoded")), body, 0, null, null);
    }
}
