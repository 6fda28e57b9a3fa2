package dev.mfagate.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.core.audit.AuditVerifier;
import dev.mfagate.core.audit.VerificationResult;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.tenant.TenantRepository;
import dev.mfagate.gateway.InProcessCli;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tenant, person and member on a real SQLite store, in process. */
class TenantCommandsTest {

    @TempDir
    Path dir;
    private Path data;
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void store() {
        data = dir.resolve("data");
        Store.init(data).close();
    }

    private InProcessCli.Result last;

    private int run(String... args) {
        last = InProcessCli.in(data).run(args);
        err.write(last.err());
        return last.exitCode();
    }

    private String output(String... args) {
        assertThat(run(args)).as(err.toString()).isZero();
        return last.out();
    }

    @Test
    void tenantPersonMember_fullRound_storedListedAndAudited() {
        output("tenant", "add", "acme");
        output("person", "add", "ann", "Ann Lee");
        output("person", "link", "ann", "zulip:42");
        output("member", "add", "person:ann", "admin", "--tenant", "acme");
        output("member", "add", "sso-group:mfa-ops", "operator");

        assertThat(output("tenant", "list")).contains("acme");
        assertThat(output("person", "list")).contains("ann").contains("Ann Lee").contains("zulip:42");
        assertThat(output("member", "list", "--tenant", "acme")).contains("person:ann").contains("admin").doesNotContain("sso-group");
        output("member", "remove", "person:ann", "admin", "--tenant", "acme");
        output("person", "unlink", "ann", "zulip:42");

        try (Store s = Store.open(data)) {
            TenantRepository repo = new TenantRepository(s.database());
            assertThat(repo.bindings(new dev.mfagate.core.tenant.TenantId("acme"))).isEmpty();
            assertThat(repo.all()).hasSize(1);
            VerificationResult v = new AuditVerifier(s.database(), s.keyring().auditMac()).verify();
            assertThat(v).isEqualTo(new VerificationResult.Intact(7));
            long admin = s.database().jdbi().withHandle(h -> h.createQuery(
                    "SELECT count(*) FROM audit_entry WHERE outcome = 'ADMIN' AND route LIKE 'cli:%'").mapTo(Long.class).one());
            assertThat(admin).isEqualTo(7);
        }
    }

