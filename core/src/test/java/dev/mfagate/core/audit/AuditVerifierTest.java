package dev.mfagate.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.core.crypto.ChainMac;
import dev.mfagate.core.store.Database;
import dev.mfagate.core.testing.PolicyTestDatabases;
import dev.mfagate.core.testing.PolicyTestDatabases.Backend;
import dev.mfagate.core.testing.RandomKeyChainMac;
import java.time.Instant;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Tampering done directly with SQL on a SQLite file, as someone with file access could. */
class AuditVerifierTest {

    @RegisterExtension
    static final PolicyTestDatabases DBS = new PolicyTestDatabases();

    static final Instant T0 = Instant.parse("2025-11-02T10:00:00Z");
    /** Shifts seqs out of the way and back, since seq is a primary key. */
    static final long FAR = 1_000_000;

    final ChainMac mac = new RandomKeyChainMac();
    Database db;

    @BeforeEach
    void tenEntries() {
        db = DBS.fresh(Backend.SQLITE).db();
        try (AuditLog log = AuditLog.builder(db, mac).build()) {
            for (int i = 1; i <= 10; i++) {
                log.appendDurably(AuditEvent.builder(T0.plusSeconds(i), Outcome.ALLOWED)
                        .requestId("r" + i).tokenId("bot").label("acme-aws").build());
            }
        }
    }

    VerificationResult verify() {
        return new AuditVerifier(db, mac).verify();
    }

    void sql(String... statements) {
        db.jdbi().useHandle(h -> {
            for (String s : statements) {
                h.execute(s);
            }
        });
    }

    @Test
    void verify_untouched_intactWithCount() {
        assertThat(verify()).isEqualTo(new VerificationResult.Intact(10));
    }

    @Test
    void verify_emptyChain_intactZero() {
        db = DBS.fresh(Backend.SQLITE).db();
        assertThat(verify()).isEqualTo(new VerificationResult.Intact(0));
    }

    @Test
    void verify_fieldEdited_editedAtThatSeq() {
        sql("UPDATE audit_entry SET outcome = 'DENIED' WHERE seq = 4");
        assertThat(verify()).isEqualTo(new VerificationResult.Edited(4));
    }

    @Test
    void verify_nullFieldFilledIn_edited() {
        sql("UPDATE audit_entry SET zulip_user_id = 7 WHERE seq = 9");
        assertThat(verify()).isEqualTo(new VerificationResult.Edited(9));
    }

    @Test
    void verify_prevMacEdited_edited() {
        sql("UPDATE audit_entry SET prev_mac = X'00' WHERE seq = 6");
        assertThat(verify()).isEqualTo(new VerificationResult.Edited(6));
    }

    @Test
    void verify_lastEntryEdited_edited() {
        sql("UPDATE audit_entry SET label = 'beta-aws' WHERE seq = 10");
        assertThat(verify()).isEqualTo(new VerificationResult.Edited(10));
    }

    @Test
    void verify_wrongKey_editedAtFirstEntry() {
        assertThat(new AuditVerifier(db, new RandomKeyChainMac()).verify()).isEqualTo(new VerificationResult.Edited(1));
    }

    @Test
    void verify_entryDeleted_deletedWithGap() {
        sql("DELETE FROM audit_entry WHERE seq = 4");
        assertThat(verify()).isEqualTo(new VerificationResult.Deleted(3, 4, 4));
    }

    @Test
    void verify_firstEntriesDeleted_deletedAfterZero() {
        sql("DELETE FROM audit_entry WHERE seq <= 2");
        assertThat(verify()).isEqualTo(new VerificationResult.Deleted(0, 1, 2));
    }

    @Test
    void verify_entriesDeletedAndRestRenumbered_deleted() {
        sql("DELETE FROM audit_entry WHERE seq IN (4, 5)",
                "UPDATE audit_entry SET seq = seq + " + FAR + " WHERE seq > 5",
                "UPDATE audit_entry SET seq = seq - " + FAR + " - 2 WHERE seq > " + FAR,
                "UPDATE audit_head SET seq = 8");
        assertThat(verify()).isEqualTo(new VerificationResult.Deleted(3, 4, 5));
    }

