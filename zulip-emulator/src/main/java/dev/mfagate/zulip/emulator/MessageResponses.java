package dev.mfagate.zulip.emulator;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** The bodies of the message endpoints: send, read one, history, edit. Immutable records written by {@link Json#MAPPER}. */
final class MessageResponses {

    private MessageResponses() {}

    /** {@code POST /messages}: the new message's id. */
    record Sent(int id) implements Responses.Success {}

    /** {@code GET /messages/{id}}. */
    record OneMessage(String rawContent, Wire.Message message) implements Responses.Success {}

    /** {@code GET /messages} with {@code message_ids}: those of the ids the caller may read. */
    record MessagesById(List<Wire.Message> messages) implements Responses.Success {
        MessagesById {
            messages = List.copyOf(messages);
        }
    }

    /** {@code GET /messages} around an anchor. */
    record MessageWindow(List<Wire.Message> messages, long anchor, boolean foundAnchor, boolean foundOldest,
            boolean foundNewest) implements Responses.Success {

        MessageWindow {
            messages = List.copyOf(messages);
        }

        @JsonProperty("history_limited")
        boolean historyLimited() {
            return false;
        }
    }

    /** {@code PATCH /messages/{id}}: the emulator has no uploads to detach. */
    record Edited() implements Responses.Success {
        @JsonProperty("detached_uploads")
        List<Object> detachedUploads() {
            return List.of();
        }
    }
}
