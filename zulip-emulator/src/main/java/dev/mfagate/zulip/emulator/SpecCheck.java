package dev.mfagate.zulip.emulator;

import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds every exchange the emulator serves to Zulip's OpenAPI description ({@link ZulipSpecValidator}) when
 * switched on, and keeps what it found for the tests to read. Thread-safe.
 */
final class SpecCheck {
    private static final Logger LOG = LoggerFactory.getLogger(ZulipEmulator.class);
    /** Marks a request answered with an injected 5xx, which the description does not cover. */
    static final String INJECTED_ERROR = "mfagate.injected-error";

    private final boolean enabled;
    private final List<SpecViolation> violations = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger validatedExchanges = new AtomicInteger();

    SpecCheck(boolean enabled) {
        this.enabled = enabled;
        if (enabled) {
            ZulipSpecValidator.shared();
        }
    }

    /** Checks the request and response just served, if switched on. */
    void check(Context ctx) {
        if (!enabled) {
            return;
        }
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String name : Collections.list(ctx.req().getHeaderNames())) {
            headers.put(name, Collections.list(ctx.req().getHeaders(name)));
        }
        // An injected 5xx stands for a proxy or a crash, which the description does not cover; only the request is checked.
        boolean injected = ctx.attribute(INJECTED_ERROR) != null;
        ApiExchange exchange = new ApiExchange(ctx.method().name(), ctx.path(), ctx.queryString(), headers, ctx.body(),
                injected ? 0 : ctx.statusCode(), ctx.res().getContentType(), ctx.result());
        List<SpecViolation> found = ZulipSpecValidator.shared().validate(exchange);
        violations.addAll(found);
        validatedExchanges.incrementAndGet();
        if (!found.isEmpty()) {
            LOG.warn("Spec violations in {} {}: {}", ctx.method(), ctx.path(), found);
        }
    }

    List<SpecViolation> report() {
        synchronized (violations) {
            return List.copyOf(violations);
        }
    }

    void clear() {
        violations.clear();
    }

    int checkedCount() {
        return validatedExchanges.get();
    }

    void assertNone() {
        if (!enabled) {
            throw new IllegalStateException("spec validation is off; build the emulator with validateAgainstSpec(true)");
        }
        List<SpecViolation> found = report();
        if (!found.isEmpty()) {
            throw new AssertionError(found.size() + " exchange(s) broke Zulip's OpenAPI description ("
                    + validatedExchanges.get() + " checked):\n  "
                    + found.stream().map(SpecViolation::toString).collect(Collectors.joining("\n  ")));
        }
    }
}
