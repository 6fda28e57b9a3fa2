package dev.mfagate.gateway.console;

/**
 * The page that asks for a passkey step-up before a sensitive act, or says in a sentence that the
 * person must register a passkey first.
 *
 * @param frame the frame
 * @param sentence why a step-up is asked for, in plain words
 * @param hasPasskey whether the person has a passkey to confirm with (else the page points to the Passkeys page)
 * @param then where to go after the step-up: {@code codes}, {@code enrol} or {@code passkeys}
 * @param error why the last step-up failed, or null
 */
public record StepUpPage(PageFrame frame, String sentence, boolean hasPasskey, String then, String error) {
}