    @Test
    void verify_forgedEntryInsertedWithCopiedLink_insertedAtThatSeq() {
        sql("UPDATE audit_entry SET seq = seq + " + FAR + " WHERE seq >= 5",
                "UPDATE audit_entry SET seq = seq - " + FAR + " + 1 WHERE seq > " + FAR,
                "INSERT INTO audit_entry (seq, time_us, outcome, prev_mac, mac) "
                        + "SELECT 5, time_us, 'ALLOWED', mac, X'0102' FROM audit_entry WHERE seq = 4");
        assertThat(verify()).isEqualTo(new VerificationResult.Inserted(5));
    }

    @Test
    void verify_forgedEntryInsertedWithGarbageLink_inserted() {
        sql("UPDATE audit_entry SET seq = seq + " + FAR + " WHERE seq >= 5",
                "UPDATE audit_entry SET seq = seq - " + FAR + " + 1 WHERE seq > " + FAR,
                "INSERT INTO audit_entry (seq, time_us, outcome, prev_mac, mac) VALUES (5, 1, 'ALLOWED', X'AA', X'BB')");
        assertThat(verify()).isEqualTo(new VerificationResult.Inserted(5));
    }

    @Test
    void verify_entryAppendedPastHead_inserted() {
        sql("INSERT INTO audit_entry (seq, time_us, outcome, prev_mac, mac) "
                + "SELECT 11, time_us, 'ALLOWED', mac, X'0102' FROM audit_entry WHERE seq = 10");
        assertThat(verify()).isEqualTo(new VerificationResult.Inserted(11));
    }

    @Test
    void verify_adjacentEntriesSwapped_reorderedAtFirst() {
        swap(4, 5);
        assertThat(verify()).isEqualTo(new VerificationResult.Reordered(4));
    }

    @Test
    void verify_distantEntriesSwapped_reorderedAtFirst() {
        swap(3, 8);
        assertThat(verify()).isEqualTo(new VerificationResult.Reordered(3));
    }

    @Test
    void verify_tailTruncated_truncatedWithHeadAndLastSeq() {
        sql("DELETE FROM audit_entry WHERE seq >= 8");
        assertThat(verify()).isEqualTo(new VerificationResult.Truncated(10, 7));
    }

    @Test
    void verify_tailTruncatedAndHeadDeleted_headMissing() {
        sql("DELETE FROM audit_entry WHERE seq >= 8", "DELETE FROM audit_head");
        VerificationResult result = verify();
        assertThat(result).isEqualTo(new VerificationResult.HeadMissing(7));
        assertThat(result.describe()).contains("tail may have been truncated");
    }

    @Test
    void verify_headResetToEmpty_headMissing() {
        sql("UPDATE audit_head SET seq = 0, mac = X'', head_mac = NULL");
        assertThat(verify()).isEqualTo(new VerificationResult.HeadMissing(10));
    }

    @Test
    void verify_tailTruncatedAndHeadRewound_headInvalid() {
        sql("DELETE FROM audit_entry WHERE seq >= 8",
                "UPDATE audit_head SET seq = 7, mac = (SELECT mac FROM audit_entry WHERE seq = 7)");
        assertThat(verify()).isEqualTo(new VerificationResult.HeadInvalid(7));
    }

    @Test
    void verify_eachProblem_hasDistinctKind() {
        sql("UPDATE audit_entry SET outcome = 'DENIED' WHERE seq = 2");
        assertThat(verify().kind()).isEqualTo(VerificationResult.Kind.EDITED);
        assertThat(verify().describe()).isEqualTo("EDITED: entry 2 was modified");
    }

