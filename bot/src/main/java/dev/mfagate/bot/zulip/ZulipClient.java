package dev.mfagate.bot.zulip;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mfagate.bot.secret.Secret;
import dev.mfagate.bot.zulip.wire.Wire;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;

/**
 * A small typed client for the parts of Zulip's REST API the bot uses, on {@code java.net.http}: one method
 * per endpoint, answering the bot's own records ({@link Registration}, {@link ZulipEvent}, {@link ZulipMessage},
 * {@link ZulipUser}, ...) read from Zulip's JSON through the {@link Wire} records.
 *
 * <p>Why not {@code com.github.jamesnetherton:zulip-java-client}: its last release (0.5.2) predates the
 * event-queue behaviour the bot relies on (no {@code BAD_EVENT_QUEUE_ID} re-registration, no
 * {@code Retry-After} handling, no access to the {@code Date} header, no {@code realm_user_groups}),
 * and it pulls in Apache HttpClient. Each endpoint here is held to Zulip's OpenAPI description
 * ({@code shared/zulip-api/zulip.yaml}) by the tests.
 *
 * <p>How requests travel (auth, the outbound rate guard, retries, {@code Retry-After}, the {@code Date}
 * header and clock skew) is {@link ZulipTransport}'s concern; see there. Requests pass the {@link RateGuard}
 * in the reply lane unless the client came from {@link #housekeeping()}.
 *
 * <p>Messages are posted at most once: when an attempt of {@code POST /messages} goes unanswered (a timeout,
 * a dropped connection, a 5xx), the client reads the conversation's newest messages from the bot
 * ({@code GET /messages} narrowed to the DM or the channel and topic, and to the bot as sender) and takes a
 * message with exactly that content, which it did not already know as sent, as the answer instead of sending
 * again.
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

    /** How many of the bot's newest messages in a conversation are read to find an unanswered send. */
    static final int LANDED_WINDOW = 20;
    /** How many ids of sent messages are remembered, so that an earlier reply with the same text is not taken for the new one. */
    private static final int SENT_IDS = 4096;

    private final ZulipTransport transport;
    private final String email;
    /** Ids of messages this client (or a view of it) posted, newest last; shared with the views. */
    private final Set<Long> sentIds;
    /**
     * Sends of the same content to the same conversation take turns (striped by both), so that the look-up of
     * one never takes the other's message, still unanswered and not yet among {@link #sentIds}, for its own.
     * Locks rather than {@code synchronized}: a send is held across network I/O, and on Java 21 a virtual thread
     * in a {@code synchronized} block pins its carrier, which the HTTP client's own virtual threads need.
     */
    private final ReentrantLock[] sendStripes;

    /**
     * A client for the Zulip server at {@code site} (base URL, without {@code /api/v1}).
     *
     * @param clock the bot's clock, read when an answer's {@code Date} arrives (clock skew)
     */
    public ZulipClient(URI site, String email, Secret apiKey, Settings settings, ZulipListener listener, Clock clock) {
        this(new ZulipTransport(site, email, apiKey, settings, listener, clock), email, Collections.synchronizedSet(
                Collections.newSetFromMap(new LinkedHashMap<>(64, 0.75f, false) {
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
                        return size() > SENT_IDS;
                    }
                })), stripes());
    }

    private ZulipClient(ZulipTransport transport, String email, Set<Long> sentIds, ReentrantLock[] sendStripes) {
        this.transport = transport;
        this.email = email;
        this.sentIds = sentIds;
        this.sendStripes = sendStripes;
    }

    private static ReentrantLock[] stripes() {
        ReentrantLock[] stripes = new ReentrantLock[64];
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new ReentrantLock();
        }
        return stripes;
    }

    /**
     * This client for work nobody waits for (expiring replies, catching up after a lost queue): its requests
     * wait in the {@linkplain RateGuard.Lane#HOUSEKEEPING housekeeping lane} of the rate guard, behind any
     * reply. It shares this client's connections. Closing it stops its own requests only (those waiting in the
     * guard give up at once; one on the wire finishes); closing this client closes it too.
     */
    public ZulipClient housekeeping() {
        return new ZulipClient(transport.housekeeping(), email, sentIds, sendStripes);
    }

    /**
     * This client with calls that give up retrying after {@code budget} instead of the settings' budget, for
     * work with a deadline of its own (deleting the queue while the bot stops). It shares this client's
     * connections and is closed with it.
     */
    public ZulipClient withRetryBudget(Duration budget) {
        return new ZulipClient(transport.withRetryBudget(budget), email, sentIds, sendStripes);
    }

    /** Stops retries in progress, drops requests waiting in the rate guard and refuses new requests. */
    @Override
    public void close() {
        transport.close();
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
        Wire.Registered r = transport.call("POST", "/register", Map.of(), form, false, Wire.Registered.class);
        return new Registration(r.queueId() == null ? "" : r.queueId(), orMinusOne(r.lastEventId()), orMinusOne(r.maxMessageId()),
                r.realmUserGroups().stream().map(ZulipClient::userGroup).toList());
    }

    /** {@code GET /events}: blocks until events arrive or a heartbeat is due. */
    public EventsResult events(String queueId, long lastEventId) throws ZulipException {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("queue_id", queueId);
        query.put("last_event_id", Long.toString(lastEventId));
        Wire.Events r;
        try {
            r = transport.call("GET", "/events", query, null, true, Wire.Events.class);
        } catch (ZulipException e) {
            if (e.status() == 400 && "BAD_EVENT_QUEUE_ID".equals(e.code())) {
                return new EventsResult.QueueGone();
            }
            throw e;
        }
        return new EventsResult.Events(r.events().stream().map(ZulipClient::event).toList());
    }

    /** {@code DELETE /events}: deletes the queue; an unknown queue counts as deleted. */
    public void deleteQueue(String queueId) throws ZulipException {
        try {
            transport.call("DELETE", "/events", Map.of(), Map.of("queue_id", queueId), false, Wire.Ok.class);
        } catch (ZulipException e) {
            if (!"BAD_EVENT_QUEUE_ID".equals(e.code())) {
                throw e;
            }
        }
    }

    /** {@code GET /users/me}. */
    public ZulipUser me() throws ZulipException {
        return user(transport.call("GET", "/users/me", Map.of(), null, false, Wire.User.class));
    }

    /** {@code GET /users/{user_id}}. */
    public ZulipUser user(int userId) throws ZulipException {
        Wire.OneUser r = transport.call("GET", "/users/" + userId, Map.of(), null, false, Wire.OneUser.class);
        if (r.user() == null) {
            throw new ZulipException(200, "BAD_RESPONSE", "GET /users/{id} answered without a user");
        }
        return user(r.user());
    }

    /** {@code GET /streams}: the channels the bot can see. */
    public List<Channel> channels() throws ZulipException {
        return transport.call("GET", "/streams", Map.of(), null, false, Wire.Streams.class).streams().stream()
                .map(s -> new Channel(s.streamId(), s.name() == null ? "" : s.name())).toList();
    }

    /** {@code GET /streams/{stream_id}/members}: the user ids subscribed to a channel. */
    public List<Integer> subscribers(long streamId) throws ZulipException {
        return transport.call("GET", "/streams/" + streamId + "/members", Map.of(), null, false, Wire.Subscribers.class).subscribers();
    }

    /** {@code POST /messages} as a one-to-one DM to {@code userId}; returns the new message id. */
    public long sendDirect(int userId, String content) throws ZulipException {
        return sendDirectTo("[" + userId + "]", content);
    }

    /** {@code POST /messages} as a DM to several users (a group DM); returns the new message id. */
    public long sendDirectToMany(List<Integer> userIds, String content) throws ZulipException {
        return sendDirectTo(userIds.stream().map(String::valueOf).collect(Collectors.joining(",", "[", "]")), content);
    }

    private long sendDirectTo(String to, String content) throws ZulipException {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("type", "direct");
        form.put("to", to);
        form.put("content", content);
        String narrow = "[{\"operator\":\"dm\",\"operand\":" + to + "}," + senderTerm() + "]";
        return post(form, narrow, content);
    }

    /** {@code POST /messages} to a channel (by name) and topic; returns the new message id. */
    public long sendToChannel(String channel, String topic, String content) throws ZulipException {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("type", "stream");
        form.put("to", channel);
        form.put("topic", topic);
        form.put("content", content);
        String narrow = "[" + term("channel", channel) + "," + term("topic", topic) + "," + senderTerm() + "]";
        return post(form, narrow, content);
    }

    /** {@code POST /messages}, at most once: an unanswered attempt is looked for in {@code narrow} before sending again. */
    private long post(Map<String, String> form, String narrow, String content) throws ZulipException {
        ReentrantLock stripe = sendStripes[Math.floorMod(Objects.hash(narrow, content.strip()), sendStripes.length)];
        stripe.lock();
        try {
            long id = transport.send("/messages", form, () -> landed(narrow, content), Wire.Sent.class).id();
            sentIds.add(id);
            return id;
        } finally {
            stripe.unlock();
        }
    }

    /**
     * The newest of the bot's messages in {@code narrow} with exactly {@code content} that this client did not
     * already know as sent, or empty. Zulip strips trailing whitespace from content, so both sides are stripped.
     */
    private OptionalLong landed(String narrow, String content) throws ZulipException {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("anchor", "newest");
        query.put("num_before", Integer.toString(LANDED_WINDOW));
        query.put("num_after", "0");
        query.put("apply_markdown", "false");
        query.put("narrow", narrow);
        String want = content.strip();
        List<Wire.Message> window = transport.call("GET", "/messages", query, null, false, Wire.Messages.class).messages();
        return window.stream()
                .filter(m -> m.content() != null && m.content().strip().equals(want) && !sentIds.contains(m.id()))
                .mapToLong(Wire.Message::id)
                .max();
    }

    private String senderTerm() {
        return term("sender", email);
    }

    private static String term(String operator, String operand) {
        try {
            return "{\"operator\":\"" + operator + "\",\"operand\":" + Wire.MAPPER.writeValueAsString(operand) + "}";
        } catch (JsonProcessingException e) {
            throw new AssertionError("a string always serialises", e);
        }
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
            Wire.OneMessage r = transport.call("GET", "/messages/" + messageId, Map.of("apply_markdown", "false"), null, false,
                    Wire.OneMessage.class);
            if (r.message() == null) {
                throw new ZulipException(200, "BAD_RESPONSE", "GET /messages/{id} answered without a message");
            }
            return Optional.of(message(r.message(), r.message().flags()));
        } catch (ZulipException e) {
            if (e.status() == 400 || e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private ChangeResult change(String method, long messageId, Map<String, String> form) throws ZulipException {
        try {
            transport.call(method, "/messages/" + messageId, Map.of(), form, false, Wire.Ok.class);
            return new ChangeResult.Done();
        } catch (ZulipException e) {
            if (e.status() >= 400 && e.status() < 500) {
                return new ChangeResult.Refused(e.status(), e.code(), e.getMessage());
            }
            throw e;
        }
    }

    private static String jsonArray(List<String> values) {
        try {
            return Wire.MAPPER.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new AssertionError("a list of strings always serialises", e);
        }
    }

    private static long orMinusOne(Long value) {
        return value == null ? -1 : value;
    }

    // ---- wire records → the bot's records ---------------------------------------------------------

    private static ZulipUser user(Wire.User u) {
        String email = u.deliveryEmail() != null ? u.deliveryEmail() : (u.email() == null ? "" : u.email());
        return new ZulipUser(u.userId(), email, u.fullName() == null ? "" : u.fullName(), u.isBot());
    }

    private static UserGroup userGroup(Wire.UserGroup g) {
        return new UserGroup(g.id(), g.name() == null ? "" : g.name(), g.members(), g.directSubgroupIds());
    }

    static ZulipEvent event(Wire.Event e) {
        String type = e.type() == null ? "" : e.type();
        String op = e.op() == null ? "" : e.op();
        return switch (type) {
            case "heartbeat" -> new ZulipEvent.Heartbeat(e.id());
            case "message" -> e.message() == null
                    ? new ZulipEvent.Other(e.id(), type)
                    : new ZulipEvent.MessageEvent(e.id(), message(e.message(), e.flags()));
            case "user_group" -> new ZulipEvent.UserGroupEvent(e.id(), op, e.group() == null ? null : userGroup(e.group()),
                    e.groupId(), e.userIds(), e.directSubgroupIds());
            case "subscription" -> {
                List<Long> streams = new ArrayList<>(e.streamIds());
                e.subscriptions().forEach(s -> streams.add(s.streamId()));
                yield new ZulipEvent.SubscriptionEvent(e.id(), op, streams, e.userIds());
            }
            default -> new ZulipEvent.Other(e.id(), type);
        };
    }

    static ZulipMessage message(Wire.Message m, List<String> flags) {
        List<Integer> recipients = new ArrayList<>();
        String channelName = null;
        JsonNode dr = m.displayRecipient();
        if (dr != null && dr.isArray()) {
            dr.forEach(r -> recipients.add(r.path("id").asInt()));
        } else if (dr != null && dr.isTextual()) {
            channelName = dr.asText();
        }
        String topic = m.subject() != null ? m.subject() : (m.topic() == null ? "" : m.topic());
        return new ZulipMessage(m.id(), m.type() == null ? "" : m.type(), m.senderId(), m.senderEmail(), m.senderFullName(),
                m.content() == null ? "" : m.content(), m.streamId(), channelName, topic, recipients, flags);
    }
}
