package dev.mfagate.bot;

import dev.mfagate.zulip.emulator.ZulipEmulator;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * A real bot wired to a running emulator and a gateway URL, with test-sized timings (backoff bases in
 * milliseconds, a generous rate guard). Closing it shuts the bot down gracefully, as SIGTERM would.
 */
public final class BotHarness implements AutoCloseable {
    public final ZulipEmulator zulip;
    public final int botUserId;
    public final MfaBot bot;
    public final PrometheusMeterRegistry registry;
    public final AdminServer admin;
    public final BotConfig config;
    private boolean closed;

    private BotHarness(ZulipEmulator zulip, int botUserId, BotConfig config) throws Exception {
        this.zulip = zulip;
        this.botUserId = botUserId;
        this.config = config;
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.bot = new MfaBot(config, new BotMetrics(registry), Clock.systemUTC());
        this.admin = new AdminServer(config.adminAddress(), bot, registry);
        admin.start();
        bot.start();
    }

    /** The settings every test bot uses, before {@code overrides}. */
    public static Map<String, String> testEnvironment(ZulipEmulator zulip, int botUserId, URI gateway, String token) {
        Map<String, String> env = new HashMap<>();
        env.put("ZULIP_SITE", zulip.baseUrl());
        env.put("ZULIP_EMAIL", zulip.email(botUserId));
        env.put("ZULIP_API_KEY", zulip.apiKey(botUserId));
        env.put("MFAGATE_GATEWAY_URL", gateway.toString());
        env.put("MFAGATE_GATEWAY_TOKEN", token);
        env.put("MFAGATE_BOT_ADMIN_PORT", "0");
        env.put("MFAGATE_BOT_BACKOFF_BASE_MS", "10");
        env.put("MFAGATE_BOT_BACKOFF_MAX_MS", "200");
        env.put("MFAGATE_BOT_SEND_RATE", "2000");
        env.put("MFAGATE_BOT_SEND_BURST", "500");
        env.put("MFAGATE_BOT_REQUEST_TIMEOUT_MS", "5000");
        env.put("MFAGATE_BOT_POLL_TIMEOUT_MS", "20000");
        env.put("MFAGATE_BOT_SHUTDOWN_GRACE_MS", "10000");
        return env;
    }

    /** Starts a bot for {@code botUserId} on {@code zulip}, asking {@code gateway} with {@code token}. */
    public static BotHarness start(ZulipEmulator zulip, int botUserId, URI gateway, String token, Map<String, String> overrides)
            throws Exception {
        Map<String, String> env = testEnvironment(zulip, botUserId, gateway, token);
        env.putAll(overrides);
        return new BotHarness(zulip, botUserId, BotConfig.load(env, null, null));
    }

    /**
     * Has the bot expire message {@code messageId} (one it sent) at {@code when}, as if it were a code reply
     * about {@code label}: how tests and the benchmark put many expiries in the same second.
     */
    public void expireAt(long messageId, String label, java.time.Instant when) {
        bot.replyExpiry().schedule(messageId, label, when);
    }

    /** The admin port's base URL. */
    public URI adminUrl() {
        return URI.create("http://127.0.0.1:" + admin.port());
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            bot.close();
            admin.close();
        }
    }
}
