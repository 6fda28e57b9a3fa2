package dev.mfagate.gateway;

import dev.mfagate.core.audit.AuditLogListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gateway's Prometheus metrics (Micrometer): codes issued by label, denials by reason,
 * rate-limit hits, dropped connections by reason, audit commit latency and batch size, HTTP latency
 * histograms, clock skew and the JVM. Label names are the only request data in tag values; never a
 * code, seed or token. Served on a listener of their own ({@code http.MetricsServer}), not to API clients.
 *
 * <p>{@link #disabled()} records nothing (for measuring what metrics cost). Thread-safe.
 */
public class GatewayMetrics implements AuditLogListener {

    private final PrometheusMeterRegistry registry;
    private final ConcurrentHashMap<String, Counter> issued = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> denied = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> rateLimit = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Timer> http = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> dropped = new ConcurrentHashMap<>();
    private final DistributionSummary auditBatch;
    private final Timer auditCommit;
    private final Counter auditFailures;
    private final AtomicLong clockSkewMillis = new AtomicLong();
    /** Whether the JVM's gauges are bound (at the first scrape). */
    private final java.util.concurrent.atomic.AtomicBoolean jvmGaugesBound = new java.util.concurrent.atomic.AtomicBoolean();

    private GatewayMetrics(PrometheusMeterRegistry registry) {
        this.registry = registry;
        if (registry == null) {
            auditBatch = null;
            auditCommit = null;
            auditFailures = null;
            return;
        }
        // The JVM's meters are read at a scrape and bound at the first one (bindJvmGauges).
        auditBatch = DistributionSummary.builder("mfagate.audit.batch.size").description("Entries per audit commit")
                .publishPercentileHistogram().register(registry);
        auditCommit = Timer.builder("mfagate.audit.commit").description("Audit batch commit latency")
                .publishPercentileHistogram().register(registry);
        auditFailures = Counter.builder("mfagate.audit.batch.failures").description("Audit batches that could not be committed")
                .register(registry);
        registry.gauge("mfagate.clock.skew.seconds", clockSkewMillis, v -> v.get() / 1000.0);
    }

    /** Metrics on a new Prometheus registry, with JVM metrics bound. */
    public static GatewayMetrics prometheus() {
        return new GatewayMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    /**
     * Binds the JVM's gauges (class loading, memory, threads, processor, uptime, collections) once.
     * They are read only when scraped, so binding them at the first scrape shows the same values as
     * binding them at start, where their set-up (some 15 ms of CPU before the server listens) would
     * delay the first code.
     *
     * <p>Collections are each collector's count and total time since the JVM started
     * ({@code jvm_gc_collection_seconds_count} and {@code _sum}, tag {@code gc}), read from its MXBean
     * at a scrape, as Prometheus' own JVM exporter does. Micrometer's {@code JvmGcMetrics} was used
     * before: it times each pause from the JVM's notification of it, which the JVM builds as JMX open
     * data on a thread of its own, about 2% of the gateway's CPU under load (several young collections
     * a second), for a pause histogram that the counts and times give the rate of.
     */
    private void bindJvmGauges() {
        if (jvmGaugesBound.compareAndSet(false, true)) {
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                FunctionTimer.builder("jvm.gc.collection", gc, b -> Math.max(0, b.getCollectionCount()),
                                b -> Math.max(0, b.getCollectionTime()), TimeUnit.MILLISECONDS)
                        .tag("gc", gc.getName()).description("Collections by this collector since the JVM started, and their time")
                        .register(registry);
            }
            new ClassLoaderMetrics().bindTo(registry);
            new JvmMemoryMetrics().bindTo(registry);
            new JvmThreadMetrics().bindTo(registry);
            new ProcessorMetrics().bindTo(registry);
            new UptimeMetrics().bindTo(registry);
        }
    }

    /** Records nothing; {@link #scrape()} answers empty. */
    public static GatewayMetrics disabled() {
        return new GatewayMetrics(null);
    }

    /** Whether anything is recorded. */
    public boolean enabled() {
        return registry != null;
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        if (registry == null) {
            return "";
        }
        bindJvmGauges();
        return registry.scrape();
    }

    /** One code issued for {@code label}. */
    public void codeIssued(String label) {
        if (registry != null) {
            issued.computeIfAbsent(label, l -> Counter.builder("mfagate.codes.issued").tag("label", l)
                    .description("Codes issued").register(registry)).increment();
        }
    }

    /** One request refused, by wire error code or deeper reason. */
    public void denied(String reason) {
        if (registry != null) {
            denied.computeIfAbsent(reason, r -> Counter.builder("mfagate.denials").tag("reason", r)
                    .description("Requests refused, by reason (rate_limited* and locked_out are rate-limit hits)")
                    .register(registry)).increment();
        }
    }

    /** One request refused by a rate limit, a daily cap or a lockout. */
    public void rateLimitHit(String scope) {
        if (registry != null) {
            rateLimit.computeIfAbsent(scope, r -> Counter.builder("mfagate.rate.limit.hits").tag("scope", r)
                    .description("Requests refused by a rate limit, daily cap or lockout").register(registry)).increment();
        }
    }

    /** One connection dropped without an HTTP answer, by {@code dev.mfagate.gateway.http.ConnectionDrop} reason. */
    public void connectionDropped(String reason) {
        if (registry != null) {
            dropped.computeIfAbsent(reason, r -> Counter.builder("mfagate.connections.dropped").tag("reason", r)
                    .description("Connections closed without an answer: refused at accept, or too slow to send a request")
                    .register(registry)).increment();
        }
    }

    /** One HTTP request served. */
    public void httpRequest(String route, String method, int status, long nanos) {
        if (registry != null) {
            String key = route + ' ' + method + ' ' + status;
            http.computeIfAbsent(key, k -> Timer.builder("http.server.requests").tag("route", route).tag("method", method)
                    .tag("status", Integer.toString(status)).publishPercentileHistogram()
                    .maximumExpectedValue(Duration.ofSeconds(10)).register(registry))
                    .record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    /** The latest measured clock skew (local minus reference). */
    public void clockSkew(Duration skew) {
        clockSkewMillis.set(skew.toMillis());
    }

    @Override
    public void batchCommitted(int entries, Duration commitLatency) {
        if (registry != null) {
            auditBatch.record(entries);
            auditCommit.record(commitLatency);
        }
    }

    @Override
    public void batchFailed(int entries, Exception cause) {
        if (registry != null) {
            auditFailures.increment();
        }
    }

    /** The registry, for binders such as the connection pool's. */
    public MeterRegistry registry() {
        return registry;
    }
}
