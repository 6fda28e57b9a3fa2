package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mfagate.core.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code mfagate audit verify} and {@code audit export}, run in-process through the real command line
 * (AuditVerifyIT holds the exit code of a real process), on a store whose trail the gateway wrote while serving HTTP requests: whoever edits,
 * deletes, inserts, reorders or truncates audit rows directly in the SQLite file is caught, with
 * exit code 3 and the entry named.
 */
class AuditVerifyTest {

    /** Entries in the populated trail: ten HTTP requests. */
    private static final int ENTRIES = 10;
    private static final String COLUMNS = "time_us, request_id, route, token_id, zulip_user_id, zulip_email, label, outcome, "
            + "reason, rule_id, remote_address, instance_id, detail";

    @TempDir
    static Path tmp;
    private static Path pristine;
    private static final List<String> REQUEST_IDS = new ArrayList<>();
    /** The head row (seq, mac, head_mac) as it was after seven entries: what someone could have read then. */
    private static Object[] headAt7;

    @BeforeAll
    static void populate() throws Exception {
        GatewayFixture gw = new GatewayFixture(tmp, "AuditVerifyTest");
        pristine = gw.dataDir;
        try (gw) {
            gw.seed("acme-aws");
            String token = gw.token("ops", "acme-*", false);
            gw.start(GatewayFixture.GENEROUS_OPTIONS);
            //                    path                      token   times
            for (Object[] ask : new Object[][] {
                    {"/code?label=acme-aws",                 token,  4},
                    {"/code?label=beta-vpn",                 token,  3},
                    {"/totp/acme/aws",                       null,   2},
                    {"/code?label=not_a_label",              token,  1}}) {
                for (int i = 0; i < (int) ask[2]; i++) {
                    REQUEST_IDS.add(gw.get((String) ask[0], (String) ask[1]).requestId());
                    if (REQUEST_IDS.size() == 7) {
                        headAt7 = headRow(pristine);
                    }
                }
            }
        }
    }

    /** A copy of the populated store, to tamper with. */
    private static Path copyOfStore(String name) throws Exception {
        Path copy = tmp.resolve(name);
        Files.createDirectories(copy);
        try (Stream<Path> files = Files.list(pristine)) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        return copy;
    }