    @Test
    void badInput_oneLineReasonExit2_nothingWritten() {
        assertThat(run("tenant", "add", "a-b")).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run("member", "add", "person:nobody", "admin", "--tenant", "acme")).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run("member", "add", "sso-group:x", "admin", "--tenant", "acme")).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run("member", "add", "group:7", "operator", "--tenant", "acme")).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run("person", "link", "ann", "zulip:abc")).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(err.toString().lines()).hasSize(5).allMatch(l -> l.startsWith("mfagate: "));
        assertThat(err.toString()).contains("must be a label's client part").contains("No person nobody")
                .contains("SSO group claims hold organisation roles only").contains("organisation role");
        try (Store s = Store.open(data)) {
            assertThat(new TenantRepository(s.database()).tenants()).isEmpty();
            long entries = s.database().jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM audit_entry").mapTo(Long.class).one());
            assertThat(entries).isZero();
        }
    }

    @Test
    void tokenCreate_roleAndTenant_storedListedAndAudited() {
        output("tenant", "add", "acme");
        output("token", "create", "--name", "acme-admin", "--role", "admin", "--tenant", "acme");
        output("token", "create", "--name", "ops", "--role", "operator");
        output("token", "create", "--name", "plain", "--labels", "acme-*");

        String list = output("token", "list");
        assertThat(list).containsPattern("acme-admin\\s+acme-\\*\\s+no\\s+active\\s+never\\s+acme\\s+admin")
                .containsPattern("ops\\s+\\*\\s+no\\s+active\\s+never\\s+\\(organisation\\)\\s+operator")
                .containsPattern("plain\\s+acme-\\*\\s+no\\s+active\\s+never\\s+acme\\s+-");
        try (Store s = Store.open(data)) {
            assertThat(s.tokens().list()).extracting(t -> t.role().map(dev.mfagate.core.tenant.Role::text).orElse("-"))
                    .containsExactly("admin", "operator", "-");
        }
    }

    @Test
    void tokenCreate_roleInATenantNotAdded_exit2NamingItAndNoTenantCreated() {
        assertThat(run("token", "create", "--name", "acme-admin", "--role", "admin", "--tenant", "acmee"))
                .isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(last.err()).isEqualTo("mfagate: No tenant acmee; add it first (mfagate tenant add acmee)\n");
        try (Store s = Store.open(data)) {
            assertThat(s.tokens().list()).isEmpty();
            assertThat(new TenantRepository(s.database()).tenants()).isEmpty();
        }
    }

    @Test
    void tokenCreate_upperCaseName_keptInLowerCaseAndSaidSo() {
        run("token", "create", "--name", "Ops-Laptop", "--labels", "acme-*");
        assertThat(last.exitCode()).as(last.err()).isZero();
        assertThat(last.err()).startsWith("Token 'ops-laptop' (id ").contains("; names are kept in lower case) for labels acme-*");
        assertThat(run("token", "create", "--name", "OPS-LAPTOP", "--labels", "acme-*")).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(last.err()).isEqualTo("mfagate: A token named 'ops-laptop' already exists; pick another name or revoke it first\n");
        assertThat(run("token", "create", "--name", "Ops Laptop")).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(last.err()).isEqualTo("mfagate: Invalid token name 'Ops Laptop': must be letters (kept in lower case), digits,"
                + " '_', '.' or '-', starting with a letter or digit\n");
        assertThat(run("token", "create", "--name", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(last.err()).isEqualTo("mfagate: Invalid token name: it looks like a secret (16 or more letters and digits"
                + " alone); name what uses the token, such as ci-deploy\n");
        assertThat(run("token", "create", "--name", "MFG_x")).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(last.err()).startsWith("mfagate: Invalid token name; must not start with mfg_");
    }

    @Test
    void grant_identicalRuleTwice_exit2NamingTheRuleAndOneRuleStored() throws java.io.IOException {
        output("person", "add", "ann", "Ann Lee");
        output("grant", "person:ann", "acme-*", "--daily-cap", "5");
        String id;
        try (Store s = Store.open(data)) {
            id = new dev.mfagate.core.policy.PolicyRepository(s.database()).list().getFirst().id();
        }

        assertThat(run("grant", "person:ann", "acme-*", "--daily-cap", "5")).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(last.err()).isEqualTo("mfagate: Rule " + id + " already grants this (person:ann -> acme-*, the same last day"
                + " and daily cap); nothing was granted\n");
        try (Store s = Store.open(data)) {
            assertThat(new dev.mfagate.core.policy.PolicyRepository(s.database()).list()).extracting(r -> r.id()).containsExactly(id);
        }
    }

    @Test
    void grant_personOrTokenNotInTheStore_exit2SayingWhatIsMissing() throws java.io.IOException {
        run("token", "create", "--name", "ops-laptop", "--labels", "acme-*");
        assertThat(run("grant", "person:nobody", "acme-*")).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(last.err()).startsWith("mfagate: Rule ").endsWith(": No person nobody; add them first (mfagate person add nobody NAME)\n");
        assertThat(run("grant", "token:nosuch", "acme-*")).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(last.err()).endsWith(": No token has the id 'nosuch'; see mfagate token list\n");
        assertThat(run("grant", "token:ops-laptop", "acme-*")).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(last.err()).containsPattern(": token: takes a token's id, not its name; that token is token:[a-z2-7]{16}\n$");
        Path file = dir.resolve("policy.yaml");
        java.nio.file.Files.writeString(file, "version: 2\nrules:\n- {id: r1, principal: 'person:nobody', labels: 'acme-*'}\n");
        for (String[] apply : new String[][] {{"policy", "apply", file.toString()}, {"policy", "apply", file.toString(), "--yes"}}) {
            assertThat(run(apply)).isEqualTo(ExitCodes.BAD_INPUT);
            assertThat(last.err()).isEqualTo("mfagate: Invalid policy file " + file
                    + ": Rule r1: No person nobody; add them first (mfagate person add nobody NAME)\n");
        }
        try (Store s = Store.open(data)) {
            assertThat(new dev.mfagate.core.policy.PolicyRepository(s.database()).list()).isEmpty();
        }
    }

    @Test
    void tokenCreate_roleNotFittingTenant_exit2NothingWritten() {
        assertThat(run("token", "create", "--name", "a", "--role", "admin")).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run("token", "create", "--name", "b", "--role", "operator", "--tenant", "acme")).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run("token", "create", "--name", "c", "--role", "king", "--tenant", "acme")).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run("token", "create", "--name", "d", "--role", "admin", "--tenant", "acme", "--labels", "other-*"))
                .isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run("grant", "user:4", "other-*", "--tenant", "acme")).isEqualTo(ExitCodes.BAD_INPUT);
        try (Store s = Store.open(data)) {
            assertThat(s.tokens().list()).isEmpty();
            assertThat(new dev.mfagate.core.policy.PolicyRepository(s.database()).list()).isEmpty();
        }
    }

    @Test
    void grant_tenant_ruleOwnedByTenant() {
        output("grant", "user:4", "acme-aws", "--tenant", "acme", "--id", "r1");
        try (Store s = Store.open(data)) {
            assertThat(new dev.mfagate.core.policy.PolicyRepository(s.database()).owners())
                    .containsEntry("r1", new dev.mfagate.core.tenant.TenantId("acme"));
        }
    }
}
