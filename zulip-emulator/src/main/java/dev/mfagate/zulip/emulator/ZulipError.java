package dev.mfagate.zulip.emulator;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A failure that the emulator answers the way Zulip does: an HTTP status and a JSON body
 * {@code {"result":"error","msg":...,"code":...}} plus any extra fields Zulip adds for that error.
 * Thrown from handlers and mapped to a response in one place.
 */
final class ZulipError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int status;
    final String code;
    final transient ObjectNode extra;

    ZulipError(int status, String code, String msg) {
        super(msg, null, false, false);
        this.status = status;
        this.code = code;
        this.extra = Json.object();
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
        ObjectNode body = Json.object();
        body.put("result", "error");
        body.put("msg", getMessage());
        body.put("code", code);
        body.setAll(extra);
        return body;
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
