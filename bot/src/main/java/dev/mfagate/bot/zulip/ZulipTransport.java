package dev.mfagate.bot.zulip;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mfagate.bot.secret.Secret;
import dev.mfagate.bot.zulip.wire.Wire;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the bot's requests reach Zulip, whatever the endpoint: HTTP Basic auth with the bot's email and API key;
 * form-encoded bodies; the outbound {@link RateGuard} (every request but the long poll, in this transport's
 * {@linkplain RateGuard.Lane lane}); a {@code 429} retried after its {@code Retry-After}; a 5xx or a connection
 * error retried after an exponential {@link Backoff} with jitter, until the retry budget is spent; other 4xx
 * final ({@link ZulipException}); the {@code Date} of every prompt answer (not a long poll's) reported to the
 * {@link ZulipListener} with the local time from the {@link Clock} it is given, for the clock-skew watch.
 * A success body ({@code "result": "success"}) is read into a {@link Wire} record.
 *
 * <p>A request that is not idempotent (posting a message: Zulip has no idempotency key for it) is never
 * blindly sent again after an attempt whose outcome is unknown: a timeout, a connection that failed after it
 * was made (the request may have been written and stored), or a 5xx (a proxy's 502/504 can hide a stored
 * message). Before the next attempt, and before giving up, the caller's {@link Landed} check looks for the
 * message; if it landed, its id is the answer and nothing is sent again. A connection that was never made
 * ({@link ConnectException}, a connect timeout) and a 429 are known not to have reached Zulip and are retried
 * as usual.
 *
 * <p>Thread-safe: one instance serves the whole bot. Lifecycle: create, use, {@link #close()}; a
 * {@link #housekeeping()} view shares the connections and is closed with it.
 */
final class ZulipTransport implements AutoCloseable {

    /** Logs under the client's name, as before the split, so that log settings and searches keep working. */
    private static final Logger LOG = LoggerFactory.getLogger(ZulipClient.class);
    private static final String USER_AGENT = "mfagate-bot/0.1";

    private final URI apiBase;
    private final String authorization;
    private final ZulipClient.Settings settings;
    private final ZulipListener listener;
    private final Clock clock;
    private final HttpClient http;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The transport this one is a view of, or null. */
    private final ZulipTransport parent;
    private final RateGuard.Lane lane;
    /** How long one call may keep retrying; the settings' budget unless a view set a shorter one. */
    private final Duration retryBudget;

    ZulipTransport(URI site, String email, Secret apiKey, ZulipClient.Settings settings, ZulipListener listener, Clock clock) {
        Objects.requireNonNull(site, "site");
        Objects.requireNonNull(email, "email");
        Objects.requireNonNull(apiKey, "apiKey");
        this.apiBase = URI.create(site.toString().replaceAll("/+$", "") + "/api/v1");
        this.authorization = "Basic " + Base64.getEncoder().encodeToString((email + ":" + apiKey.reveal()).getBytes(StandardCharsets.UTF_8));
        this.settings = Objects.requireNonNull(settings, "settings");
        this.listener = listener == null ? ZulipListener.NONE : listener;
        this.clock = Objects.requireNonNull(clock, "clock");
        // The client's own work (reading answers, completing the caller's wait) on virtual threads: its default
        // executor is a cached pool of platform threads, one per request in flight, about 40 after a burst of DMs.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(settings.requestTimeout())
                .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
        this.parent = null;
        this.lane = RateGuard.Lane.REPLY;
        this.retryBudget = settings.retryBudget();
    }

    private ZulipTransport(ZulipTransport base, RateGuard.Lane lane) {
        this(base, lane, base.retryBudget);
    }

    private ZulipTransport(ZulipTransport base, RateGuard.Lane lane, Duration retryBudget) {
        this.apiBase = base.apiBase;
        this.authorization = base.authorization;
        this.settings = base.settings;
        this.listener = base.listener;
        this.clock = base.clock;
        this.http = base.http;
        this.parent = base;
        this.lane = lane;
        this.retryBudget = Objects.requireNonNull(retryBudget, "retryBudget");
    }

    /** This transport, in the same lane and sharing its connections, with calls that stop retrying after {@code budget}. */
    ZulipTransport withRetryBudget(Duration budget) {
        return new ZulipTransport(this, lane, budget);
    }

    /** This transport in the housekeeping lane of the rate guard, sharing its connections. */
    ZulipTransport housekeeping() {
        return new ZulipTransport(this, RateGuard.Lane.HOUSEKEEPING);
    }

    /** Stops retries in progress, drops requests waiting in the rate guard and refuses new requests. */
    @Override
    public void close() {
        closed.set(true);
        settings.rateGuard().wakeAll();
    }

    boolean isClosed() {
        return closed.get() || (parent != null && parent.isClosed());
    }

    /**
     * Sends one request, retrying transient failures, and reads the success body as {@code type}.
     *
     * @param query query parameters (may be empty)
     * @param form form body, or null for none
     * @param longPoll whether this is the long poll: its own timeout, no rate guard, no clock reading
     * @throws ZulipException when Zulip refuses for good, the answer is not Zulip's, the budget is spent, or closed
     */
    <T> T call(String method, String path, Map<String, String> query, Map<String, String> form, boolean longPoll, Class<T> type)
            throws ZulipException {
        return read(call(method, path, query, form, longPoll, (Landed) null), method, path, type);
    }

    /** Looks for what an unanswered send may have posted: the id of the message, or empty if it did not land. */
    @FunctionalInterface
    interface Landed {
        OptionalLong find() throws ZulipException;
    }

    /**
     * Posts a message ({@code POST path} with {@code form}), sending it at most once: after an attempt whose
     * outcome is unknown, {@code landed} is asked first and a message it finds is the answer.
     *
     * @return the success body, or {@code {"result":"success","msg":"","id":...}} for a message found by {@code landed}
     */
    <T> T send(String path, Map<String, String> form, Landed landed, Class<T> type) throws ZulipException {
        return read(call("POST", path, Map.of(), form, false, Objects.requireNonNull(landed, "landed")), "POST", path, type);
    }

    private static <T> T read(JsonNode body, String method, String path, Class<T> type) throws ZulipException {
        try {
            return Wire.MAPPER.treeToValue(body, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new ZulipException(200, "BAD_RESPONSE", method + " " + template(path) + " answered a body that is not a "
                    + type.getSimpleName());
        }
    }

    private JsonNode call(String method, String path, Map<String, String> query, Map<String, String> form, boolean longPoll,
                          Landed landed) throws ZulipException {
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
        // Elapsed time, not wall time: a monotonic clock, so that a clock step cannot stretch or cut the budget.
        long deadline = System.nanoTime() + retryBudget.toNanos();
        int failures = 0;
        // Whether an attempt of a send may have posted the message: then it is looked for before sending again.
        boolean unknown = false;
        while (true) {
            if (isClosed()) {
                throw new ZulipException(0, "CLOSED", "Zulip client closed; " + method + " " + template(path) + " not sent");
            }
            if (unknown) {
                Optional<JsonNode> found = landed(landed, method, path, failures);
                if (found.isPresent()) {
                    return found.get();
                }
                unknown = false;
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
                    unknown = landed != null;
                } else {
                    JsonNode body = parse(response.body(), status, method, path);
                    if (status >= 200 && status < 300 && "success".equals(body.path("result").asText())) {
                        return body;
                    }
                    throw new ZulipException(status, body.path("code").asText("BAD_REQUEST"),
                            "Zulip refused " + method + " " + template(path) + ": " + status + " " + body.path("code").asText("")
                                    + " " + oneLine(body.path("msg").asText("")));
                }
            } catch (ConnectException | HttpConnectTimeoutException e) {
                // No connection, so no request reached Zulip.
                kind = "connection";
                wait = settings.backoff().delay(failures);
            } catch (IOException e) {
                // A timeout or a connection lost once made: the request may have been written and acted on.
                kind = "connection";
                wait = settings.backoff().delay(failures);
                unknown = landed != null;
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
                if (unknown) {
                    Optional<JsonNode> found = landed(landed, method, path, failures);
                    if (found.isPresent()) {
                        return found.get();
                    }
                }
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

    /** Asks {@code landed} whether an unanswered send posted its message; a success body with its id if it did. */
    private static Optional<JsonNode> landed(Landed landed, String method, String path, int failures) throws ZulipException {
        OptionalLong id = landed.find();
        if (id.isEmpty()) {
            LOG.info("Zulip {} {}: the unanswered attempt did not post the message; sending it again", method, template(path));
            return Optional.empty();
        }
        LOG.info("Zulip {} {}: the unanswered attempt posted message {}; not sending it again (after {} failures)", method,
                template(path), id.getAsLong(), failures);
        ObjectNode body = Wire.MAPPER.createObjectNode();
        body.put("result", "success");
        body.put("msg", "");
        body.put("id", id.getAsLong());
        return Optional.of(body);
    }

    private void noteDate(HttpResponse<?> response) {
        Optional<String> date = response.headers().firstValue("Date");
        if (date.isPresent()) {
            try {
                listener.onServerDate(ZonedDateTime.parse(date.get(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant(), clock.instant());
            } catch (DateTimeParseException ignored) {
                // A malformed Date header says nothing about the clock; skip it.
            }
        }
    }

    /** The wait a 429 asks for: the {@code Retry-After} header (seconds), else the body's {@code retry-after}, else 1 s; at most an hour. */
    static Duration retryAfter(HttpResponse<String> response) {
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
                seconds = Wire.MAPPER.readTree(response.body()).path("retry-after").asDouble(-1);
            } catch (JsonProcessingException | IllegalArgumentException ignored) {
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
            JsonNode node = Wire.MAPPER.readTree(text);
            if (node == null || !node.isObject()) {
                throw new ZulipException(status, "BAD_RESPONSE", method + " " + template(path) + " answered " + status + " without a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new ZulipException(status, "BAD_RESPONSE", method + " " + template(path) + " answered " + status + " with malformed JSON");
        }
    }

    /** The path with ids replaced, so that log lines group by endpoint. */
    static String template(String path) {
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
}
