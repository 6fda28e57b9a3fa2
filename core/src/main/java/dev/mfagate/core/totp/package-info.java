/**
 * TOTP (RFC 6238): seeds, their parameters, and {@link dev.mfagate.core.totp.TotpGenerator}, which
 * computes codes for an instant the caller passes in.
 */
package dev.mfagate.core.totp;
