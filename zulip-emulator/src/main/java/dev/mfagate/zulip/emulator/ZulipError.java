package dev.mfagate.zulip.emulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A failure that the emulator answers the way Zulip does: an HTTP status and a JSON body
 * {@code {"result":"error","msg":...,"code":...}} plus any extra fields Zulip adds for that error.
 * Thrown from handlers and mapped to a response in one place.
 */
final class ZulipError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int status;
    final String code;
    private final transient Map<String, Object> extra = new LinkedHashMap<>();

    ZulipError(int status, String code, String msg) {
        super(msg, null, false, false);
        this.status = status;
        this.code = code;
    }

    ZulipError with(String field, String value) {
        extra.put(field, value);
        return this;
    }

    ZulipError with(String field, int value) {
        extra.put(field, value);
        return this;
    }

    ObjectNode body() {
        return Json.tree(new Responses.Failure(getMessage(), code, extra));
    }

    static ZulipError badRequest(String msg) {
        return new ZulipError(400, "BAD_REQUEST", msg);
    }

    static ZulipError missingArgument(String name) {
        return new ZulipError(400, "REQUEST_VARIABLE_MISSING", "Missing '" + name + "' argument").with("var_name", name);
    }

    static ZulipError invalidMessage() {
        return badRequest("Invalid message(s)");
    }

    static ZulipError badEventQueue(String queueId) {
        return new ZulipError(400, "BAD_EVENT_QUEUE_ID", "Bad event queue ID: " + queueId).with("queue_id", queueId);
    }

    static ZulipError unauthorized(String msg) {
        return new ZulipError(401, "UNAUTHORIZED", msg);
    }
}
