package dev.mfagate.gateway.console;

import java.util.List;

/**
 * The "Passkeys" page: the person's passkeys with their times, a form to register another, and a
 * remove button on each (removing needs a step-up).
 *
 * @param frame the frame
 * @param rows one per passkey, oldest first
 * @param notice what the last change did, or null
 * @param error why the last change was refused, or null
 */
public record PasskeysPage(PageFrame frame, List<Row> rows, String notice, String error) {

    /** Copies. */
    public PasskeysPage {
        rows = List.copyOf(rows);
    }

    /**
     * One passkey.
     *
     * @param id its credential id (base64url; not secret)
     * @param name the name its owner gave it
     * @param created when it was registered (UTC, to the minute)
     * @param lastUsed when it last confirmed a sign-in or step-up, or "never"
     */
    public record Row(String id, String name, String created, String lastUsed) {
    }
}
