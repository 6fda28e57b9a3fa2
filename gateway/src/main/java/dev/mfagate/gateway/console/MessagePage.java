package dev.mfagate.gateway.console;

/**
 * A page that says one thing: the sign-in page, or an error in plain words.
 *
 * @param frame the frame
 * @param heading the heading
 * @param message a plain sentence, or null
 * @param signInLink whether to offer the sign-in link
 * @param error whether the message reports a failure (announced to screen readers, in the error colour)
 */
public record MessagePage(PageFrame frame, String heading, String message, boolean signInLink, boolean error) {
}
