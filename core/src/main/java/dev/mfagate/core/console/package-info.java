/**
 * The web console's server-side state in the store: sign-ins under way ({@link
 * dev.mfagate.core.console.ConsoleSessions.PendingLogin}) and signed-in sessions, shared by every
 * gateway instance on the same store. The HTTP side (cookies, OIDC, pages) lives in the gateway.
 */
package dev.mfagate.core.console;
