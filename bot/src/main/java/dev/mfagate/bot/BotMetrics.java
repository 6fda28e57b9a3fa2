package dev.mfagate.bot;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bot's Prometheus metrics (names as exported):
 * {@code mfagate_bot_events_received_total{type}}, {@code mfagate_bot_replies_sent_total{kind}},
 * {@code mfagate_bot_reconnects_total}, {@code mfagate_bot_errors_total{kind}},
 * {@code mfagate_bot_clock_skew_seconds}, {@code mfagate_bot_in_flight_messages},
 * {@code mfagate_bot_reply_seconds} (message received to reply sent), {@code mfagate_bot_gateway_request_seconds}
 * (gateway round trips), plus the JVM's.
 * Thread-safe.
 */
public final class BotMetrics {
    private final MeterRegistry registry;
    private final AtomicLong clockSkewMillis = new AtomicLong();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Counter reconnects;
    private final Timer replyTime;
    private final Timer gatewayTime;

    /** Registers the bot's meters and the JVM binders on {@code registry}. */
    public BotMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.reconnects = Counter.builder("mfagate.bot.reconnects").description("Zulip event queue re-registrations").register(registry);
        this.replyTime = Timer.builder("mfagate.bot.reply").description("From a message reaching the bot to its reply being sent")
                .publishPercentiles(0.5, 0.99).register(registry);
        this.gatewayTime = Timer.builder("mfagate.bot.gateway.request").description("Round trips to the gateway that got an HTTP answer")
                .publishPercentiles(0.5, 0.99).register(registry);
        Gauge.builder("mfagate.bot.clock.skew", clockSkewMillis, v -> v.get() / 1000.0).baseUnit("seconds")
                .description("Local clock minus the Zulip server's Date header").register(registry);
        Gauge.builder("mfagate.bot.in.flight.messages", inFlight, AtomicInteger::get).description("Messages being handled").register(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** The registry, for the admin port. */
    public MeterRegistry registry() {
        return registry;
    }

    void eventReceived(String type) {
        registry.counter("mfagate.bot.events.received", "type", type).increment();
    }

    void replySent(String kind) {
        registry.counter("mfagate.bot.replies.sent", "kind", kind).increment();
    }

    void error(String kind) {
        registry.counter("mfagate.bot.errors", "kind", kind).increment();
    }

    void reconnected() {
        reconnects.increment();
    }

    void clockSkew(long millis) {
        clockSkewMillis.set(millis);
    }

    Timer replyTime() {
        return replyTime;
    }

    /** The gateway round-trip timer. */
    public Timer gatewayTime() {
        return gatewayTime;
    }

    AtomicInteger inFlight() {
        return inFlight;
    }
}
