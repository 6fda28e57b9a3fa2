package dev.mfagate.gateway.cli;

import dev.mfagate.core.audit.AuditEvent;
import dev.mfagate.core.audit.AuditLog;
import dev.mfagate.core.audit.Outcome;
import dev.mfagate.core.store.Store;

/**
 * Puts an operator's change (seed added, token created, grant revoked...) on the audit chain, so
 * the trail shows who changed access as well as who used it. Never records a seed or token.
 */
final class AdminAudit {

    private AdminAudit() {
    }

    /** Who runs the command: the user behind {@code sudo} when there is one, else the account's name. */
    static String operator(CliContext cli) {
        String user = cli.env().get("SUDO_USER");
        if (user == null) {
            user = System.getProperty("user.name", "unknown");
        }
        return user.replaceAll("[^\\x21-\\x7e]", "?");
    }

    /**
     * Commits one {@code ADMIN} entry per label, each naming its label, in one batch or a few;
     * {@code detail} (the same for each) must hold no secret.
     */
    static void recordEach(CliContext cli, Store store, String action, java.util.List<String> labels, String detail) {
        try (AuditLog log = AuditLog.builder(store.database(), store.keyring().auditMac()).build()) {
            java.time.Instant now = cli.clock().instant();
            var queued = labels.stream().map(label -> log.append(AuditEvent.builder(now, Outcome.ADMIN)
                    .route("cli:" + action)
                    .label(label)
                    .reason(action)
                    .detail("by " + operator(cli) + (detail == null ? "" : "; " + detail))
                    .instanceId("cli")
                    .build())).toList();
            queued.forEach(AuditLog::await);
        }
    }

    /** Commits one {@code ADMIN} entry; {@code detail} must hold no secret. */
    static void record(CliContext cli, Store store, String action, String label, String detail) {
        try (AuditLog log = AuditLog.builder(store.database(), store.keyring().auditMac()).build()) {
            log.appendDurably(AuditEvent.builder(cli.clock().instant(), Outcome.ADMIN)
                    .route("cli:" + action)
                    .label(label)
                    .reason(action)
                    .detail("by " + operator(cli) + (detail == null ? "" : "; " + detail))
                    .instanceId("cli")
                    .build());
        }
    }
}
