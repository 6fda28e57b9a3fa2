package dev.mfagate.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuditJsonTest {

    private static final Instant T = Instant.parse("2026-12-07T01:02:03.456789Z");

    @Test
    void appendLines_batch_sameTextAsEachEntryAloneJoinedByNewlines() {
        List<AuditEntry> entries = List.of(
                new AuditEntry(1, AuditEvent.builder(T, Outcome.ALLOWED).requestId("r1").route("/totp/{client}/{service}")
                        .tokenId("abcdefghijklmnop").label("acme-aws").reason("code_issued").ruleId("token-scope")
                        .remoteAddress("127.0.0.1").instanceId("vm:1").build()),
                new AuditEntry(2, AuditEvent.builder(T, Outcome.DENIED).requestId("r2").zulipUser(42L, "ann@example.com")
                        .detail("quote \" backslash \\ caf\u00e9 \u2603").build()),
                new AuditEntry(3, AuditEvent.builder(T, Outcome.MALFORMED).build()));
        List<byte[]> macs = List.of(new byte[] {1, 2}, new byte[] {(byte) 0xff}, new byte[0]);
        StringBuilder lines = new StringBuilder("before|");

        AuditJson.appendLines(lines, entries, macs);

        assertThat(lines.toString()).isEqualTo("before|" + AuditJson.toJson(entries.get(0), macs.get(0)) + "\n"
                + AuditJson.toJson(entries.get(1), macs.get(1)) + "\n" + AuditJson.toJson(entries.get(2), macs.get(2)));
    }
}