    /** Exchanges the contents (everything but seq) of two entries. */
    void swap(long a, long b) {
        db.jdbi().useTransaction((Handle h) -> {
            h.execute("UPDATE audit_entry SET seq = " + FAR + " WHERE seq = " + a);
            h.execute("UPDATE audit_entry SET seq = " + a + " WHERE seq = " + b);
            h.execute("UPDATE audit_entry SET seq = " + b + " WHERE seq = " + FAR);
        });
    }

    /** The anchor of entry {@code seq} as it is stored now. */
    AuditAnchor anchorOf(long seq) {
        byte[] m = db.jdbi().withHandle(h -> h.createQuery("SELECT mac FROM audit_entry WHERE seq = :s").bind("s", seq)
                .mapTo(byte[].class).one());
        return new AuditAnchor(seq, java.util.HexFormat.of().formatHex(m));
    }

    @Test
    void verifyWithAnchors_chainHoldsThem_intact() {
        assertThat(new AuditVerifier(db, mac).verify(java.util.List.of(anchorOf(3), anchorOf(10), anchorOf(3))))
                .isEqualTo(new VerificationResult.Intact(10));
    }

    @Test
    void verifyWithAnchors_tailCutAndOlderGenuineHeadPutBack_rolledBackWhereVerifyAloneSeesNothing() {
        AuditAnchor tenth = anchorOf(10);
        byte[][] headAt7 = {null, null};
        // Someone read the head when entry 7 was the last; simulated by making that head with the key.
        byte[] mac7 = anchorOf(7).mac();
        headAt7[0] = mac7;
        headAt7[1] = mac.computeMac(ChainRow.headBytes(7, mac7));
        db.jdbi().useHandle(h -> {
            h.execute("DELETE FROM audit_entry WHERE seq > 7");
            h.createUpdate("UPDATE audit_head SET seq = 7, mac = :m, head_mac = :hm WHERE id = 1")
                    .bind("m", headAt7[0]).bind("hm", headAt7[1]).execute();
        });
        assertThat(verify()).as("the database alone cannot tell").isEqualTo(new VerificationResult.Intact(7));
        VerificationResult anchored = new AuditVerifier(db, mac).verify(java.util.List.of(anchorOf(2), tenth));
        assertThat(anchored).isEqualTo(new VerificationResult.RolledBack(10, 7));
        assertThat(anchored.describe()).startsWith("ROLLED_BACK: anchored entry 10 is missing; the chain ends at entry 7");
    }

    @Test
    void verifyWithAnchors_entryAtTheSeqIsAnother_anchorMismatch() {
        AuditAnchor foreign = new AuditAnchor(5, anchorOf(6).macHex());
        assertThat(new AuditVerifier(db, mac).verify(java.util.List.of(foreign))).isEqualTo(new VerificationResult.AnchorMismatch(5));
    }

    @Test
    void verifyWithAnchors_chainProblemBeforeTheAnchor_reportsTheChainProblem() {
        AuditAnchor tenth = anchorOf(10);
        sql("UPDATE audit_entry SET outcome = 'DENIED' WHERE seq = 4");
        assertThat(new AuditVerifier(db, mac).verify(java.util.List.of(tenth))).isEqualTo(new VerificationResult.Edited(4));
    }

    @Test
    void headAnchor_afterTenEntries_isTheTenthEntry() {
        assertThat(new AuditVerifier(db, mac).headAnchor()).contains(anchorOf(10));
    }

    @Test
    void anchorParse_seqColonHex_roundTripsAndRefusesOtherShapes() {
        AuditAnchor a = AuditAnchor.parse(" 12:01AB ");
        assertThat(a).isEqualTo(new AuditAnchor(12, "01ab"));
        assertThat(a).hasToString("12:01ab");
        for (String bad : new String[] {"", "12", ":01ab", "x:01ab", "12:", "12:0g", "12:abc", "0:01ab", "-1:01ab",
                "99999999999999999999:01"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> AuditAnchor.parse(bad)).as("'%s'", bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("audit anchor");
        }
    }
}
