package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.core.audit.AuditVerifier;
import dev.mfagate.core.audit.VerificationResult;
import dev.mfagate.core.store.Store;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fail closed: while the audit trail cannot be written, no code leaves the gateway, and
 * {@code /readyz} says why; once it can be written again, service resumes by itself.
 *
 * <p>The audit store is made to refuse writes with a SQLite trigger added through a separate
 * connection, as a full disk or a read-only volume would refuse them; {@code chmod} cannot, since
 * the tests may run as root.
 */
class GatewayFailClosedTest {

    @TempDir
    Path dir;
    private GatewayFixture gw;
    private String plain;
    private String narrow;

    @BeforeEach
    void start() {
        gw = new GatewayFixture(dir, "GatewayFailClosedTest");
        gw.seed("acme-aws").seed("beta-vpn");
        plain = gw.token("plain", "*", false);
        narrow = gw.token("narrow", "beta-*", false);
        gw.start(GatewayFixture.GENEROUS_OPTIONS);
    }

    @AfterEach
    void stop() throws Exception {
        setAuditWritable(true);
        gw.close();
    }

    /** Adds or drops a trigger that aborts every insert into {@code audit_entry}, through a connection of its own. */
    private void setAuditWritable(boolean writable) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + gw.dataDir.resolve(Store.DATABASE_FILE_NAME));
             Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 5000");
            s.execute(writable ? "DROP TRIGGER IF EXISTS audit_read_only"
                    : "CREATE TRIGGER audit_read_only BEFORE INSERT ON audit_entry "
                    + "BEGIN SELECT RAISE(ABORT, 'audit store read-only'); END");
        }
    }

    @Test
    void code_auditStoreRefusesWrites_503AuditUnavailableAndNoCode() throws Exception {
        setAuditWritable(false);

        for (String path : new String[] {"/totp/acme/aws", "/code?label=acme-aws"}) {
            GatewayFixture.Response r = gw.get(path, plain);
            assertThat(r.status()).as("no audit, no code: %s", path).isEqualTo(503);
            assertThat(r.errorCode()).isEqualTo("audit_unavailable");
            assertThat(r.json().has("code")).isFalse();
            assertThat(gw.holdsCodeOf(r.body(), "acme-aws")).as("the body must not hold the code in any field").isFalse();
            assertThat(r.header("Retry-After")).isPresent();
        }
        assertThat(gw.audit()).as("nothing of the refused requests reached the trail").isEmpty();
    }

    @Test
    void refusal_auditStoreRefusesWrites_503AuditUnavailableRatherThanAnUnrecordedRefusal() throws Exception {
        setAuditWritable(false);
        GatewayFixture.Response r = gw.get("/code?label=acme-aws", narrow);
        assertThat(r.status()).as("a refusal that cannot be recorded is reported as the audit failure it is").isEqualTo(503);
        assertThat(r.errorCode()).isEqualTo("audit_unavailable");
    }

    @Test
    void readyz_auditStoreRefusesWrites_503NamingAuditThenReadyAgain() throws Exception {
        assertThat(gw.get("/readyz", null).status()).isEqualTo(200);
        setAuditWritable(false);
        gw.get("/code?label=acme-aws", plain);

        GatewayFixture.Response down = gw.get("/readyz", null);
        assertThat(down.status()).as("/readyz while the audit trail cannot be written").isEqualTo(503);
        assertThat(down.json().at("/checks/audit").asText()).as("the audit check names the failure").isNotEqualTo("ok");
        assertThat(down.json().at("/checks/store").asText()).isEqualTo("ok");

        setAuditWritable(true);
        assertThat(gw.get("/code?label=acme-aws", plain).status()).isEqualTo(200);
        GatewayFixture.Response up = gw.get("/readyz", null);
        assertThat(up.status()).as("/readyz once an audit batch commits again").isEqualTo(200);
        assertThat(up.json().at("/checks/audit").asText()).isEqualTo("ok");
    }

    @Test
    void readyz_idleGatewayAuditStoreRefusesWrites_503WithoutAnyRequestFailingFirst() throws Exception {
        assertThat(gw.get("/readyz", null).status()).isEqualTo(200);
        setAuditWritable(false);
        Thread.sleep(300); // the probe runs at most four times a second
        GatewayFixture.Response down = gw.get("/readyz", null);
        assertThat(down.status()).as("the probe finds the unwritable audit store on its own").isEqualTo(503);
        assertThat(down.body()).contains("audit store not writable");
        setAuditWritable(true);
        Thread.sleep(300);
        assertThat(gw.get("/readyz", null).status()).as("and notices the recovery").isEqualTo(200);
    }

    @Test
    void code_auditStoreWritableAgain_serviceResumesAndChainStaysIntact() throws Exception {
        assertThat(gw.get("/code?label=acme-aws", plain).status()).isEqualTo(200);
        setAuditWritable(false);
        assertThat(gw.get("/code?label=acme-aws", plain).status()).isEqualTo(503);
        assertThat(gw.get("/code?label=acme-aws", plain).status()).isEqualTo(503);
        setAuditWritable(true);

        GatewayFixture.Response r = gw.get("/code?label=acme-aws", plain);
        assertThat(r.status()).as("service resumes without a restart").isEqualTo(200);
        assertThat(gw.hasCodeOf(r, "acme-aws")).as("the code of acme-aws at the fixed instant").isTrue();
        assertThat(gw.audit()).as("the requests before and after the outage, nothing between").hasSize(2);
        VerificationResult verified = new AuditVerifier(gw.store.database(), gw.store.keyring().auditMac()).verify();
        assertThat(verified).as("the failed batches left no trace in the chain").isEqualTo(new VerificationResult.Intact(2));
    }

    @Test
    void code_auditTailCutAndAnOldHeadPutBack_503AndUnreadyRatherThanAppendingAfterIt() throws Exception {
        assertThat(gw.get("/code?label=acme-aws", plain).status()).isEqualTo(200);
        Object[] oldHead;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + gw.dataDir.resolve(Store.DATABASE_FILE_NAME));
             Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SELECT seq, mac, head_mac FROM audit_head WHERE id = 1")) {
            rs.next();
            oldHead = new Object[] {rs.getLong(1), rs.getBytes(2), rs.getBytes(3)};
        }
        assertThat(gw.get("/code?label=acme-aws", plain).status()).isEqualTo(200);
        assertThat(gw.get("/code?label=beta-vpn", plain).status()).isEqualTo(200);

        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + gw.dataDir.resolve(Store.DATABASE_FILE_NAME));
             Statement s = c.createStatement();
             java.sql.PreparedStatement head = c.prepareStatement("UPDATE audit_head SET seq = ?, mac = ?, head_mac = ? WHERE id = 1")) {
            s.execute("PRAGMA busy_timeout = 5000");
            s.execute("DELETE FROM audit_entry WHERE seq > " + oldHead[0]);
            head.setLong(1, (long) oldHead[0]);
            head.setBytes(2, (byte[]) oldHead[1]);
            head.setBytes(3, (byte[]) oldHead[2]);
            head.executeUpdate();
        }
        assertThat(new AuditVerifier(gw.store.database(), gw.store.keyring().auditMac()).verify())
                .as("the rolled-back chain verifies on its own").isEqualTo(new VerificationResult.Intact(1));

        GatewayFixture.Response r = gw.get("/code?label=acme-aws", plain);
        assertThat(r.status()).as("no code appended after a rolled-back head").isEqualTo(503);
        assertThat(r.errorCode()).isEqualTo("audit_unavailable");
        GatewayFixture.Response ready = gw.get("/readyz", null);
        assertThat(ready.status()).isEqualTo(503);
        assertThat(ready.json().at("/checks/audit").asText()).startsWith("audit chain rolled back");
        assertThat(gw.get("/code?label=beta-vpn", plain).status()).as("and it stays refused").isEqualTo(503);
        assertThat(gw.audit()).as("nothing appended after the old head").hasSize(1);
    }
}
