package dev.mfagate.gateway.http;

import dev.mfagate.api.ErrorCode;
import dev.mfagate.core.issue.RefusalReason;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's error handler, replaced so that requests Jetty rejects before they reach a route
 * (ambiguous or encoded path separators, over-long request lines, oversized headers, bad
 * encodings) still get the gateway's JSON error body and never an HTML page or stack trace.
 */
public final class JsonErrorHandler extends ErrorHandler {

    /** Told of every request refused here, so it can be audited. */
    @FunctionalInterface
    public interface RejectionListener {
        /**
         * @param remoteAddress the peer, or null when unknown
         * @param reason why it was refused
         * @param requestId the id the answer carries, for the audit entry
         */
        void rejected(String remoteAddress, RefusalReason reason, String requestId);
    }

    private final RejectionListener listener;

    /** @param listener told of every refusal; must not block */
    public JsonErrorHandler(RejectionListener listener) {
        this.listener = listener;
    }

    private static final HttpField JSON = new HttpField(HttpHeader.CONTENT_TYPE, "application/json");

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus();
        if (status < 400) {
            Object attr = request.getAttribute(ERROR_STATUS);
            status = attr instanceof Integer i ? i : 500;
        }
        RefusalReason reason = ErrorMapping.forStatus(status);
        ErrorCode code = ErrorMapping.errorCode(reason);
        String remote = null;
        if (request.getConnectionMetaData().getRemoteSocketAddress() instanceof java.net.InetSocketAddress a) {
            remote = a.getAddress().getHostAddress();
        }
        // A connection already closed here was dropped by the gateway itself (a request header
        // timeout, a connection guard), which counted it; the error Jetty raises for the broken
        // exchange afterwards answers no one and is not a refusal of its own.
        // Its own id, as every other answer has, and the same in the audit entry: before, these bodies had none.
        String requestId = RequestIds.create();
        if (request.getConnectionMetaData().getConnection().getEndPoint().isOpen()) {
            listener.rejected(remote, reason, requestId);
        }
        response.setStatus(status);
        response.getHeaders().put(JSON);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(ErrorResponses.body(code, ErrorResponses.messageFor(code), requestId)), callback);
        return true;
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(JSON);
        RefusalReason refusal = ErrorMapping.forStatus(status);
        ErrorCode code = ErrorMapping.errorCode(refusal);
        String requestId = RequestIds.create();
        listener.rejected(null, refusal, requestId);
        return ByteBuffer.wrap(ErrorResponses.body(code, ErrorResponses.messageFor(code), requestId));
    }
}
