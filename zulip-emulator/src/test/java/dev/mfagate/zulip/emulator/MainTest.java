package dev.mfagate.zulip.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MainTest {

    @Test
    void parse_allOptions_areRead() {
        Main.Options o = Main.Options.parse(new String[] {"--port", "0", "--api-key", "abcdefghijklmnopqrstuvwxyz012345",
                "--bot-email", "bot@example.com", "--validate"});

        assertThat(o.port).isZero();
        assertThat(o.apiKey).isEqualTo("abcdefghijklmnopqrstuvwxyz012345");
        assertThat(o.botEmail).isEqualTo("bot@example.com");
        assertThat(o.validate).isTrue();
    }

    @Test
    void parse_malformedApiKey_isRejectedNamingTheRule() {
        assertThatThrownBy(() -> Main.Options.parse(new String[] {"--api-key", "short"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("32 ASCII letters and digits");
    }

    @Test
    void demo_linesFromAlice_reachTheBotAndItsRepliesArePrinted() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Main.Options options = Main.Options.parse(new String[] {"--port", "0", "--api-key", "abcdefghijklmnopqrstuvwxyz012345"});
        try (ZulipEmulator zulip = ZulipEmulator.builder().port(0).validateAgainstSpec(true).build()) {
            Main.Demo demo = Main.Demo.start(zulip, options, out);
            TestClient bot = new TestClient(zulip.apiUrl(), "mfa-bot@zulip.example.com", "abcdefghijklmnopqrstuvwxyz012345");
            String queue = bot.register();

            demo.readCommands(new ByteArrayInputStream("!mfa-acme-aws\n/channel client hello\n/quit\n".getBytes(StandardCharsets.UTF_8)));
            String asked = bot.get("/events", "queue_id", queue, "last_event_id", "-1", "dont_block", "true")
                    .body().get("events").get(0).get("message").get("content").asText();
            bot.post("/messages", "type", "direct", "to", "[" + demo.alice + "]", "content", "123456");
            zulip.awaitMessage(m -> m.senderId() == demo.bot, Duration.ofSeconds(2));
            Thread.sleep(300);
            demo.stop();

            String printed = bytes.toString(StandardCharsets.UTF_8);
            assertThat(asked).isEqualTo("!mfa-acme-aws");
            assertThat(demo.quit).isTrue();
            assertThat(printed).contains("[api]", "email=mfa-bot@zulip.example.com", "key=abcdefghijklmnopqrstuvwxyz012345",
                    "site=" + zulip.baseUrl(), "[bot -> Alice]", "123456");
            assertThat(zulip.messages()).extracting(EmulatedMessage::channel).contains("client");
            zulip.assertNoSpecViolations();
        }
    }
}
