package dev.mfagate.zulip.emulator;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.time.Clock;
import java.util.function.Supplier;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Draws the fault for each API request in front of Javalin, so that a dropped connection never reaches it:
 * the socket is reset (SO_LINGER 0, then closed) and no byte of a response is written. Other faults are
 * passed on as a request attribute for the emulator's before-handler.
 */
final class FaultHandler extends Handler.Wrapper {
    static final String ATTRIBUTE = "mfagate.fault";

    private final Faults faults;
    private final Supplier<Clock> clock;

    FaultHandler(Faults faults, Supplier<Clock> clock) {
        this.faults = faults;
        this.clock = clock;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        if (path.startsWith(Api.PREFIX + "/")) {
            FaultKind fault = faults.draw(request.getMethod(), path.substring(Api.PREFIX.length()), clock.get().instant());
            if (fault == FaultKind.DROP_CONNECTION) {
                reset(request.getConnectionMetaData().getConnection().getEndPoint());
                // The exchange is over: nothing can be written to a reset socket, and nothing should be.
                callback.succeeded();
                return true;
            }
            if (fault != null) {
                request.setAttribute(ATTRIBUTE, fault);
            }
        }
        return super.handle(request, response, callback);
    }

    /** A reset rather than an orderly close: HTTP clients retry an idempotent request whose connection merely closed. */
    private static void reset(EndPoint endPoint) {
        if (endPoint.getTransport() instanceof SocketChannel channel) {
            try {
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            } catch (IOException e) {
                // The socket is going away either way; an orderly close is the fallback.
            }
        }
        endPoint.close(new IOException("connection dropped by fault injection"));
    }
}
