package dev.mfagate.bot;

import dev.mfagate.api.config.BoundedFiles;
import dev.mfagate.api.config.DotEnv;
import dev.mfagate.api.config.DotEnvException;
import dev.mfagate.api.logging.LogSettings;
import dev.mfagate.bot.secret.Secret;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the bot needs to run, read once at start.
 *
 * <p>Sources, first hit wins for each setting: the process environment, then a {@code .env} file, then
 * a {@code zuliprc} file ({@code [api]} section with {@code email}, {@code key}, {@code site}, as Zulip's
 * own bindings read it). The Zulip settings accept both the Zulip bindings' names ({@code ZULIP_SITE},
 * {@code ZULIP_EMAIL}, {@code ZULIP_API_KEY}) and the original bot's ({@code ZULIP_ORG_URL},
 * {@code ZULIP_BOT_EMAIL}, {@code ZULIP_BOT_TOKEN}). Every other setting is listed in
 * {@code docs/bot.md}. A missing or malformed setting is a {@link ConfigException} naming it;
 * no message ever contains a key or token.
 *
 * @param zulipSite the Zulip server's base URL, without {@code /api/v1}
 * @param zulipEmail the bot's Zulip email (the API user name)
 * @param zulipApiKey the bot's Zulip API key
 * @param gatewayUrl the gateway's base URL
 * @param gatewayToken the bot's gateway token (on-behalf scope)
 * @param expiryAction what to do with a reply once its codes expired
 * @param auditMode where audit notices go
 * @param auditChannel the fallback audit channel, or null when {@code auditMode} is {@link AuditMode#OFF}
 * @param auditTopic the audit topic
 * @param adminAddress where the admin HTTP port listens, or null for no admin port
 * @param clockSkewThreshold skew between the bot's clock and Zulip's {@code Date} that turns readiness degraded
 * @param backoffBase first wait after a 5xx or connection error; doubled each time, with jitter
 * @param backoffMax longest wait between two tries
 * @param sendRatePerSecond outbound rate guard: sustained Zulip requests per second (long poll excluded)
 * @param sendBurst outbound rate guard: requests allowed at once
 * @param membershipCacheTtl how long channel membership read from Zulip is trusted
 * @param requestTimeout timeout of one ordinary HTTP request (Zulip or gateway)
 * @param pollTimeout timeout of one long poll of {@code GET /events} (beyond Zulip's heartbeat interval)
 * @param maxInFlight most messages handled at once
 * @param shutdownGrace how long shutdown waits for in-flight replies
 * @param logFormat {@code MFAGATE_LOG_FORMAT} as found ({@code json} or {@code plain}), or null when unset
 * @param logLevel {@code MFAGATE_LOG_LEVEL} as found (a Logback level name), or null when unset
 */
public record BotConfig(
        URI zulipSite,
        String zulipEmail,
        Secret zulipApiKey,
        URI gatewayUrl,
        Secret gatewayToken,
        ExpiryAction expiryAction,
        AuditMode auditMode,
        String auditChannel,
        String auditTopic,
        InetSocketAddress adminAddress,
        Duration clockSkewThreshold,
        Duration backoffBase,
        Duration backoffMax,
        double sendRatePerSecond,
        int sendBurst,
        Duration membershipCacheTtl,
        Duration requestTimeout,
        Duration pollTimeout,
        int maxInFlight,
        Duration shutdownGrace,
        String logFormat,
        String logLevel) {

    /** Default admin port. */
    public static final int DEFAULT_ADMIN_PORT = 9465;
    /** Default audit topic, as the original bot used. */
    public static final String DEFAULT_AUDIT_TOPIC = "channel events";

    /** Checks the values that code (rather than {@link #load}) may build. */
    public BotConfig {
        Objects.requireNonNull(zulipSite, "zulipSite");
        Objects.requireNonNull(zulipEmail, "zulipEmail");
        Objects.requireNonNull(zulipApiKey, "zulipApiKey");
        Objects.requireNonNull(gatewayUrl, "gatewayUrl");
        Objects.requireNonNull(gatewayToken, "gatewayToken");
        Objects.requireNonNull(expiryAction, "expiryAction");
        Objects.requireNonNull(auditMode, "auditMode");
        Objects.requireNonNull(auditTopic, "auditTopic");
        if (auditMode != AuditMode.OFF && (auditChannel == null || auditChannel.isBlank())) {
            throw new IllegalArgumentException("auditChannel must be set when auditMode is " + auditMode);
        }
        if (sendRatePerSecond <= 0 || sendBurst < 1 || maxInFlight < 1) {
            throw new IllegalArgumentException("sendRatePerSecond, sendBurst and maxInFlight must be positive");
        }
        Objects.requireNonNull(backoffBase, "backoffBase");
        Objects.requireNonNull(backoffMax, "backoffMax");
        if (backoffBase.isNegative() || backoffBase.isZero() || backoffBase.compareTo(backoffMax) > 0) {
            throw new IllegalArgumentException("backoffBase " + backoffBase + " must be positive and at most backoffMax " + backoffMax);
        }
        if (LogSettings.formatRule(logFormat).isPresent() || LogSettings.levelRule(logLevel).isPresent()) {
            throw new IllegalArgumentException("logFormat must be json or plain and logLevel a level name");
        }
    }

    /** Reads the configuration from the process environment, {@code ./.env} if present, and {@code zuliprc} if given. */
    public static BotConfig load(Map<String, String> environment, Path dotEnv, Path zuliprc) throws ConfigException {
        Sources s = new Sources(environment, dotEnv == null ? Map.of() : readDotEnv(dotEnv), zuliprc == null ? Map.of() : readZuliprc(zuliprc));

        URI site = siteUrl(s.first("zulip site", List.of("ZULIP_SITE", "ZULIP_ORG_URL"), "site"));
        Setting email = required(s.first("zulip email", List.of("ZULIP_EMAIL", "ZULIP_BOT_EMAIL"), "email"));
        if (!email.value.contains("@") || email.value.chars().anyMatch(c -> c <= ' ')) {
            throw new ConfigException(email.name, "must be the bot's email address (user@host)");
        }
        Setting keySetting = required(s.first("zulip key", List.of("ZULIP_API_KEY", "ZULIP_BOT_TOKEN"), "key"));
        Secret key = secret(keySetting);

        URI gateway = httpUrl(required(s.first("gateway url", List.of("MFAGATE_GATEWAY_URL"), null)));
        Setting tokenSetting = required(s.first("gateway token", List.of("MFAGATE_GATEWAY_TOKEN"), null));
        Secret token = secret(tokenSetting);

        ExpiryAction expiry = enumOf(ExpiryAction.class, s.optional("MFAGATE_BOT_EXPIRY_ACTION"), ExpiryAction.DELETE);
        AuditMode audit = enumOf(AuditMode.class, s.optional("MFAGATE_BOT_AUDIT"), AuditMode.OFF);
        String auditChannel = textOrNull(s.optional("MFAGATE_BOT_AUDIT_CHANNEL"));
        if (audit != AuditMode.OFF && auditChannel == null) {
            throw new ConfigException("MFAGATE_BOT_AUDIT_CHANNEL", "is required when MFAGATE_BOT_AUDIT is " + audit.name().toLowerCase(Locale.ROOT));
        }
        String auditTopic = textOrNull(s.optional("MFAGATE_BOT_AUDIT_TOPIC"));

        InetSocketAddress admin = adminAddress(s.optional("MFAGATE_BOT_ADMIN_BIND"), s.optional("MFAGATE_BOT_ADMIN_PORT"));

        Duration backoffBase = millis(s.optional("MFAGATE_BOT_BACKOFF_BASE_MS"), 500, 1);
        Duration backoffMax = millis(s.optional("MFAGATE_BOT_BACKOFF_MAX_MS"), 60_000, 1);
        if (backoffBase.compareTo(backoffMax) > 0) {
            // Checked here, not only by Backoff, so that it is one line naming both settings and exit 2, not a stack trace.
            throw new ConfigException("MFAGATE_BOT_BACKOFF_BASE_MS", "must be at most MFAGATE_BOT_BACKOFF_MAX_MS ("
                    + backoffMax.toMillis() + ")");
        }

        // Refused here like every other malformed setting: a misspelt format would otherwise write no log at all.
        // Read here, not only by LogConfiguration, so that the .env file counts too: Main hands them on.
        Setting logFormat = s.optional(LogSettings.FORMAT);
        Setting logLevel = s.optional(LogSettings.LEVEL);
        refuse(logFormat, LogSettings.formatRule(logFormat.value));
        refuse(logLevel, LogSettings.levelRule(logLevel.value));

        return new BotConfig(site, email.value, key, gateway, token, expiry, audit, auditChannel,
                auditTopic == null ? DEFAULT_AUDIT_TOPIC : auditTopic, admin,
                millis(s.optional("MFAGATE_BOT_CLOCK_SKEW_THRESHOLD_MS"), 5_000, 1),
                backoffBase,
                backoffMax,
                positiveDouble(s.optional("MFAGATE_BOT_SEND_RATE"), 10.0),
                (int) positiveLong(s.optional("MFAGATE_BOT_SEND_BURST"), 30, 100_000),
                millis(s.optional("MFAGATE_BOT_MEMBERSHIP_CACHE_MS"), 60_000, 0),
                millis(s.optional("MFAGATE_BOT_REQUEST_TIMEOUT_MS"), 10_000, 1),
                millis(s.optional("MFAGATE_BOT_POLL_TIMEOUT_MS"), 120_000, 1),
                // As many as the default rate guard lets out at once (burst 30): more would only wait in the
                // guard, each holding its requests, answers and connections. Not fewer: under Zulip faults a
                // slow or lost request holds its slot until it times out.
                (int) positiveLong(s.optional("MFAGATE_BOT_MAX_IN_FLIGHT"), 32, 10_000),
                millis(s.optional("MFAGATE_BOT_SHUTDOWN_GRACE_MS"), 10_000, 0),
                logFormat.value, logLevel.value);
    }

    /** A copy with another admin address (tests use an ephemeral port). */
    public BotConfig withAdminAddress(InetSocketAddress address) {
        return new BotConfig(zulipSite, zulipEmail, zulipApiKey, gatewayUrl, gatewayToken, expiryAction, auditMode,
                auditChannel, auditTopic, address, clockSkewThreshold, backoffBase, backoffMax, sendRatePerSecond,
                sendBurst, membershipCacheTtl, requestTimeout, pollTimeout, maxInFlight, shutdownGrace, logFormat, logLevel);
    }

    // ---- parsing helpers -------------------------------------------------------------------------

    /** One looked-up setting: the name it was found under (for messages) and its raw value, or null. */
    record Setting(String name, String value) {}

    private record Sources(Map<String, String> env, Map<String, String> dotEnv, Map<String, String> zuliprc) {
        Setting first(String what, List<String> envNames, String zuliprcKey) {
            for (String n : envNames) {
                String v = env.get(n);
                if (v != null && !v.isBlank()) {
                    return new Setting(n, v.strip());
                }
            }
            for (String n : envNames) {
                String v = dotEnv.get(n);
                if (v != null && !v.isBlank()) {
                    return new Setting(n, v.strip());
                }
            }
            if (zuliprcKey != null) {
                String v = zuliprc.get(zuliprcKey);
                if (v != null && !v.isBlank()) {
                    return new Setting("zuliprc [api] " + zuliprcKey, v.strip());
                }
            }
            String names = String.join(" or ", envNames) + (zuliprcKey == null ? "" : " (or zuliprc [api] " + zuliprcKey + ")");
            return new Setting(names, null);
        }

        Setting optional(String name) {
            return first(name, List.of(name), null);
        }
    }

    private static Setting required(Setting s) throws ConfigException {
        if (s.value == null) {
            throw new ConfigException(s.name, "is required but not set");
        }
        return s;
    }

    private static Secret secret(Setting s) throws ConfigException {
        try {
            return Secret.of(s.value);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(s.name, e.getMessage());
        }
    }

    private static void refuse(Setting s, java.util.Optional<String> brokenRule) throws ConfigException {
        if (brokenRule.isPresent()) {
            throw new ConfigException(s.name, brokenRule.get());
        }
    }

    private static String textOrNull(Setting s) {
        return s.value == null ? null : s.value;
    }

    private static URI siteUrl(Setting s) throws ConfigException {
        required(s);
        String v = s.value;
        if (!v.contains("://")) {
            v = "https://" + v; // zuliprc files often name the host only, as Zulip's bindings allow
        }
        v = v.replaceAll("/+$", "");
        if (v.endsWith("/api/v1")) {
            v = v.substring(0, v.length() - "/api/v1".length());
        } else if (v.endsWith("/api")) {
            v = v.substring(0, v.length() - "/api".length());
        }
        return httpUrl(new Setting(s.name, v));
    }

    private static URI httpUrl(Setting s) throws ConfigException {
        try {
            URI u = new URI(s.value.replaceAll("/+$", ""));
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || u.getHost() == null) {
                throw new ConfigException(s.name, "must be an http:// or https:// URL with a host");
            }
            if (u.getUserInfo() != null || u.getQuery() != null || u.getFragment() != null) {
                throw new ConfigException(s.name, "must not contain user info, a query or a fragment");
            }
            return u;
        } catch (URISyntaxException e) {
            throw new ConfigException(s.name, "is not a valid URL (" + e.getReason() + ")");
        }
    }

    private static <E extends Enum<E>> E enumOf(Class<E> type, Setting s, E fallback) throws ConfigException {
        if (s.value == null) {
            return fallback;
        }
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(s.value)) {
                return e;
            }
        }
        StringBuilder allowed = new StringBuilder();
        for (E e : type.getEnumConstants()) {
            allowed.append(allowed.isEmpty() ? "" : ", ").append(e.name().toLowerCase(Locale.ROOT));
        }
        throw new ConfigException(s.name, "must be one of " + allowed);
    }

    private static Duration millis(Setting s, long fallback, long min) throws ConfigException {
        return Duration.ofMillis(s.value == null ? fallback : parseLong(s, min, 86_400_000L));
    }

    private static long positiveLong(Setting s, long fallback, long max) throws ConfigException {
        return s.value == null ? fallback : parseLong(s, 1, max);
    }

    private static long parseLong(Setting s, long min, long max) throws ConfigException {
        String v = s.value;
        if (v.isEmpty() || v.length() > 12 || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new ConfigException(s.name, "must be a whole number from " + min + " to " + max);
        }
        long n = Long.parseLong(v);
        if (n < min || n > max) {
            throw new ConfigException(s.name, "must be a whole number from " + min + " to " + max);
        }
        return n;
    }

    private static double positiveDouble(Setting s, double fallback) throws ConfigException {
        if (s.value == null) {
            return fallback;
        }
        try {
            double d = Double.parseDouble(s.value);
            if (!(d > 0 && d <= 1_000_000)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new ConfigException(s.name, "must be a number above 0 (requests per second)");
        }
    }

    private static InetSocketAddress adminAddress(Setting bind, Setting port) throws ConfigException {
        long p = port.value == null ? DEFAULT_ADMIN_PORT : parsePort(port);
        if (p < 0) {
            return null;
        }
        String host = bind.value == null ? "127.0.0.1" : bind.value;
        try {
            return new InetSocketAddress(InetAddress.getByName(host), (int) p);
        } catch (UnknownHostException e) {
            throw new ConfigException(bind.name, "must be an IP address or resolvable host name");
        }
    }

    private static long parsePort(Setting port) throws ConfigException {
        if (port.value.equals("off") || port.value.equals("-1")) {
            return -1;
        }
        return parseLong(port, 0, 65_535);
    }

    /**
     * Reads a {@code .env} file with the project's one strict reader ({@link DotEnv}): a malformed line, an
     * unclosed quote or a key given twice stops the bot at start, naming the file and line, never a value.
     */
    static Map<String, String> readDotEnv(Path file) throws ConfigException {
        try {
            return DotEnv.read(file);
        } catch (DotEnvException e) {
            throw new ConfigException(".env file", e.getMessage());
        } catch (IOException e) {
            throw new ConfigException(".env file", "cannot be read from " + file + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** Reads the {@code [api]} section of a zuliprc (INI) file. */
    static Map<String, String> readZuliprc(Path file) throws ConfigException {
        List<String> lines = readLines("zuliprc", file);
        Map<String, String> out = new HashMap<>();
        boolean inApi = false;
        boolean sawApi = false;
        for (String line : lines) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#") || t.startsWith(";")) {
                continue;
            }
            if (t.startsWith("[") && t.endsWith("]")) {
                inApi = t.substring(1, t.length() - 1).strip().equals("api");
                sawApi |= inApi;
                continue;
            }
            int eq = t.indexOf('=');
            if (eq < 0) {
                eq = t.indexOf(':');
            }
            if (inApi && eq > 0) {
                out.put(t.substring(0, eq).strip().toLowerCase(Locale.ROOT), unquote(t.substring(eq + 1).strip()));
            }
        }
        if (!sawApi) {
            throw new ConfigException("zuliprc", "has no [api] section (expected email, key and site under [api])");
        }
        return out;
    }

    private static List<String> readLines(String what, Path file) throws ConfigException {
        try {
            return BoundedFiles.readUtf8(file, DotEnv.MAX_FILE_SIZE_BYTES).lines().toList();
        } catch (BoundedFiles.TooLargeException e) {
            throw new ConfigException(what, "holds more than " + DotEnv.MAX_FILE_SIZE_BYTES + " bytes: " + file + " is not a " + what);
        } catch (IOException e) {
            throw new ConfigException(what, "cannot be read from " + file + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
            return v.substring(1, v.length() - 1);
        }
        return v;
    }
}
