package dev.mfagate.gateway.console;

/**
 * The break-glass operator's pages, reachable without the identity provider: sign-in with the
 * break-glass passkey, or (with the one-time code from {@code mfagate console break-glass enrol})
 * registering that passkey.
 *
 * @param frame the frame (nobody signed in)
 * @param enrol whether this is the enrolment form (else the sign-in)
 * @param notice what just happened, or null
 * @param error why the last attempt failed, or null
 */
public record BreakGlassPage(PageFrame frame, boolean enrol, String notice, String error) {
}
