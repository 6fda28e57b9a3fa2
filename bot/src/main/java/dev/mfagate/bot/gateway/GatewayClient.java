package dev.mfagate.bot.gateway;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mfagate.api.ErrorCode;
import dev.mfagate.api.LabelsResponse;
import dev.mfagate.api.OnBehalfOf;
import dev.mfagate.api.TotpResponse;
import dev.mfagate.bot.secret.Secret;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The bot's client of the gateway's HTTP API: {@code GET /totp/{client}/{service}} and {@code GET /labels}
 * on a person's behalf (the {@link OnBehalfOf} headers), and a reachability probe for readiness.
 *
 * <p>Every expected outcome is a {@link GatewayResult}: the code, a refusal named by the gateway's
 * {@link ErrorCode}, or unreachable. A connection error is retried twice with a short backoff before it
 * counts as unreachable; gateway refusals are never retried (the person decides). The token travels only in
 * the {@code Authorization} header; nothing here logs a response body, since a successful one holds a code.
 *
 * <p>Thread-safe; one instance serves the whole bot.
 */
public final class GatewayClient {
    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final int CONNECTION_TRIES = 3;

    private final String base;
    private final String authorization;
    private final Duration timeout;
    private final HttpClient http;
    private final Consumer<Duration> onRoundTrip;

    /** A client for the gateway at {@code baseUrl}, authenticating with {@code token}. */
    public GatewayClient(URI baseUrl, Secret token, Duration timeout) {
        this(baseUrl, token, timeout, d -> { });
    }

    /** As above, reporting the duration of every round trip that got an HTTP answer to {@code onRoundTrip} (metrics). */
    public GatewayClient(URI baseUrl, Secret token, Duration timeout, Consumer<Duration> onRoundTrip) {
        this.onRoundTrip = Objects.requireNonNull(onRoundTrip, "onRoundTrip");
        this.base = Objects.requireNonNull(baseUrl, "baseUrl").toString().replaceAll("/+$", "");
        this.authorization = "Bearer " + Objects.requireNonNull(token, "token").reveal();
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        // Virtual threads rather than the client's default cached pool of platform threads (one per request in flight).
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout)
                .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
    }

    /** The current code of {@code label} for {@code who}. */
    public GatewayResult<TotpResponse> code(RequestedLabel label, Requester who, String requestId) {
        String path = "/totp/" + pathSegment(label.client()) + "/" + pathSegment(label.service());
        return get(path, who, requestId, TotpResponse.class, false);
    }

    /** The labels {@code who} may ask for. */
    public GatewayResult<LabelsResponse> labels(Requester who, String requestId) {
        return get("/labels", who, requestId, LabelsResponse.class, true);
    }

    /** Whether the gateway answers HTTP at all (any status counts): the bot's readiness check. */
    public boolean reachable() {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/healthz")).timeout(timeout).GET().build();
            http.send(request, HttpResponse.BodyHandlers.discarding());
            return true;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Sends the request, again on a failure to connect (the request was not sent); on any other
     * failure (a timeout, a connection lost after the request went out) again only if
     * {@code resendWhenMaybeSent}: a code request may have reached the gateway then, and a code
     * issued, audited and counted against a daily cap would be issued a second time. The member asks
     * again instead. (A kept-alive connection the gateway closed before reading is retried by the
     * JDK's client itself for a GET.)
     */
    private <T> GatewayResult<T> get(String path, Requester who, String requestId, Class<T> type, boolean resendWhenMaybeSent) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout).GET()
                .header("Authorization", authorization)
                .header("Accept", "application/json")
                .header(OnBehalfOf.USER_ID, Integer.toString(who.userId()));
        if (isHeaderSafe(who.email()) && !who.email().isEmpty()) {
            b.header(OnBehalfOf.EMAIL, who.email());
        }
        if (!who.groupIds().isEmpty()) {
            b.header(OnBehalfOf.GROUPS, who.groupIds().stream().map(String::valueOf).collect(Collectors.joining(",")));
        }
        if (!who.channelIds().isEmpty()) {
            b.header(OnBehalfOf.CHANNEL_IDS, who.channelIds().stream().map(String::valueOf).collect(Collectors.joining(",")));
        }
        if (requestId != null && isHeaderSafe(requestId)) {
            b.header(OnBehalfOf.REQUEST_ID, requestId);
        }
        HttpRequest request = b.build();
        String lastProblem = "no attempt";
        for (int attempt = 0; attempt < CONNECTION_TRIES; attempt++) {
            try {
                long start = System.nanoTime();
                HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                onRoundTrip.accept(Duration.ofNanos(System.nanoTime() - start));
                return interpret(response, type);
            } catch (IOException e) {
                lastProblem = e.getClass().getSimpleName();
                boolean notSent = e instanceof java.net.ConnectException || e instanceof java.net.http.HttpConnectTimeoutException;
                if (!notSent && !resendWhenMaybeSent) {
                    return new GatewayResult.Unreachable<>(lastProblem);
                }
                try {
                    Thread.sleep(100L << attempt);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return new GatewayResult.Unreachable<>("interrupted");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new GatewayResult.Unreachable<>("interrupted");
            }
        }
        return new GatewayResult.Unreachable<>(lastProblem);
    }

    private static <T> GatewayResult<T> interpret(HttpResponse<byte[]> response, Class<T> type) {
        int status = response.statusCode();
        String requestId = response.headers().firstValue(OnBehalfOf.REQUEST_ID).orElse(null);
        if (status == 200) {
            try {
                return new GatewayResult.Ok<>(JSON.readValue(response.body(), type));
            } catch (IOException e) {
                return new GatewayResult.Unreachable<>("200 with a body that is not a " + type.getSimpleName());
            }
        }
        Optional<ErrorCode> code;
        String wire;
        Integer dailyCap = null;
        try {
            JsonNode body = JSON.readTree(response.body());
            JsonNode error = body == null ? JSON.missingNode() : body.path("error");
            wire = error.path("code").asText("");
            code = ErrorCode.fromWireCode(wire);
            if (error.path("daily_cap").canConvertToInt() && error.path("daily_cap").asInt() > 0) {
                dailyCap = error.path("daily_cap").asInt();
            }
        } catch (IOException e) {
            wire = "";
            code = Optional.empty();
        }
        if (code.isEmpty()) {
            // Not the gateway's error body (a proxy's error page, say): a 5xx means no usable gateway.
            if (status >= 500) {
                return new GatewayResult.Unreachable<>("HTTP " + status + " without a gateway error body");
            }
            return new GatewayResult.Refused<>(status == 429 ? Refusal.RATE_LIMITED : Refusal.BOT_MISCONFIGURED,
                    "http_" + status, retryAfter(response), requestId, null);
        }
        return new GatewayResult.Refused<>(Refusal.of(code.get()), wire, retryAfter(response), requestId, dailyCap);
    }

    private static Duration retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").flatMap(v -> {
            String t = v.strip();
            if (t.isEmpty() || t.length() > 9 || !t.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return Optional.empty();
            }
            return Optional.of(Duration.ofSeconds(Long.parseLong(t)));
        }).orElse(null);
    }

    /** Percent-encodes UTF-8 (spaces as {@code %20}, not {@code +}) for a path segment. */
    static String percentEncode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String pathSegment(String s) {
        return percentEncode(s);
    }

    private static boolean isHeaderSafe(String s) {
        return s.chars().allMatch(c -> c > ' ' && c < 0x7f) && s.length() <= 320;
    }
}
