package dev.mfagate.core.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.core.Label;
import dev.mfagate.core.audit.AuditVerifier;
import dev.mfagate.core.audit.VerificationResult;
import dev.mfagate.core.crypto.Keyring;
import dev.mfagate.core.policy.PolicyRepository;
import dev.mfagate.core.policy.Rule;
import dev.mfagate.core.store.SeedInfo;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.store.TokenInfo;
import dev.mfagate.core.testing.PolicyTestDatabases;
import dev.mfagate.core.testing.PolicyTestDatabases.Backend;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Opens a store made before tenants (schema V3.1, by the code of commit 68a125f; see
 * {@link UpgradeFixtureGenerator}) with the current code, on SQLite (the file itself) and on
 * PostgreSQL (the same rows laid into a V3.1 schema), and checks the upgrade: tenants from the
 * seeds' client parts and from confined patterns, tokens and rules assigned to them or to the
 * organisation, every row kept, every seed still opening, the audit chain still verifying.
 */
class TenantUpgradeTest {

    @RegisterExtension
    static final PolicyTestDatabases DBS = new PolicyTestDatabases();

    static final List<String> TABLES = List.of("kek_state", "key_provider", "seeds", "seed_label_versions", "api_tokens",
            "policy_rule", "policy_version", "audit_entry", "audit_head");

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Backend.class)
    void open_storeFromBeforeTenants_assignsTenantsAndKeepsEverything(Backend backend) throws Exception {
        Path fixture = copyFixture();
        Map<String, Integer> before = rowCounts(sqliteUrl(fixture.resolve("mfagate.db")));
        String target = DBS.freshTarget(backend);
        if (backend == Backend.SQLITE) {
            Files.copy(fixture.resolve("mfagate.db"), Path.of(target));
        } else {
            Flyway.configure().dataSource(target, "postgres", null).locations("classpath:db/migration/postgresql")
                    .target("3.1").load().migrate();
            copyRows(sqliteUrl(fixture.resolve("mfagate.db")), target);
        }
        Keyring keyring = Keyring.openFile(fixture.resolve("keyset.json"));
        Store s = Store.open(DBS.open(backend, target).db(), keyring);

        TenantRepository tenants = new TenantRepository(s.database());
        assertThat(tenants.tenants()).extracting(t -> t.id().value())
                .containsExactly("acme", "beta", "epsilon", "gamma.x");
        Map<String, String> tokenOwners = s.tokens().list().stream()
                .collect(Collectors.toMap(TokenInfo::name, t -> t.owner().toString()));
        assertThat(tokenOwners).isEqualTo(Map.of("zulip-bot", "organisation", "ci-acme", "acme", "beta-one", "beta",
                "wide-a", "organisation", "old", "gamma.x"));
        Map<String, String> ruleOwners = new TreeMap<>();
        new PolicyRepository(s.database()).owners().forEach((id, owner) -> ruleOwners.put(id, owner.toString()));
        assertThat(ruleOwners).isEqualTo(Map.of("acme-team", "acme", "beta-group", "beta", "everyone", "organisation",
                "aws-all", "organisation", "ci-capped", "acme", "gamma-temp", "gamma.x", "epsilon-new", "epsilon"));
        assertThat(new PolicyRepository(s.database()).list()).extracting(Rule::describe).hasSize(7);

        assertThat(s.seeds().list()).extracting(SeedInfo::label).extracting(Label::value)
                .containsExactly("acme-aws", "acme-db-prod", "beta-aws", "gamma.x-vpn");
        for (SeedInfo seed : s.seeds().list()) {
            assertThat(s.seeds().find(seed.label())).as("seed %s opens", seed.label()).isPresent();
        }
        VerificationResult verified = new AuditVerifier(s.database(), s.keyring().auditMac()).verify();
        assertThat(verified.isIntact()).as(verified.toString()).isTrue();
        int audited = s.database().jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM audit_entry")
                .mapTo(Integer.class).one());
        assertThat(audited).isEqualTo(4);
        for (String table : TABLES) {
            int count = s.database().jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM " + table).mapTo(Integer.class).one());
            assertThat(count).as("rows of %s", table).isEqualTo(before.get(table));
        }
    }

    private Path copyFixture() throws IOException {
        Path out = dir.resolve("fixture");
        Files.createDirectories(out);
        for (String f : new String[] {"mfagate.db", "keyset.json"}) {
            try (InputStream in = getClass().getResourceAsStream("/upgrade/v3_1/" + f)) {
                Files.copy(in, out.resolve(f));
            }
            Files.setPosixFilePermissions(out.resolve(f), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        }
        return out;
    }

    private static String sqliteUrl(Path file) {
        return "jdbc:sqlite:" + file.toAbsolutePath();
    }

    private static Map<String, Integer> rowCounts(String url) throws SQLException {
        Map<String, Integer> counts = new HashMap<>();
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            for (String t : TABLES) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + t)) {
                    rs.next();
                    counts.put(t, rs.getInt(1));
                }
            }
        }
        return counts;
    }

    /** Lays the SQLite fixture's rows into a PostgreSQL schema at the same version, value by value. */
    private static void copyRows(String sqlite, String postgres) throws SQLException {
        try (Connection from = DriverManager.getConnection(sqlite); Connection to = DriverManager.getConnection(postgres)) {
            to.setAutoCommit(false);
            for (String table : TABLES) {
                Map<String, String> types = new HashMap<>();
                try (PreparedStatement q = to.prepareStatement("SELECT column_name, data_type FROM information_schema.columns"
                        + " WHERE table_schema = current_schema() AND table_name = ?")) {
                    q.setString(1, table);
                    try (ResultSet rs = q.executeQuery()) {
                        while (rs.next()) {
                            types.put(rs.getString(1), rs.getString(2));
                        }
                    }
                }
                try (Statement del = to.createStatement()) {
                    del.executeUpdate("DELETE FROM " + table);
                }
                try (Statement st = from.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM " + table)) {
                    ResultSetMetaData md = rs.getMetaData();
                    StringBuilder cols = new StringBuilder();
                    StringBuilder marks = new StringBuilder();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        cols.append(i > 1 ? ", " : "").append(md.getColumnName(i));
                        marks.append(i > 1 ? ", " : "").append('?');
                    }
                    try (PreparedStatement ins = to.prepareStatement("INSERT INTO " + table + " (" + cols + ") VALUES (" + marks + ")")) {
                        while (rs.next()) {
                            for (int i = 1; i <= md.getColumnCount(); i++) {
                                Object v = rs.getObject(i);
                                String type = types.get(md.getColumnName(i));
                                if (v == null) {
                                    ins.setObject(i, null);
                                } else if ("boolean".equals(type)) {
                                    ins.setBoolean(i, ((Number) v).longValue() != 0);
                                } else if ("bigint".equals(type)) {
                                    ins.setLong(i, ((Number) v).longValue());
                                } else if ("integer".equals(type)) {
                                    ins.setInt(i, ((Number) v).intValue());
                                } else if ("bytea".equals(type)) {
                                    ins.setBytes(i, rs.getBytes(i));
                                } else {
                                    ins.setString(i, rs.getString(i));
                                }
                            }
                            ins.executeUpdate();
                        }
                    }
                }
            }
            to.commit();
        }
    }
}
