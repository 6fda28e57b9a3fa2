package dev.mfagate.zulip.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** A bare Zulip API client over java.net.http for the tests: form-encoded requests, Basic auth, JSON replies. */
final class TestClient {
    record Reply(int status, JsonNode body, HttpHeaders headers) {
        String code() {
            return body.path("code").asText();
        }
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String apiUrl;
    private final String authorization;

    TestClient(ZulipEmulator emulator, int userId) {
        this(emulator.apiUrl(), emulator.email(userId), emulator.apiKey(userId));
    }

    TestClient(String apiUrl, String email, String apiKey) {
        this.apiUrl = apiUrl;
        this.authorization = email == null ? null
                : "Basic " + Base64.getEncoder().encodeToString((email + ":" + apiKey).getBytes(StandardCharsets.UTF_8));
    }

    static Map<String, String> params(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }

    static String form(Map<String, String> params) {
        return params.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    Reply get(String path, String... query) throws IOException, InterruptedException {
        String q = query.length == 0 ? "" : "?" + form(params(query));
        return send(request(path + q).GET());
    }

    Reply post(String path, String... body) throws IOException, InterruptedException {
        return withBody("POST", path, body);
    }

    Reply patch(String path, String... body) throws IOException, InterruptedException {
        return withBody("PATCH", path, body);
    }

    Reply delete(String path, String... body) throws IOException, InterruptedException {
        return body.length == 0 ? send(request(path).DELETE()) : withBody("DELETE", path, body);
    }

    private Reply withBody(String method, String path, String... body) throws IOException, InterruptedException {
        return send(request(path).header("Content-Type", "application/x-www-form-urlencoded")
                .method(method, HttpRequest.BodyPublishers.ofString(form(params(body)))));
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(apiUrl + path)).timeout(Duration.ofSeconds(20))
                .header("User-Agent", "MfagateTest/1.0");
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return b;
    }

    private Reply send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body;
        try {
            body = response.body().isEmpty() ? MAPPER.createObjectNode() : MAPPER.readTree(response.body());
        } catch (IOException notJson) {
            // Not an IOException to the caller: a test expecting a dropped connection must not pass on a bad body.
            throw new AssertionError("response is not JSON: " + response.statusCode() + " " + response.body(), notJson);
        }
        return new Reply(response.statusCode(), body, response.headers());
    }

    /** Registers a queue for messages (raw Markdown), returning the queue id. */
    String register(String... extra) throws IOException, InterruptedException {
        String[] params = new String[extra.length + 4];
        params[0] = "event_types";
        params[1] = "[\"message\"]";
        params[2] = "apply_markdown";
        params[3] = "false";
        System.arraycopy(extra, 0, params, 4, extra.length);
        Reply reply = post("/register", params);
        if (reply.status() != 200) {
            throw new AssertionError("register failed: " + reply);
        }
        return reply.body().get("queue_id").asText();
    }
}