    private static Object[] headRow(Path dataDir) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(Store.DATABASE_FILE_NAME));
             Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SELECT seq, mac, head_mac FROM audit_head WHERE id = 1")) {
            rs.next();
            return new Object[] {rs.getLong(1), rs.getBytes(2), rs.getBytes(3)};
        }
    }

    private static void sql(Path dataDir, String... statements) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(Store.DATABASE_FILE_NAME));
             Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    private static InProcessCli cli(Path dataDir) {
        return InProcessCli.in(dataDir);
    }

    @Test
    void auditVerify_untouchedTrail_exit0AllEntriesVerified() throws Exception {
        InProcessCli.Result r = cli(pristine).run("audit", "verify");
        assertThat(r.exitCode()).as(r.out()).isZero();
        assertThat(r.out()).startsWith("OK: " + ENTRIES + " entries verified");
    }

    @Test
    void auditExport_servedRequests_oneJsonLinePerEntryWithTheRequestIdsCallersSaw() throws Exception {
        Path out = tmp.resolve("export.jsonl");
        InProcessCli.Result r = cli(pristine).run("audit", "export", "--format", "jsonl", "--output", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        ObjectMapper json = new ObjectMapper();
        List<String> lines = Files.readAllLines(out);
        assertThat(lines).hasSize(ENTRIES);
        List<String> exportedIds = new ArrayList<>();
        for (String line : lines) {
            exportedIds.add(json.readTree(line).path("request_id").asText(null));
        }
        assertThat(exportedIds).as("every HTTP request, in order").isEqualTo(REQUEST_IDS);
        assertThat(json.readTree(lines.get(ENTRIES - 1)).get("outcome").asText()).isEqualTo("MALFORMED");
    }

    static Stream<Arguments> tampering() {
        String copyOf6As5 = "INSERT INTO audit_entry (seq, " + COLUMNS + ", prev_mac, mac) SELECT 5, "
                + COLUMNS.replace("request_id", "'forged'").replace("outcome", "'ALLOWED'") + ", prev_mac, mac FROM audit_entry WHERE seq = 6";
        String copyOf10As11 = "INSERT INTO audit_entry (seq, " + COLUMNS + ", prev_mac, mac) SELECT 11, "
                + COLUMNS.replace("request_id", "'forged'") + ", mac, mac FROM audit_entry WHERE seq = 10";
        return Stream.of(
                //            what                               SQL run on the file                                                          audit verify says
                Arguments.of("denial edited into a grant",       List.of("UPDATE audit_entry SET outcome = 'ALLOWED' WHERE seq = 6"),         "EDITED: entry 6 was modified"),
                Arguments.of("request id edited",                List.of("UPDATE audit_entry SET request_id = 'x' WHERE seq = 10"),           "EDITED: entry 10 was modified"),
                Arguments.of("entry deleted",                    List.of("DELETE FROM audit_entry WHERE seq = 5"),                            "DELETED: entry 5 missing after entry 4"),
                Arguments.of("entries deleted, rest renumbered", List.of("DELETE FROM audit_entry WHERE seq IN (5, 6)",
                                                                         "UPDATE audit_entry SET seq = -seq WHERE seq > 6",
                                                                         "UPDATE audit_entry SET seq = -seq - 2 WHERE seq < 0"),              "DELETED: entries 5..6 missing after entry 4"),
                Arguments.of("entry inserted, rest renumbered",  List.of("UPDATE audit_entry SET seq = -seq WHERE seq >= 5",
                                                                         "UPDATE audit_entry SET seq = -seq + 1 WHERE seq < 0",
                                                                         copyOf6As5),                                                         "INSERTED: entry 5 was not written by the audit log"),
                Arguments.of("entry appended after the head",    List.of(copyOf10As11),                                                       "INSERTED: entry 11 was not written by the audit log"),
                Arguments.of("entries swapped",                  List.of("UPDATE audit_entry SET seq = -1 WHERE seq = 5",
                                                                         "UPDATE audit_entry SET seq = 5 WHERE seq = 6",
                                                                         "UPDATE audit_entry SET seq = 6 WHERE seq = -1"),                    "REORDERED: entry 5 is out of order"),
                Arguments.of("tail truncated",                   List.of("DELETE FROM audit_entry WHERE seq > 7"),                            "TRUNCATED: the head records entry 10 but the last entry is 7"),
                Arguments.of("tail truncated, head moved back",  List.of("DELETE FROM audit_entry WHERE seq > 7",
                                                                         "UPDATE audit_head SET seq = 7, mac = (SELECT mac FROM audit_entry WHERE seq = 7)"),
                                                                                                                                              "HEAD_INVALID: the chain head (seq 7) was modified"),
                Arguments.of("head deleted",                     List.of("DELETE FROM audit_head"),                                           "HEAD_MISSING: the chain head is missing (last entry 10)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tampering")
    void auditVerify_rowsTamperedInTheFile_exit3NamingTheEntry(String what, List<String> statements, String says) throws Exception {
        Path store = copyOfStore(what.replaceAll("[^a-z]+", "-"));
        sql(store, statements.toArray(String[]::new));
        InProcessCli.Result r = cli(store).run("audit", "verify");
        assertThat(r.exitCode()).as("exit code of audit verify after: %s", what).isEqualTo(3);
        assertThat(r.out().strip()).as("audit verify names what was done and where").startsWith("TAMPERED: " + says);
    }

    @Test
    void auditVerify_tailCutAndAnOlderHeadPutBack_okAloneButExit3AgainstAnchorsKeptElsewhere() throws Exception {
        InProcessCli.Result anchor = cli(pristine).run("audit", "anchor");
        assertThat(anchor.exitCode()).as(anchor.err()).isZero();
        assertThat(anchor.out().strip()).as("audit anchor prints the head as SEQ:MAC").matches(ENTRIES + ":[0-9a-f]+");
        Path exported = tmp.resolve("siem.jsonl");
        assertThat(cli(pristine).run("audit", "export", "--output", exported.toString()).exitCode()).isZero();
        String lastLine = Files.readAllLines(exported).getLast();
        assertThat(new ObjectMapper().readTree(lastLine).path("mac").asText())
                .as("every exported line carries its entry's MAC: the same anchor").isEqualTo(anchor.out().strip().split(":")[1]);

        Path store = copyOfStore("rolled-back");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + store.resolve(Store.DATABASE_FILE_NAME));
             Statement s = c.createStatement();
             java.sql.PreparedStatement head = c.prepareStatement("UPDATE audit_head SET seq = ?, mac = ?, head_mac = ? WHERE id = 1")) {
            s.execute("DELETE FROM audit_entry WHERE seq > 7");
            head.setLong(1, (long) headAt7[0]);
            head.setBytes(2, (byte[]) headAt7[1]);
            head.setBytes(3, (byte[]) headAt7[2]);
            head.executeUpdate();
        }
        InProcessCli.Result alone = cli(store).run("audit", "verify");
        assertThat(alone.exitCode()).as("the database alone cannot tell: %s", alone.out()).isZero();

        InProcessCli.Result withAnchor = cli(store).run("audit", "verify", "--anchor", anchor.out().strip());
        assertThat(withAnchor.exitCode()).as(withAnchor.out()).isEqualTo(3);
        assertThat(withAnchor.out().strip()).startsWith("TAMPERED: ROLLED_BACK: anchored entry 10 is missing; the chain ends at entry 7");

        InProcessCli.Result withFile = cli(store).run("audit", "verify", "--anchors", exported.toString());
        assertThat(withFile.exitCode()).as(withFile.out()).isEqualTo(3);
        assertThat(withFile.out().strip()).startsWith("TAMPERED: ROLLED_BACK: anchored entry 8 is missing");

        InProcessCli.Result intact = cli(pristine).run("audit", "verify", "--anchors", exported.toString());
        assertThat(intact.exitCode()).as(intact.out()).isZero();
        assertThat(intact.out()).startsWith("OK: " + ENTRIES + " entries verified, holding " + ENTRIES + " anchors");
    }

    @Test
    void auditVerify_anchorsFileWithoutAnAnchor_exit2NotOk() throws Exception {
        Path empty = Files.createTempFile("anchors", ".txt");
        try {
            Files.writeString(empty, "# anchors are filed here nightly\n\n");
            InProcessCli.Result r = cli(pristine).run("audit", "verify", "--anchors", empty.toString());
            assertThat(r.exitCode()).as(r.out()).isEqualTo(2);
            assertThat(r.err()).isEqualTo("mfagate: No anchor in " + empty + "; it must hold SEQ:MAC lines (from audit anchor)"
                    + " or audit entries\n");
            assertThat(r.out()).doesNotContain("OK");
        } finally {
            Files.delete(empty);
        }
        InProcessCli.Result one = cli(pristine).run("audit", "anchor");
        InProcessCli.Result single = cli(pristine).run("audit", "verify", "--anchor", one.out().strip());
        assertThat(single.out()).contains("holding 1 anchor (");
    }

    @Test
    void auditVerify_malformedAnchor_exit2NamingTheRule() throws Exception {
        InProcessCli.Result r = cli(pristine).run("audit", "verify", "--anchor", "10:not-hex");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.errLines()).singleElement().asString().startsWith("mfagate: Invalid audit anchor MAC for seq 10");
    }
}
