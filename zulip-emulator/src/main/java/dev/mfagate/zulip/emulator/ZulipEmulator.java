package dev.mfagate.zulip.emulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stand-in Zulip server over real HTTP, for tests and the local demo. It serves the part of Zulip's REST
 * API that a chat bot uses (register, event long-poll, send/get/edit/delete messages, message history,
 * reactions, users, channels, subscriptions, user groups, server settings) under {@code /api/v1}, with HTTP Basic
 * authentication ({@code email:api_key}), the error shapes of Zulip's OpenAPI description, and a
 * {@code Date} header from a settable {@link Clock}.
 *
 * <p>Lifecycle: {@link #builder()} → {@link Builder#build()} → {@link #start()} → {@link #close()}; an
 * instance starts once. The driving API ({@link #addUser}, {@link #sendDirectMessage}, {@link #messages()}, …)
 * works before and after start. Thread-safe: the organisation's state sits behind one lock; long polls wait
 * on it without holding a thread of their own beyond a virtual one.
 *
 * <p>Spec checking: with {@link Builder#validateAgainstSpec(boolean)}, every request received and every
 * response sent is checked against Zulip's OpenAPI description ({@link ZulipSpecValidator}); read the
 * findings with {@link #validationReport()} or fail a test with {@link #assertNoSpecViolations()}.
 *
 * <p>Out of scope, refused with Zulip's error shape rather than faked: endpoints not listed above (404),
 * moving messages between topics or channels, custom emoji, narrows other than those a bot uses (search,
 * {@code has:}, {@code near:}, …), and Markdown beyond paragraphs (with
 * {@code apply_markdown=true} content is HTML-escaped paragraphs). Organisation-setting, role and
 * activation changes emit no {@code realm}/{@code realm_user} update events; a new user emits
 * {@code realm_user} {@code add}.
 *
 * <p>This class is the door for tests and the demo (build, start, drive, observe). Behind it: the {@link Realm}
 * (users, channels and groups in {@link Directory}, messages in {@link MessageStore}, event queues in
 * {@link EventQueues}); the HTTP side in {@link EmulatorServer}, {@link RequestPipeline} (faults, {@link BasicAuth},
 * the one JSON writer) and the routes by area ({@link Api}); the spec check in {@link SpecCheck}.
 */
public final class ZulipEmulator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ZulipEmulator.class);
    /** Zulip's client name for messages typed in the web app: what the driving API's messages claim to come from. */
    private static final String WEB_CLIENT = "website";

    private final Realm realm;
    private final Faults faults = new Faults();
    private final String host;
    private final int requestedPort;
    private final Duration heartbeat;
    private final SpecCheck specCheck;
    private final RequestPipeline pipeline;
    private Javalin app;
    private volatile boolean closed;

    /** Settings for a new emulator; every one has a default. Not thread-safe; use from one thread. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 0;
        private Duration heartbeatInterval = Duration.ofSeconds(50);
        private Duration queueTimeout = Duration.ofMinutes(10);
        private Clock clock = Clock.systemUTC();
        private String realmName = "Emulated Zulip";
        private boolean validateAgainstSpec;

        private Builder() {}

        /** The address to listen on; default 127.0.0.1 (the emulator is for this machine only). */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** The port to listen on; default 0, a free port chosen at start. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " must be between 0 and 65535");
            }
            this.port = port;
            return this;
        }

        /** How long an idle {@code GET /events} waits before answering with a heartbeat; default 50 s as Zulip, e.g. 1 s in tests. */
        public Builder heartbeatInterval(Duration interval) {
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("heartbeat interval " + interval + " must be positive");
            }
            this.heartbeatInterval = interval;
            return this;
        }

        /** How long an event queue lives without being polled before it is garbage-collected; default 10 minutes as Zulip. */
        public Builder queueTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("queue timeout " + timeout + " must be positive");
            }
            this.queueTimeout = timeout;
            return this;
        }

        /** The clock for message timestamps, edit and delete limits and the {@code Date} header; default UTC system clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The organisation's name, as in {@code /server_settings}. */
        public Builder realmName(String name) {
            this.realmName = Objects.requireNonNull(name, "name");
            return this;
        }

        /** Whether to check every exchange against Zulip's OpenAPI description (loads it, about a second, once per JVM). */
        public Builder validateAgainstSpec(boolean validate) {
            this.validateAgainstSpec = validate;
            return this;
        }

        public ZulipEmulator build() {
            return new ZulipEmulator(this);
        }
    }

    private ZulipEmulator(Builder b) {
        this.realm = new Realm(b.realmName, b.clock, b.queueTimeout);
        this.host = b.host;
        this.requestedPort = b.port;
        this.heartbeat = b.heartbeatInterval;
        this.specCheck = new SpecCheck(b.validateAgainstSpec);
        this.pipeline = new RequestPipeline(realm, faults, specCheck);
    }

    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------- lifecycle

    /** Starts listening. Returns this, so that {@code builder().build().start()} reads naturally. */
    public synchronized ZulipEmulator start() {
        if (app != null) {
            throw new IllegalStateException("this emulator has already been started; create a new one");
        }
        app = EmulatorServer.create(realm, faults, pipeline, host, requestedPort, heartbeat);
        app.start();
        realm.realmUrl = baseUrl();
        LOG.info("Zulip emulator listening on {}", baseUrl());
        return this;
    }

    /** Stops the server; waiting long polls return at once. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        realm.close();
        if (app != null) {
            app.stop();
        }
    }

    /** The port listened on; valid after {@link #start()}. */
    public int port() {
        if (app == null) {
            throw new IllegalStateException("the emulator is not started; call start() first");
        }
        return app.port();
    }

    /** {@code http://127.0.0.1:PORT}: the Zulip "site" a client is configured with. The API is under {@code /api/v1}. */
    public String baseUrl() {
        return "http://" + host + ":" + port();
    }

    /** {@code baseUrl() + "/api/v1"}. */
    public String apiUrl() {
        return baseUrl() + Api.PREFIX;
    }

    // ---------------------------------------------------------------- the organisation

    /** Adds an active user with role member and a fresh 32-character API key (emits {@code realm_user} {@code add}); returns the user id. */
    public int addUser(String fullName, String email, boolean isBot) {
        return realm.directory.addUser(fullName, email, isBot, realm.now());
    }

    /** The user's API key, for {@code email:api_key} Basic authentication. */
    public String apiKey(int userId) {
        return realm.locked(() -> realm.directory.requireUser(userId).apiKey);
    }

    /** The user's email, the user name of Basic authentication. */
    public String email(int userId) {
        return realm.locked(() -> realm.directory.requireUser(userId).email);
    }

    /** Replaces the user's API key (e.g. a fixed key for the demo); it must be 32 ASCII letters and digits like Zulip's. */
    public void setApiKey(int userId, String apiKey) {
        realm.directory.setApiKey(userId, apiKey);
    }

    /** Changes the user's role, and with it their system groups ({@code role:administrators}, …). */
    public void setRole(int userId, Role role) {
        realm.directory.setRole(userId, Objects.requireNonNull(role, "role"));
    }

    /** Deactivates or reactivates a user; a deactivated user's requests fail with {@code USER_DEACTIVATED}. */
    public void setUserActive(int userId, boolean active) {
        realm.directory.setActive(userId, active);
    }

    /** Adds a public channel with an empty description; returns its id. */
    public int addChannel(String name) {
        return realm.directory.addChannel(name, "", false, realm.now());
    }

    /** Adds a channel; {@code inviteOnly} makes it private (visible to subscribers only). Returns its id. */
    public int addChannel(String name, String description, boolean inviteOnly) {
        return realm.directory.addChannel(name, Objects.requireNonNull(description, "description"), inviteOnly, realm.now());
    }

    /** The id of the channel with this name (case-insensitive). */
    public int channelId(String name) {
        return realm.locked(() -> realm.directory.requireChannel(name).id);
    }

    /** Subscribes a user; emits {@code subscription} {@code add} to them and {@code peer_add} to others who can see the channel. */
    public void subscribe(int userId, String channel) {
        realm.directory.subscribe(userId, channel);
    }

    /** Unsubscribes a user; emits {@code subscription} {@code remove} and {@code peer_remove}. */
    public void unsubscribe(int userId, String channel) {
        realm.directory.unsubscribe(userId, channel);
    }

    /** Adds a user group (emits {@code user_group} {@code add}); returns its id. */
    public int addUserGroup(String name, String description) {
        return realm.directory.addGroup(name, Objects.requireNonNull(description, "description"), realm.now());
    }

    /** Adds members to a user group; emits {@code user_group} {@code add_members} for those not yet members. */
    public void addGroupMembers(int groupId, List<Integer> userIds) {
        realm.directory.changeGroupMembers(groupId, List.copyOf(userIds), true);
    }

    /** Removes members from a user group; emits {@code user_group} {@code remove_members} for those who were members. */
    public void removeGroupMembers(int groupId, List<Integer> userIds) {
        realm.directory.changeGroupMembers(groupId, List.copyOf(userIds), false);
    }

    // ---------------------------------------------------------------- organisation settings and clock

    public OrgSettings orgSettings() {
        return realm.settings();
    }

    public void setOrgSettings(OrgSettings settings) {
        realm.setSettings(Objects.requireNonNull(settings, "settings"));
    }

    /** Zulip's "allow message editing"; off, every content edit fails with "Your organization has turned off message editing". */
    public void setAllowMessageEditing(boolean allow) {
        setOrgSettings(orgSettings().withAllowMessageEditing(allow));
    }

    /** Seconds after sending during which the sender may edit content; {@code null} for no limit. */
    public void setMessageContentEditLimitSeconds(Integer seconds) {
        setOrgSettings(orgSettings().withMessageContentEditLimitSeconds(seconds));
    }

    /** Whether everyone may delete their own messages ({@code role:everyone}) or only administrators. */
    public void setEveryoneCanDeleteOwnMessages(boolean everyone) {
        setOrgSettings(orgSettings().withEveryoneCanDeleteOwnMessages(everyone));
    }

    /** Seconds after sending during which the sender may delete; {@code null} for no limit. */
    public void setMessageContentDeleteLimitSeconds(Integer seconds) {
        setOrgSettings(orgSettings().withMessageContentDeleteLimitSeconds(seconds));
    }

    public Clock clock() {
        return realm.clock();
    }

    /** Replaces the clock (e.g. {@code Clock.offset(...)} to skew the {@code Date} header or pass an edit limit). */
    public void setClock(Clock clock) {
        realm.setClock(Objects.requireNonNull(clock, "clock"));
    }

    // ---------------------------------------------------------------- driving: people typing

    /**
     * Sends a direct message as a person typing in a Zulip client would: through the same path as
     * {@code POST /messages}, so it is stored and evented to every matching queue exactly once. Never faulted.
     *
     * @return the new message's id
     * @throws IllegalArgumentException where Zulip would refuse the message (unknown user, empty content)
     */
    public int sendDirectMessage(int fromUserId, List<Integer> toUserIds, String content) {
        try {
            return realm.messages.sendDirect(fromUserId, new TreeSet<>(toUserIds), content, WEB_CLIENT, realm.now());
        } catch (ZulipError e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** Sends a channel message as a person would; see {@link #sendDirectMessage}. */
    public int sendChannelMessage(int fromUserId, String channel, String topic, String content) {
        try {
            Instant now = realm.now();
            return realm.locked(() -> realm.messages.sendToChannel(fromUserId, realm.directory.requireChannel(channel), topic,
                    content, WEB_CLIENT, now));
        } catch (ZulipError e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** Adds an emoji reaction as a person would (a Unicode emoji known by name, e.g. {@code "+1"}). */
    public void addReaction(int userId, int messageId, String emojiName, String emojiCode) {
        realm.lock.lock();
        try {
            MessageStore.Message m = realm.messages.message(messageId);
            if (m == null) {
                throw new IllegalArgumentException("no message with id " + messageId);
            }
            realm.messages.react(userId, m, emojiName, emojiCode, "unicode_emoji", true);
        } catch (ZulipError e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        } finally {
            realm.lock.unlock();
        }
    }

    // ---------------------------------------------------------------- driving: observing

    /** Every message stored so far, deleted ones included (flagged), oldest first. */
    public List<EmulatedMessage> messages() {
        return realm.locked(() -> realm.messages.all().stream().map(this::snapshot).toList());
    }

    /** The message with this id, if it was ever stored. */
    public Optional<EmulatedMessage> message(int messageId) {
        return messages().stream().filter(m -> m.id() == messageId).findFirst();
    }

    /** Direct messages addressed to the user by someone else, oldest first. */
    public List<EmulatedMessage> messagesTo(int userId) {
        return messages().stream().filter(m -> m.isDirectMessageTo(userId)).toList();
    }

    /** Messages the user sent (direct or to channels), oldest first. */
    public List<EmulatedMessage> messagesFrom(int userId) {
        return messages().stream().filter(m -> m.senderId() == userId).toList();
    }

    /**
     * Waits until some message satisfies the predicate (re-checked after every message change) and returns
     * the first such one.
     *
     * @throws AssertionError when none does within the timeout, listing the messages there are
     */
    public EmulatedMessage awaitMessage(Predicate<EmulatedMessage> predicate, Duration timeout) {
        try {
            EmulatedMessage found = realm.messages.await(
                    recs -> recs.stream().map(this::snapshot).filter(predicate).findFirst().orElse(null), timeout);
            if (found == null) {
                throw new AssertionError("No message matched within " + timeout + "; messages: " + messages());
            }
            return found;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for a message", e);
        }
    }

    private EmulatedMessage snapshot(MessageStore.Message m) {
        return EmulatedMessage.of(m, realm.directory);
    }

    /** Ids of the user's live event queues. */
    public List<String> eventQueueIds(int userId) {
        return realm.events.ids(userId);
    }

    /** How many long polls ({@code GET /events}) of the user's queues are waiting for events now. */
    public int waitingPolls(int userId) {
        return realm.events.waitingPolls(userId);
    }

    /**
     * Every API request answered so far, in the order the answers were written (a long poll counts when it
     * returns): what a test asserts order on, such as a reply sent before queued deletions.
     */
    public List<ApiCall> apiCalls() {
        return pipeline.apiCalls();
    }

    /** Garbage-collects every event queue of the user now, as a server restart would; returns how many. */
    public int dropEventQueues(int userId) {
        return realm.events.drop(userId);
    }

    /** Fault injection for this emulator's HTTP API. */
    public Faults faults() {
        return faults;
    }

    // ---------------------------------------------------------------- spec validation

    /** Violations of Zulip's OpenAPI description found so far (empty unless built with {@code validateAgainstSpec(true)}). */
    public List<SpecViolation> validationReport() {
        return specCheck.report();
    }

    /** Forgets the violations found so far, e.g. after a test has asserted on a deliberate one. */
    public void clearValidationReport() {
        specCheck.clear();
    }

    /** How many exchanges have been checked against the description. */
    public int validatedExchangeCount() {
        return specCheck.checkedCount();
    }

    /**
     * Fails when any exchange broke Zulip's OpenAPI description.
     *
     * @throws IllegalStateException if the emulator was not built with {@code validateAgainstSpec(true)}
     * @throws AssertionError listing every violation
     */
    public void assertNoSpecViolations() {
        specCheck.assertNone();
    }

    /** Test hook: rewrites every JSON response body before it is sent (and validated). Null turns it off. */
    void mutateResponses(UnaryOperator<ObjectNode> mutator) {
        pipeline.mutateResponses(mutator);
    }

    /** Names of the system groups Zulip creates in every organisation, for reference in tests. */
    public static Set<String> systemGroupNames() {
        return Set.of("role:nobody", "role:owners", "role:administrators", "role:moderators", "role:fullmembers",
                "role:members", "role:everyone", "role:internet");
    }
}
