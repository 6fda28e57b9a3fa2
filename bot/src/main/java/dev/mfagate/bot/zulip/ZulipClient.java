package dev.mfagate.bot.zulip;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.mfagate.bot.Secret;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small typed client for the parts of Zulip's REST API the bot uses, on {@code java.net.http}.
 *
 * <p>Why not {@code com.github.jamesnetherton:zulip-java-client}: its last release (0.5.2) predates the
 * event-queue behaviour the bot relies on (no {@code BAD_EVENT_QUEUE_ID} re-registration, no
 * {@code Retry-After} handling, no access to the {@code Date} header, no {@code realm_user_groups}),
 * and it pulls in Apache HttpClient. The few endpoints the bot needs fit in this class, each held to
 * Zulip's OpenAPI description ({@code shared/zulip-api/zulip.yaml}) by the tests.
 *
 * <p>Behaviour, as Zulip documents it: HTTP Basic auth with the bot's email and API key; form-encoded
 * bodies; a {@code 429} is retried after its {@code Retry-After}; a 5xx or a connection error is retried
 * after an exponential backoff with jitter; other 4xx are final. Every request except the long poll passes
 * the {@link RateGuard}, in the reply lane unless the client came from {@link #housekeeping()}. The {@code Date} of every answer except the long poll's goes to the listener (clock
 * skew). Retries stop when the client is {@linkplain #close() closed} or the retry budget
 * is spent.
 *
 * <p>Thread-safe: one instance serves the whole bot. Lifecycle: create, use, {@link #close()}.
 */
public final class ZulipClient implements AutoCloseable {

    /** Settings of the client. */
    public record Settings(Duration requestTimeout, Duration pollTimeout, Backoff backoff, RateGuard rateGuard,
                           Duration retryBudget) {
        public Settings {
            Objects.requireNonNull(requestTimeout, "requestTimeout");
            Objects.requireNonNull(pollTimeout, "pollTimeout");
            Objects.requireNonNull(backoff, "backoff");
            Objects.requireNonNull(rateGuard, "rateGuard");
            Objects.requireNonNull(retryBudget, "retryBudget");
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(ZulipClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String USER_AGENT = "mfagate-bot/0.1";

    private final URI apiBase;
    private final String authorization;
    private final Settings settings;
    private final ZulipListener listener;
    private final HttpClient http;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The client this one is a view of, or null. */
    private final ZulipClient parent;
    private final RateGuard.Lane lane;

    /** A client for the Zulip server at {@code site} (base URL, without {@code /api/v1}). */
    public ZulipClient(URI site, String email, Secret apiKey, Settings settings, ZulipListener listener) {
        Objects.requireNonNull(site, "site");
        Objects.requireNonNull(email, "email");
        Objects.requireNonNull(apiKey, "apiKey");
        this.apiBase = URI.create(site.toString().replaceAll("/+$", "") + "/api/v1");
        this.authorization = "Basic " + Base64.getEncoder().encodeToString((email + ":" + apiKey.reveal()).getBytes(StandardCharsets.UTF_8));
        this.settings = Objects.requireNonNull(settings, "settings");
        this.listener = listener == null ? ZulipListener.NONE : listener;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(settings.requestTimeout()).build();
        this.parent = null;
        this.lane = RateGuard.Lane.REPLY;
    }

    private ZulipClient(ZulipClient base, RateGuard.Lane lane) {
        this.apiBase = base.apiBase;
        this.authorization = base.authorization;
        this.settings = base.settings;
        this.listener = base.listener;
        this.http = base.http;
        this.parent = base;
        this.lane = lane;
    }

    /**
     * This client for work nobody waits for (expiring replies, catching up after a lost queue): its requests
     * wait in the {@linkplain RateGuard.Lane#HOUSEKEEPING housekeeping lane} of the rate guard, behind any
     * reply. It shares this client's connections. Closing it stops its own requests only (those waiting in the
     * guard give up at once; one on the wire finishes); closing this client closes it too.
     */
    public ZulipClient housekeeping() {
        return new ZulipClient(this, RateGuard.Lane.HOUSEKEEPING);
    }

    // ---- endpoints -------------------------------------------------------------------------------

    /**
     * {@code POST /register} with {@code apply_markdown=false}.
     *
     * @param eventTypes the event types to receive
     * @param fetchEventTypes the initial state to fetch
     */
    public Registration register(List<String> eventTypes, List<String> fetchEventTypes) throws ZulipException {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("apply_markdown", "false");
        form.put("event_types", jsonArray(eventTypes));
        form.put("fetch_event_types", jsonArray(fetchEventTypes));
        JsonNode body = call("POST", "/register", Map.of(), form, false).body();
        List<UserGroup> groups = new ArrayList<>();
        for (JsonNode g : body.path("realm_user_groups")) {
            groups.add(userGroup(g));
        }
        return new Registration(body.path("queue_id").asText(), body.path("last_event_id").asLong(-1),
                body.path("max_message_id").asLong(-1), groups);
    }

    /** {@code GET /events}: blocks until events arrive or a heartbeat is due. */
    public EventsResult events(String queueId, long lastEventId) throws ZulipException {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("queue_id", queueId);
        query.put("last_event_id", Long.toString(lastEventId));
        Reply r;
        try {
            r = call("GET", "/events", query, null, true);
        } catch (ZulipException e) {
            if (e.status() == 400 && "BAD_EVENT_QUEUE_ID".equals(e.code())) {
                return new EventsResult.QueueGone();
            }
            throw e;
        }
        List<ZulipEvent> events = new ArrayList<>();
        for (JsonNode e : r.body().path("events")) {
            events.add(event(e));
        }
        return new EventsResult.Events(events);
    }

    /** {@code DELETE /events}: deletes the queue; an unknown queue counts as deleted. */
    public void deleteQueue(String queueId) throws ZulipException {
        try {
            call("DELETE", "/events", Map.of(), Map.of("queue_id", queueId), false);
        } catch (ZulipException e) {
            if (!"BAD_EVENT_QUEUE_ID".equals(e.code())) {
                throw e;
            }
        }
    }

    /** {@code GET /users/me}. */
    public ZulipUser me() throws ZulipException {
        return user(call("GET", "/users/me", Map.of(), null, false).body());
    }

    /** {@code GET /users/{user_id}}. */
    public ZulipUser user(int userId) throws ZulipException {
        return user(call("GET", "/users/" + userId, Map.of(), null, false).body().path("user"));
    }

    /** {@code GET /streams}: the channels the bot can see. */
    public List<Channel> channels() throws ZulipException {
        List<Channel> out = new ArrayList<>();
        for (JsonNode s : call("GET", "/streams", Map.of(), null, false).body().path("streams")) {
            out.add(new Channel(s.path("stream_id").asLong(), s.path("name").asText()));
        }
        return out;
    }

    /** {@code GET /streams/{stream_id}/members}: the user ids subscribed to a channel. */
    public List<Integer> subscribers(long streamId) throws ZulipException {
        List<Integer> out = new ArrayList<>();
        for (JsonNode id : call("GET", "/streams/" + streamId + "/members", Map.of(), null, false).body().path("subscribers")) {
            out.add(id.asInt());
        }
        return out;
    }

    /** {@code POST /messages} as a one-to-one DM to {@code userId}; returns the new message id. */
    public long sendDirect(int userId, String content) throws ZulipException {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("type", "direct");
        form.put("to", "[" + userId + "]");
        form.put("content", content);
        return call("POST", "/messages", Map.of(), form, false).body().path("id").asLong();
    }

    /** {@code POST /messages} as a DM to several users (a group DM); returns the new message id. */
    public long sendDirectToMany(List<Integer> userIds, String content) throws ZulipException {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("type", "direct");
        form.put("to", userIds.stream().map(String::valueOf).collect(Collectors.joining(",", "[", "]")));
        form.put("content", content);
        return call("POST", "/messages", Map.of(), form, false).body().path("id").asLong();
    }

    /** {@code POST /messages} to a channel (by name) and topic; returns the new message id. */
    public long sendToChannel(String channel, String topic, String content) throws ZulipException {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("type", "stream");
        form.put("to", channel);
        form.put("topic", topic);
        form.put("content", content);
        return call("POST", "/messages", Map.of(), form, false).body().path("id").asLong();
    }

    /** {@code PATCH /messages/{message_id}} with new content. */
    public ChangeResult editMessage(long messageId, String content) throws ZulipException {
        return change("PATCH", messageId, Map.of("content", content));
    }

    /** {@code DELETE /messages/{message_id}}. */
    public ChangeResult deleteMessage(long messageId) throws ZulipException {
        return change("DELETE", messageId, null);
    }

    /**
     * {@code GET /messages/{message_id}} with raw Markdown: the message if the bot may read it, else empty
     * (Zulip answers 400 "Invalid message(s)" for a message the bot cannot see, or one that was deleted).
     */
    public Optional<ZulipMessage> message(long messageId) throws ZulipException {
        try {
            JsonNode body = call("GET", "/messages/" + messageId, Map.of("apply_markdown", "false"), null, false).body();
            JsonNode m = body.path("message");
            return Optional.of(message(m, m.path("flags")));
        } catch (ZulipException e) {
            if (e.status() == 400 || e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Stops retries in progress, drops requests waiting in the rate guard and refuses new requests. */
    @Override
    public void close() {
        closed.set(true);
        settings.rateGuard().wakeAll();
    }

    private boolean isClosed() {
        return closed.get() || (parent != null && parent.isClosed());
    }

    // ---- plumbing --------------------------------------------------------------------------------

    /** A successful response: JSON body and the server's date. */
    private record Reply(JsonNode body) {}

    private ChangeResult change(String method, long messageId, Map<String, String> form) throws ZulipException {
        try {
            call(method, "/messages/" + messageId, Map.of(), form, false);
            return new ChangeResult.Done();
        } catch (ZulipException e) {
            if (e.status() >= 400 && e.status() < 500) {
                return new ChangeResult.Refused(e.status(), e.code(), e.getMessage());
            }
            throw e;
        }
    }

    private Reply call(String method, String path, Map<String, String> query, Map<String, String> form, boolean longPoll)
            throws ZulipException {
        String uri = apiBase + path + (query.isEmpty() ? "" : "?" + encode(query));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri))
                .timeout(longPoll ? settings.pollTimeout() : settings.requestTimeout())
                .header("Authorization", authorization)
                .header("User-Agent", USER_AGENT)
                .header("Accept", "application/json");
        if (form != null) {
            b.header("Content-Type", "application/x-www-form-urlencoded");
            b.method(method, HttpRequest.BodyPublishers.ofString(encode(form), StandardCharsets.UTF_8));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpRequest request = b.build();
        long deadline = System.nanoTime() + settings.retryBudget().toNanos();
        int failures = 0;
        while (true) {
            if (isClosed()) {
                throw new ZulipException(0, "CLOSED", "Zulip client closed; " + method + " " + path + " not sent");
            }
            Duration wait;
            String kind;
            try {
                if (!longPoll && !settings.rateGuard().acquire(lane, this::isClosed)) {
                    throw new ZulipException(0, "CLOSED", "Zulip client closed; " + method + " " + template(path) + " not sent");
                }
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                if (!longPoll) {
                    // A long poll's Date says when the server (or a proxy in front of it) started or ended the
                    // wait, which the bot cannot tell apart: only prompt answers measure the clock.
                    noteDate(response);
                }
                int status = response.statusCode();
                if (status == 429) {
                    kind = "rate_limited";
                    wait = retryAfter(response);
                } else if (status >= 500) {
                    kind = "server_error";
                    wait = settings.backoff().delay(failures);
                } else {
                    JsonNode body = parse(response.body(), status, method, path);
                    if (status >= 200 && status < 300 && "success".equals(body.path("result").asText())) {
                        return new Reply(body);
                    }
                    throw new ZulipException(status, body.path("code").asText("BAD_REQUEST"),
                            "Zulip refused " + method + " " + template(path) + ": " + status + " " + body.path("code").asText("")
                                    + " " + oneLine(body.path("msg").asText("")));
                }
            } catch (IOException e) {
                kind = "connection";
                wait = settings.backoff().delay(failures);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ZulipException(0, "INTERRUPTED", method + " " + template(path) + " interrupted");
            }
            failures++;
            listener.onRetry(kind);
            if (Integer.bitCount(failures) == 1) { // 1st, 2nd, 4th, 8th... failure of this call: visible, not flooding
                LOG.warn("Zulip {} {} failed ({}); retrying in {} ms, attempt {}", method, template(path), kind, wait.toMillis(), failures);
            }
            if (System.nanoTime() + wait.toNanos() > deadline) {
                throw new ZulipException(0, "RETRIES_EXHAUSTED", method + " " + template(path) + " failed " + failures
                        + " times (last: " + kind + "); retry budget spent");
            }
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ZulipException(0, "INTERRUPTED", method + " " + template(path) + " interrupted while backing off");
            }
        }
    }

    private void noteDate(HttpResponse<?> response) {
        Optional<String> date = response.headers().firstValue("Date");
        if (date.isPresent()) {
            try {
                listener.onServerDate(ZonedDateTime.parse(date.get(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant(), Instant.now());
            } catch (DateTimeParseException ignored) {
                // A malformed Date header says nothing about the clock; skip it.
            }
        }
    }

    /** The wait a 429 asks for: the {@code Retry-After} header (seconds), else the body's {@code retry-after}, else 1 s. */
    private Duration retryAfter(HttpResponse<String> response) {
        double seconds = -1;
        Optional<String> header = response.headers().firstValue("Retry-After");
        if (header.isPresent()) {
            try {
                seconds = Double.parseDouble(header.get().strip());
            } catch (NumberFormatException ignored) {
                // An HTTP-date Retry-After is legal but Zulip sends seconds; fall through to the body.
            }
        }
        if (seconds < 0) {
            try {
                seconds = JSON.readTree(response.body()).path("retry-after").asDouble(-1);
            } catch (JsonProcessingException ignored) {
                seconds = -1;
            }
        }
        if (!(seconds >= 0)) {
            seconds = 1;
        }
        return Duration.ofMillis((long) Math.ceil(Math.min(seconds, 3600) * 1000));
    }

    private static JsonNode parse(String text, int status, String method, String path) throws ZulipException {
        try {
            JsonNode node = JSON.readTree(text);
            if (node == null || !node.isObject()) {
                throw new ZulipException(status, "BAD_RESPONSE", method + " " + template(path) + " answered " + status + " without a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new ZulipException(status, "BAD_RESPONSE", method + " " + template(path) + " answered " + status + " with malformed JSON");
        }
    }

    /** The path with ids replaced, so that log lines group by endpoint. */
    private static String template(String path) {
        return path.replaceAll("/\\d+", "/{id}");
    }

    private static String oneLine(String s) {
        String t = s.replaceAll("\\s+", " ");
        return t.length() > 200 ? t.substring(0, 200) + "…" : t;
    }

    private static String encode(Map<String, String> params) {
        return params.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    private static String jsonArray(List<String> values) {
        ArrayNode a = JSON.createArrayNode();
        values.forEach(a::add);
        return a.toString();
    }

    // ---- JSON → records --------------------------------------------------------------------------

    private static ZulipUser user(JsonNode u) {
        String email = u.hasNonNull("delivery_email") ? u.path("delivery_email").asText() : u.path("email").asText("");
        return new ZulipUser(u.path("user_id").asInt(), email, u.path("full_name").asText(""), u.path("is_bot").asBoolean(false));
    }

    private static UserGroup userGroup(JsonNode g) {
        List<Integer> members = new ArrayList<>();
        g.path("members").forEach(m -> members.add(m.asInt()));
        List<Long> subgroups = new ArrayList<>();
        g.path("direct_subgroup_ids").forEach(s -> subgroups.add(s.asLong()));
        return new UserGroup(g.path("id").asLong(), g.path("name").asText(""), members, subgroups);
    }

    static ZulipEvent event(JsonNode e) {
        long id = e.path("id").asLong();
        String type = e.path("type").asText("");
        switch (type) {
            case "heartbeat":
                return new ZulipEvent.Heartbeat(id);
            case "message":
                return new ZulipEvent.MessageEvent(id, message(e.path("message"), e.path("flags")));
            case "user_group": {
                List<Integer> users = new ArrayList<>();
                e.path("user_ids").forEach(u -> users.add(u.asInt()));
                List<Long> subs = new ArrayList<>();
                e.path("direct_subgroup_ids").forEach(s -> subs.add(s.asLong()));
                UserGroup group = e.has("group") ? userGroup(e.path("group")) : null;
                Long groupId = e.has("group_id") ? e.path("group_id").asLong() : null;
                return new ZulipEvent.UserGroupEvent(id, e.path("op").asText(""), group, groupId, users, subs);
            }
            case "subscription": {
                List<Long> streams = new ArrayList<>();
                e.path("stream_ids").forEach(s -> streams.add(s.asLong()));
                e.path("subscriptions").forEach(s -> streams.add(s.path("stream_id").asLong()));
                List<Integer> users = new ArrayList<>();
                e.path("user_ids").forEach(u -> users.add(u.asInt()));
                return new ZulipEvent.SubscriptionEvent(id, e.path("op").asText(""), streams, users);
            }
            default:
                return new ZulipEvent.Other(id, type);
        }
    }

    static ZulipMessage message(JsonNode m, JsonNode flagsNode) {
        String type = m.path("type").asText("");
        List<Integer> recipients = new ArrayList<>();
        String channelName = null;
        JsonNode dr = m.path("display_recipient");
        if (dr.isArray()) {
            dr.forEach(r -> recipients.add(r.path("id").asInt()));
        } else if (dr.isTextual()) {
            channelName = dr.asText();
        }
        List<String> flags = new ArrayList<>();
        flagsNode.forEach(f -> flags.add(f.asText()));
        Long streamId = m.hasNonNull("stream_id") ? m.path("stream_id").asLong() : null;
        return new ZulipMessage(m.path("id").asLong(), type, m.path("sender_id").asInt(), m.path("sender_email").asText(""),
                m.path("sender_full_name").asText(""), m.path("content").asText(""), streamId, channelName,
                m.path("subject").asText(m.path("topic").asText("")), recipients, flags);
    }
}
