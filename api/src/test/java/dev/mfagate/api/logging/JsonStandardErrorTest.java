package dev.mfagate.api.logging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonStandardErrorTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ByteArrayOutputStream sink = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(new JsonStandardError(sink, "mfagate"), true, StandardCharsets.UTF_8);

    private List<JsonNode> lines() throws Exception {
        List<JsonNode> nodes = new java.util.ArrayList<>();
        for (String l : sink.toString(StandardCharsets.UTF_8).split("\n", -1)) {
            if (!l.isEmpty()) {
                nodes.add(JSON.readTree(l));
            }
        }
        return nodes;
    }

    @Test
    void println_plainReason_becomesOneErrorObjectWithTheText() throws Exception {
        err.println("mfagate: No store at /tmp/x; run 'mfagate init' \"first\"\tnow");

        assertThat(lines()).singleElement().satisfies(n -> {
            assertThat(n.get("message").asText()).isEqualTo("mfagate: No store at /tmp/x; run 'mfagate init' \"first\"\tnow");
            assertThat(n.get("level").asText()).isEqualTo("ERROR");
            assertThat(n.get("logger_name").asText()).isEqualTo("mfagate");
            assertThat(n.has("@timestamp")).isTrue();
        });
    }

    @Test
    void write_jsonObjectLine_passesUnchanged() {
        String event = "{\"@timestamp\":\"2026-01-01T00:00:00Z\",\"message\":\"started\",\"level\":\"INFO\"}";
        err.print(event + "\n");

        assertThat(sink.toString(StandardCharsets.UTF_8)).isEqualTo(event + "\n");
    }

    @Test
    void write_jsonObjectLineWithCarriageReturnAndNonAscii_passesWithoutTheCarriageReturn() {
        String event = "{\"message\":\"caf\u00e9 \u2603 \ud83d\ude00\"}";
        err.print(event + "\r\n{}\n");

        assertThat(sink.toString(StandardCharsets.UTF_8)).isEqualTo(event + "\n{}\n");
    }

    @Test
    void write_lineInPieces_oneObjectPerLineAndBlankLinesDropped() throws Exception {
        err.print("WARNING: a terminally ");
        err.print("deprecated method\n\nsecond\r\nthird");
        err.close();

        assertThat(lines()).extracting(n -> n.get("level").asText() + " " + n.get("message").asText())
                .containsExactly("WARN WARNING: a terminally deprecated method", "INFO second", "INFO third");
    }

    @Test
    void write_manyLinesAtOnce_fewerWritesOfWholeLinesEachWithinTheLimit() throws Exception {
        List<String> writes = new java.util.ArrayList<>();
        java.io.OutputStream recorder = new java.io.OutputStream() {
            @Override
            public void write(int b) {
                writes.add(String.valueOf((char) b));
            }

            @Override
            public void write(byte[] b, int off, int len) {
                writes.add(new String(b, off, len, StandardCharsets.UTF_8));
            }
        };
        PrintStream batched = new PrintStream(new JsonStandardError(recorder, "mfagate"), true, StandardCharsets.UTF_8);
        StringBuilder batch = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            batch.append("{\"seq\":").append(i).append(",\"pad\":\"").append("x".repeat(300)).append("\"}\n");
        }

        batched.print(batch);

        assertThat(String.join("", writes)).isEqualTo(batch.toString());
        assertThat(writes).as("one write for several lines").hasSizeBetween(2, 39)
                .allSatisfy(w -> {
                    assertThat(w).endsWith("\n");
                    assertThat(w.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(JsonStandardError.MAX_WRITE_BYTES);
                });
    }

    @Test
    void quote_controlCharacters_escaped() throws Exception {
        String text = "a\u0001b\\c";
        assertThat(JSON.readTree(JsonStandardError.quote(text)).asText()).isEqualTo(text);
    }
}
