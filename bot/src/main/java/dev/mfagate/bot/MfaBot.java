package dev.mfagate.bot;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.mfagate.bot.gateway.GatewayClient;
import dev.mfagate.bot.zulip.Backoff;
import dev.mfagate.bot.zulip.EventsResult;
import dev.mfagate.bot.zulip.RateGuard;
import dev.mfagate.bot.zulip.Registration;
import dev.mfagate.bot.zulip.ZulipClient;
import dev.mfagate.bot.zulip.ZulipEvent;
import dev.mfagate.bot.zulip.ZulipException;
import dev.mfagate.bot.zulip.ZulipListener;
import dev.mfagate.bot.zulip.ZulipMessage;
import dev.mfagate.bot.zulip.ZulipUser;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running bot: one Zulip event queue, polled by one thread, each message handled on its own
 * virtual thread by a {@link Conversation}.
 *
 * <p>Event queue, as Zulip documents it: registers with {@code event_types} {@code message},
 * {@code user_group} and {@code subscription} (and fetches {@code realm_user_groups}), with
 * {@code apply_markdown=false}; long-polls {@code GET /events}, tracking {@code last_event_id}; skips
 * heartbeats; registers again on {@code BAD_EVENT_QUEUE_ID} and then catches up through
 * {@code GET /messages/{id}} on what arrived while it had no queue; handles each message once (recent ids are
 * remembered across re-registrations); deletes its queue on shutdown.
 *
 * <p>Lifecycle: {@link #start()} once, then {@link #close()} once: stop polling, finish in-flight replies
 * (up to {@link BotConfig#shutdownGrace()}), expire the codes still shown, delete the queue.
 * Thread-safe.
 */
public final class MfaBot implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MfaBot.class);

    /** The events the bot receives. */
    static final List<String> EVENT_TYPES = List.of("message", "user_group", "subscription");
    /**
     * The initial state it fetches: {@code max_message_id} and the user groups. Zulip's description names the
     * groups' fetch key {@code realm_user_groups}; {@code user_group} is sent too because some servers (our
     * emulator among them) key the fetch by event type. Zulip ignores names it does not know.
     */
    static final List<String> FETCH_EVENT_TYPES = List.of("message", "realm_user_groups", "user_group");
    /** The most message ids read back after a re-registration. */
    static final int CATCH_UP_LIMIT = 2_000;

    private final BotConfig config;
    private final BotMetrics metrics;
    private final Clock clock;
    private final ZulipClient zulip;
    /** The same client, waiting behind replies in the rate guard: expiry and catch-up. */
    private final ZulipClient catchUpClient;
    private final GatewayClient gateway;
    private final Membership membership;
    private final ReplyExpiry expiry;
    private final RecentIds recent = new RecentIds(100_000);
    private final AtomicLong watermark = new AtomicLong(-1);
    private final Semaphore inFlightPermits;
    private final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
    /** Reads back messages after a lost queue, one range at a time, off the poll thread. */
    private final ExecutorService catchUps = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "zulip-catch-up");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean running = new AtomicBoolean();
    private final Backoff pollBackoff;
    private final ClockWatch clockWatch;

    private volatile ZulipUser me;
    private volatile Conversation conversation;
    private volatile String queueId;
    private volatile long lastEventId = -1;
    private volatile Instant lastPollOk;
    private volatile Thread pollThread;
    private volatile GatewayProbe gatewayProbe;

    /** A bot for {@code config}, reporting to {@code metrics}; nothing is contacted until {@link #start()}. */
    public MfaBot(BotConfig config, BotMetrics metrics, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.clockWatch = new ClockWatch(config.clockSkewThreshold(), metrics);
        this.pollBackoff = new Backoff(config.backoffBase(), config.backoffMax());
        ZulipClient.Settings settings = new ZulipClient.Settings(config.requestTimeout(), config.pollTimeout(), pollBackoff,
                new RateGuard(config.sendRatePerSecond(), config.sendBurst()), Duration.ofMinutes(10));
        this.zulip = new ZulipClient(config.zulipSite(), config.zulipEmail(), config.zulipApiKey(), settings, new ZulipListener() {
            @Override
            public void onServerDate(Instant serverDate, Instant localReceived) {
                clockWatch.observe(serverDate, localReceived);
            }

            @Override
            public void onRetry(String kind) {
                metrics.error("zulip_" + kind);
            }
        }, clock);
        this.gateway = new GatewayClient(config.gatewayUrl(), config.gatewayToken(), config.requestTimeout(), metrics.gatewayTime()::record);
        this.membership = new Membership(zulip, config.membershipCacheTtl());
        this.catchUpClient = zulip.housekeeping();
        this.expiry = new ReplyExpiry(zulip.housekeeping(), config.expiryAction(), metrics, clock);
        this.inFlightPermits = new Semaphore(config.maxInFlight());
    }

    /**
     * Learns who the bot is, registers the first event queue and starts polling.
     *
     * @throws ZulipException when Zulip refuses the bot's credentials or cannot be reached within the retry budget
     */
    public void start() throws ZulipException {
        if (!running.compareAndSet(false, true)) {
            throw new IllegalStateException("bot already started");
        }
        me = zulip.me();
        conversation = new Conversation(config, zulip, gateway, membership, expiry, metrics, clock, me);
        gatewayProbe = new GatewayProbe(gateway);
        register(true);
        Thread t = new Thread(this::pollLoop, "zulip-poll");
        t.setDaemon(false);
        pollThread = t;
        t.start();
        log.info("bot started {} {}", kv("bot_user_id", me.userId()), kv("zulip_site", config.zulipSite().toString()));
    }

    /** The bot's own Zulip user, once started. */
    public ZulipUser me() {
        return me;
    }

    /** What {@code /readyz} reports. */
    public Readiness readiness() {
        boolean queue = running.get() && queueId != null;
        boolean gatewayUp = gatewayProbe != null && gatewayProbe.reachable();
        return new Readiness(queue, gatewayUp, clockWatch.skewMillis(), clockWatch.degraded());
    }

    /** Whether the poll thread is alive: what {@code /healthz} reports. */
    public boolean alive() {
        Thread t = pollThread;
        return running.get() && t != null && t.isAlive();
    }

    private Registration register(boolean first) throws ZulipException {
        Registration r = zulip.register(EVENT_TYPES, FETCH_EVENT_TYPES);
        membership.resetGroups(r.userGroups());
        lastEventId = r.lastEventId();
        queueId = r.queueId();
        if (first) {
            watermark.accumulateAndGet(r.maxMessageId(), Math::max);
        }
        log.info("event queue registered {} {}", kv("first", first), kv("user_groups", r.userGroups().size()));
        return r;
    }

    private void pollLoop() {
        int failures = 0;
        while (running.get()) {
            try {
                if (queueId == null) {
                    Registration r = register(false);
                    metrics.reconnected();
                    startCatchUp(r.maxMessageId());
                }
                EventsResult result = zulip.events(queueId, lastEventId);
                lastPollOk = clock.instant();
                failures = 0;
                switch (result) {
                    case EventsResult.QueueGone gone -> {
                        log.info("event queue gone (BAD_EVENT_QUEUE_ID); registering again");
                        queueId = null;
                    }
                    case EventsResult.Events events -> events.events().forEach(this::onEvent);
                }
            } catch (ZulipException e) {
                if (!running.get()) {
                    break;
                }
                metrics.error("poll_" + e.code().toLowerCase(java.util.Locale.ROOT));
                log.warn("event poll failed; backing off {} {} {}", kv("zulip_status", e.status()), kv("zulip_code", e.code()),
                        kv("message", e.getMessage()));
                if (e.status() >= 400 && e.status() < 500) {
                    queueId = null; // a refused poll means the queue is unusable; start afresh
                }
                try {
                    Thread.sleep(pollBackoff.delay(failures++));
                } catch (InterruptedException ie) {
                    break;
                }
            } catch (RuntimeException e) {
                metrics.error("poll_unexpected");
                log.error("unexpected failure in the event loop; continuing", e);
            }
        }
    }

    /**
     * Handles messages that arrived while the bot had no queue: Zulip drops the events of that gap, so
     * every message id between the last one seen and the new queue's {@code max_message_id} is read with
     * {@code GET /messages/{id}} (ids the bot may not see answer "invalid" and are skipped). Message ids are
     * realm-wide, so the gap is bounded by {@value #CATCH_UP_LIMIT} reads; beyond that the oldest are given up
     * with a warning. Messages already handled are skipped by {@link RecentIds}.
     *
     * <p>The range is fixed here, on the poll thread, and read on the catch-up thread through the housekeeping
     * lane of the rate guard: the poll goes on at once, so new messages are handled while the gap is read (and
     * their replies go ahead of the reads). Ranges are read one after another, in order.
     */
    private void startCatchUp(long maxMessageId) {
        long from = watermark.getAndAccumulate(maxMessageId, Math::max);
        if (from < 0 || maxMessageId <= from) {
            return;
        }
        if (maxMessageId - from > CATCH_UP_LIMIT) {
            metrics.error("catch_up_truncated");
            log.warn("more messages arrived without a queue than the bot reads back; the oldest are skipped {}",
                    kv("skipped_ids", maxMessageId - from - CATCH_UP_LIMIT));
            from = maxMessageId - CATCH_UP_LIMIT;
        }
        long first = from + 1;
        catchUps.execute(() -> catchUp(first, maxMessageId));
    }

    private void catchUp(long first, long last) {
        int caught = 0;
        try {
            for (long id = first; id <= last && running.get(); id++) {
                Optional<ZulipMessage> m = catchUpClient.message(id);
                if (m.isPresent() && dispatch(m.get())) {
                    caught++;
                }
            }
        } catch (ZulipException e) {
            if (running.get()) {
                metrics.error("catch_up_failed");
                log.warn("catching up on messages missed while re-registering failed; the rest of the gap is skipped {} {} {}",
                        kv("first_id", first), kv("last_id", last), kv("zulip_code", e.code()));
            }
        }
        if (caught > 0) {
            log.info("caught up on messages missed while re-registering {}", kv("messages", caught));
        }
    }

    private void onEvent(ZulipEvent e) {
        lastEventId = Math.max(lastEventId, e.id());
        switch (e) {
            case ZulipEvent.Heartbeat h -> metrics.eventReceived("heartbeat");
            case ZulipEvent.MessageEvent m -> {
                metrics.eventReceived("message");
                dispatch(m.message());
            }
            case ZulipEvent.UserGroupEvent g -> {
                metrics.eventReceived("user_group");
                membership.apply(g);
            }
            case ZulipEvent.SubscriptionEvent s -> {
                metrics.eventReceived("subscription");
                membership.apply(s);
            }
            case ZulipEvent.Other o -> metrics.eventReceived("other");
        }
    }

    /** Hands {@code m} to a handler unless it was seen before; true if handed on. */
    private boolean dispatch(ZulipMessage m) {
        watermark.accumulateAndGet(m.id(), Math::max);
        if (!recent.firstTime(m.id()) || m.senderId() == me.userId()) {
            return false;
        }
        long receivedNanos = System.nanoTime();
        try {
            inFlightPermits.acquire(); // back-pressure: the poll waits while too many replies are under way
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        metrics.inFlight().incrementAndGet();
        try {
            handlers.execute(() -> {
                try {
                    conversation.handle(m, receivedNanos);
                } catch (RuntimeException ex) {
                    metrics.error("handler_unexpected");
                    log.error("unexpected failure handling a message {}", kv("message_id", m.id()), ex);
                } finally {
                    metrics.inFlight().decrementAndGet();
                    inFlightPermits.release();
                }
            });
        } catch (RejectedExecutionException e) {
            // Shutting down: a message read back by a catch-up that was still running is left unanswered.
            metrics.inFlight().decrementAndGet();
            inFlightPermits.release();
            return false;
        }
        return true;
    }

    /** Graceful stop: no new messages, in-flight replies finish, shown codes expire, the queue is deleted. */
    @Override
    public void close() {
        if (!running.compareAndSet(true, false)) {
            return;
        }
        log.info("bot stopping");
        Thread t = pollThread;
        if (t != null) {
            t.interrupt(); // ends the long poll; in-flight handlers are on other threads
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        catchUps.shutdownNow(); // a half-read gap is abandoned: the bot is going away
        handlers.shutdown();
        try {
            if (!handlers.awaitTermination(config.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("in-flight replies did not finish within the shutdown grace {}", kv("in_flight", metrics.inFlight().get()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        expiry.close(config.shutdownGrace(), config.requestTimeout().plusSeconds(1));
        String q = queueId;
        if (q != null) {
            try {
                // Within the shutdown grace, not the usual ten minutes of retries: with Zulip unreachable a stop
                // would otherwise wait that long, and Zulip drops an idle queue by itself after about ten minutes.
                zulip.withRetryBudget(config.shutdownGrace()).deleteQueue(q);
                log.info("event queue deleted");
            } catch (ZulipException e) {
                log.warn("could not delete the event queue {}", kv("zulip_code", e.code()));
            }
        }
        queueId = null;
        zulip.close();
        log.info("bot stopped");
    }

    /** When the last poll answered, or null. */
    Instant lastPollOk() {
        return lastPollOk;
    }

    /** The expiry of code replies (for tests and the benchmark, which load it with replies of their own). */
    ReplyExpiry replyExpiry() {
        return expiry;
    }

    /** Replies still showing a code (for tests). */
    int pendingExpiries() {
        return expiry.pendingCount();
    }
}
