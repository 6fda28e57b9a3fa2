package dev.mfagate.gateway;

import dev.mfagate.core.crypto.Keyring;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code key_provider} check behind {@code /readyz}: every {@code interval} (30 s by default)
 * a background thread asks the keyring to prove that its provider still answers (for an HSM, KMS
 * or Transit: one unwrap of the stored keyset, thrown away at once; for the keyset file: nothing).
 * The gateway keeps serving with the keys it already unwrapped when the provider goes away, so this
 * check marks the instance {@code degraded}, not unready: operators see it, a load balancer keeps
 * sending traffic, and a key rotation refuses to start until the provider answers again.
 *
 * <p>Thread-safe; {@link #state()} never blocks on the provider. Lifecycle: {@link #start()} once,
 * {@link #close()} once.
 */
public final class KeyProviderCheck implements AutoCloseable {

    /** How often the provider is asked, unless {@value #INTERVAL_PROPERTY} says otherwise. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);
    /** A system property with the interval in milliseconds (tests use a short one). */
    public static final String INTERVAL_PROPERTY = "mfagate.keyCheckIntervalMillis";

    private static final Logger LOG = LoggerFactory.getLogger(KeyProviderCheck.class);

    private final Keyring keyring;
    private final Runnable tenantKeysCheck;
    private final Duration interval;
    private final ScheduledExecutorService executor;
    private volatile String state = "ok";

    /** A check of {@code keyring}'s provider every {@code interval}. */
    public KeyProviderCheck(Keyring keyring, Duration interval) {
        this(keyring, () -> { }, interval);
    }

    /**
     * A check of {@code keyring}'s provider, and of the tenants' own keys ({@code tenantKeysCheck}:
     * it retries unavailable ones and drops keys their provider now refuses), every {@code interval}.
     */
    public KeyProviderCheck(Keyring keyring, Runnable tenantKeysCheck, Duration interval) {
        this.keyring = Objects.requireNonNull(keyring, "keyring");
        this.tenantKeysCheck = Objects.requireNonNull(tenantKeysCheck, "tenantKeysCheck");
        this.interval = Objects.requireNonNull(interval, "interval");
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mfagate-key-provider-check");
            t.setDaemon(true);
            return t;
        });
    }

    /** The interval from {@value #INTERVAL_PROPERTY}, else {@link #DEFAULT_INTERVAL}. */
    public static Duration configuredInterval() {
        long millis = Long.getLong(INTERVAL_PROPERTY, DEFAULT_INTERVAL.toMillis());
        return Duration.ofMillis(Math.max(100, millis));
    }

    /** Starts the periodic check (the first one after one interval: opening the store just proved the provider). */
    public KeyProviderCheck start() {
        executor.scheduleWithFixedDelay(this::checkNow, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** Asks the provider now. */
    void checkNow() {
        String result;
        try {
            result = keyring.checkProvider();
        } catch (RuntimeException e) {
            result = "check failed: " + e.getClass().getSimpleName();
        }
        try {
            tenantKeysCheck.run();
        } catch (RuntimeException e) {
            LOG.warn("Checking the tenants' keys failed: {}", e.getClass().getSimpleName());
        }
        String before = state;
        state = result;
        if (!result.equals(before)) {
            if ("ok".equals(result)) {
                LOG.info("The key provider answers again ({})", keyring.providerReference());
            } else {
                LOG.warn("The key provider does not answer; serving goes on with the keys already unwrapped,"
                        + " rotation refuses until it does: {}", result);
            }
        }
    }

    /** {@code ok}, or what failed at the last check. */
    public String state() {
        return state;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
