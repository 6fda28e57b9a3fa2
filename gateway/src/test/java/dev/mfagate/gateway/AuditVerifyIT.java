package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.core.store.Store;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mfagate audit verify} as shipped (the jar, in a process of its own): the exit codes a
 * scheduler or a SIEM job reads, 0 for an intact trail and 3 for a tampered one. What it says about
 * each kind of tampering is held in-process by AuditVerifyTest.
 */
class AuditVerifyIT {

    @TempDir
    Path tmp;

    @Test
    void auditVerify_asAProcess_exit0IntactThenExit3AfterARowIsEdited() throws Exception {
        Path dataDir;
        try (GatewayFixture gw = new GatewayFixture(tmp, "AuditVerifyIT")) {
            dataDir = gw.dataDir;
            gw.seed("acme-aws");
            String token = gw.token("ops", "acme-*", false);
            gw.start(GatewayFixture.GENEROUS_OPTIONS);
            for (int i = 0; i < 3; i++) {
                gw.get("/code?label=acme-aws", token);
            }
        }
        MfagateProcess.Result intact = MfagateProcess.run(dataDir, null, "audit", "verify");
        assertThat(intact.exitCode()).as(intact.out() + intact.err()).isZero();
        assertThat(intact.out()).startsWith("OK: 3 entries verified");

        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(Store.DATABASE_FILE_NAME));
             Statement s = c.createStatement()) {
            s.execute("UPDATE audit_entry SET outcome = 'DENIED' WHERE seq = 2");
        }
        MfagateProcess.Result tampered = MfagateProcess.run(dataDir, null, "audit", "verify");
        assertThat(tampered.exitCode()).as(tampered.out() + tampered.err()).isEqualTo(3);
        assertThat(tampered.out()).startsWith("TAMPERED: ");
    }
}
