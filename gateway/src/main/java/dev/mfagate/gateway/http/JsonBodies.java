package dev.mfagate.gateway.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Writes the JSON body of a code response straight to the servlet response, with its length.
 *
 * <p><b>Why.</b> {@code ctx.json(...)} renders the body to a string, wraps it in a stream and has
 * Javalin copy that stream through an 8 KiB buffer made for each response: for a body of about
 * 200 bytes, that buffer and Jackson's own (kept per thread, so made afresh on each request's
 * virtual thread) were most of the bytes a code request allocated. Here the body is rendered
 * once into a byte array with Jackson's buffers taken from a pool shared by all threads, and
 * written with its {@code Content-Length}. Javalin's response compression is not applied, which
 * it would not be to a body this small anyway.
 *
 * <p>The output is what {@code ctx.json} gives for the API's records: a plain {@link ObjectMapper}
 * reading their Jackson annotations. Call it last in a handler: the response is committed.
 * Thread-safe; stateless but for the pool.
 */
public final class JsonBodies {

    private static final ObjectMapper MAPPER = new ObjectMapper(
            JsonFactory.builder().recyclerPool(JsonRecyclerPools.newBoundedPool(64)).build());

    private JsonBodies() {
    }

    /**
     * Renders each of {@code samples} once and drops the bytes, so that the serializers of their types
     * are built and cached before the first response needs them: for a record, Jackson reads its
     * annotations (a proxy class made for each annotation type) and builds the serializer in
     * interpreted code, about 30 ms of the first code request's CPU otherwise. For a start-up thread;
     * the samples must hold no secret (nothing is written anywhere). A failure is left to the first
     * response of that type, which meets it again and reports it.
     */
    public static void prepare(Object... samples) {
        for (Object sample : samples) {
            try {
                MAPPER.writeValueAsBytes(sample);
            } catch (IOException | RuntimeException e) {
                // Met again, and reported, by the first response of this type.
            }
        }
    }

    /** Renders {@code body} as JSON and writes it as the response, status as set (200 unless changed). */
    public static void write(Context ctx, Object body) throws IOException {
        byte[] bytes = MAPPER.writeValueAsBytes(body);
        HttpServletResponse res = ctx.res();
        res.setContentType("application/json");
        res.setContentLength(bytes.length);
        res.getOutputStream().write(bytes);
    }
}
