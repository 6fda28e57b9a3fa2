/**
 * Issuing a code: the one path every door (API route, bot on behalf of a Zulip user, later the
 * web console) takes. {@link dev.mfagate.core.issue.CodeIssuer} runs lockout, rate limits, policy,
 * the sealed seed row, the audit commit, the decryption and the TOTP computation, in that order,
 * and returns an {@link dev.mfagate.core.issue.IssueResult}; every refusal is a
 * {@link dev.mfagate.core.issue.RefusalReason}, which each door maps to its own words.
 */
package dev.mfagate.core.issue;
