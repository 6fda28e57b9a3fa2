package dev.mfagate.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.core.Label;
import dev.mfagate.core.audit.AuditEvent;
import dev.mfagate.core.console.ConsoleSessions;
import dev.mfagate.core.console.ConsoleSessions.Session;
import dev.mfagate.core.issue.AuditSink;
import dev.mfagate.core.issue.RequestMeta;
import dev.mfagate.core.seed.SeedParser;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.tenant.Holder;
import dev.mfagate.core.tenant.PersonId;
import dev.mfagate.core.tenant.Role;
import dev.mfagate.core.tenant.RoleBinding;
import dev.mfagate.core.tenant.TenantId;
import dev.mfagate.core.tenant.TenantRepository;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's enrolment of several seeds on a real store: per-entry sentences and nothing stored on
 * any bad label, a held import bound to its session and gone after its time, derived labels.
 */
class SeedEnrolmentTest {

    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
    private static final RequestMeta META = new RequestMeta("req-1", "/console/enrol", "127.0.0.1");
    private static final String A = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    private static final String B = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    private static final String C = "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U";

    @TempDir
    Path tmp;

    private Store store;
    private SeedEnrolment enrolment;
    private final List<AuditEvent> audit = new ArrayList<>();
    private Session ann;
    private Session annElsewhere;

    @BeforeEach
    void setUp() throws Exception {
        store = Store.init(tmp.resolve("data"));
        store.seeds().add(Label.parse("acme-aws"), SeedParser.parse(C), NOW);
        TenantRepository tenants = new TenantRepository(store.database());
        tenants.addPerson(new PersonId("ann"), "Ann", NOW);
        tenants.bind(new RoleBinding(new Holder.PersonHolder(new PersonId("ann")), Role.ADMIN, new TenantId("acme"), "test", NOW));
        enrolment = new SeedEnrolment(store.seeds(), tenants, new AuditSink() {
            @Override
            public void commit(AuditEvent event) {
                audit.add(event);
            }

            @Override
            public void offer(AuditEvent event) {
                audit.add(event);
            }
        }, "test-instance");
        ConsoleSessions sessions = new ConsoleSessions(store.database());
        ann = sessions.create(new PersonId("ann"), "oidc:test#1", NOW, Duration.ofHours(1)).session();
        annElsewhere = sessions.create(new PersonId("ann"), "oidc:test#2", NOW, Duration.ofHours(1)).session();
    }

    private SeedEnrolment.Result.Pending read() {
        String text = "otpauth://totp/GitHub:ann%40acme.example?secret=" + A + "&issuer=GitHub\n"
                + "otpauth://totp/GitHub:bob%40acme.example?secret=" + B + "&issuer=GitHub\n";
        var result = enrolment.enrol(ann, new SeedEnrolment.Form("", text, null), NOW, META);
        assertThat(result).isInstanceOf(SeedEnrolment.Result.Pending.class);
        return (SeedEnrolment.Result.Pending) result;
    }

    @Test
    void moreSeedsThanOneEnrolmentTakes_refusedWithASentence_nothingHeldOrStored() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i <= dev.mfagate.core.admin.SeedAdmin.MAX_SEEDS_PER_UPLOAD; i++) {
            text.append("otpauth://totp/Svc:u").append(i).append("?secret=").append(A).append('\n');
        }

        var result = enrolment.enrol(ann, new SeedEnrolment.Form("", text.toString(), null), NOW, META);

        assertThat(result).isInstanceOf(SeedEnrolment.Result.Refused.class);
        assertThat(((SeedEnrolment.Result.Refused) result).message())
                .isEqualTo("Nothing was enrolled: one enrolment takes at most 100 seeds, and this one holds 101;"
                        + " export them in several parts.");
        assertThat(store.seeds().list()).hasSize(1);
        assertThat(audit).isEmpty();
    }

    @Test
    void pastTheTenantLimit_refusedWithASentenceNamingIt_nothingStored() throws Exception {
        List<java.util.Map.Entry<Label, dev.mfagate.core.totp.TotpSeed>> rows = new ArrayList<>();
        for (int i = 1; i < dev.mfagate.core.store.SeedRepository.MAX_SEEDS_PER_TENANT; i++) {
            rows.add(java.util.Map.entry(Label.parse("acme-s" + i), SeedParser.parse(C)));
        }
        store.seeds().addAll(rows, NOW);
        var pending = read();

        var result = enrolment.enrolPending(ann, pending.id(), List.of("acme-gh-ann", "acme-gh-bob"), NOW, META);

        assertThat(result).isInstanceOf(SeedEnrolment.Result.Refused.class);
        assertThat(((SeedEnrolment.Result.Refused) result).message()).isEqualTo("Nothing was enrolled: Tenant acme may"
                + " hold at most 1000 seeds; it holds 1000 and 2 more would exceed that; remove seeds it no longer needs first.");
        assertThat(store.seeds().count(new TenantId("acme"))).isEqualTo(1000);
        assertThat(audit).isEmpty();
    }

    @Test
    void severalSeeds_areHeldAndListedByIssuerAndAccount_withDerivedLabels_neverTheSecret() {
        var pending = read();

        assertThat(pending.rows()).extracting(SeedEnrolment.Row::name)
                .containsExactly("GitHub:ann@acme.example", "GitHub:bob@acme.example");
        assertThat(pending.rows()).extracting(SeedEnrolment.Row::label).containsExactly("acme-github", "acme-github-2");
        assertThat(pending.toString()).doesNotContain(A).doesNotContain(B);
        assertThat(store.seeds().list()).hasSize(1);
    }

    @Test
    void anyBadLabel_storesNothing_andNamesEachFailingEntry() {
        var pending = read();

        var result = enrolment.enrolPending(ann, pending.id(), List.of("acme-aws", "beta-x"), NOW, META);

        assertThat(result).isInstanceOf(SeedEnrolment.Result.Pending.class);
        var again = (SeedEnrolment.Result.Pending) result;
        assertThat(again.rows()).extracting(SeedEnrolment.Row::error).containsExactly(
                "Entry 1 (GitHub:ann@acme.example): a seed with the label acme-aws exists already.",
                "Entry 2 (GitHub:bob@acme.example): you may not add seeds for beta-x: only an admin of its tenant may.");
        assertThat(store.seeds().list()).hasSize(1);
        assertThat(audit).isEmpty();

        var same = (SeedEnrolment.Result.Pending) enrolment.enrolPending(ann, pending.id(), List.of("acme-one", "acme-one"), NOW, META);
        assertThat(same.rows()).extracting(SeedEnrolment.Row::error)
                .containsExactly(null, "Entry 2 (GitHub:bob@acme.example): the label acme-one is given to entry 1 too.");
        var missing = (SeedEnrolment.Result.Pending) enrolment.enrolPending(ann, pending.id(), List.of("acme-one"), NOW, META);
        assertThat(missing.rows().get(1).error()).contains("the label must be client-service");
        assertThat(store.seeds().list()).hasSize(1);
    }

    @Test
    void goodLabels_storeAll_oneAuditEntryEach_andTheImportIsGone() throws Exception {
        var pending = read();

        var result = enrolment.enrolPending(ann, pending.id(), List.of("acme-gh-ann", "acme-gh-bob"), NOW, META);

        assertThat(result).isInstanceOf(SeedEnrolment.Result.Enrolled.class);
        var done = ((SeedEnrolment.Result.Enrolled) result).done();
        assertThat(done).extracting(d -> d.label().value()).containsExactly("acme-gh-ann", "acme-gh-bob");
        assertThat(done.get(0).firstCode().code()).isEqualTo(
                dev.mfagate.core.totp.TotpGenerator.window(SeedParser.parse(A), NOW, Duration.ZERO).code());
        assertThat(store.seeds().list()).hasSize(3);
        assertThat(audit).hasSize(2).allSatisfy(e -> assertThat(e.reason()).isEqualTo("seed-add"));
        assertThat(enrolment.enrolPending(ann, pending.id(), List.of("acme-x", "acme-y"), NOW, META))
                .isInstanceOf(SeedEnrolment.Result.Refused.class);
        assertThat(store.seeds().list()).hasSize(3);
    }

    @Test
    void aHeldImport_isTheSessionsOnly_andGoneAfterItsTime() {
        var pending = read();

        var other = enrolment.enrolPending(annElsewhere, pending.id(), List.of("acme-x", "acme-y"), NOW, META);
        var late = enrolment.enrolPending(ann, pending.id(), List.of("acme-x", "acme-y"),
                NOW.plus(SeedEnrolment.PENDING_FOR), META);

        assertThat(other).isInstanceOf(SeedEnrolment.Result.Refused.class);
        assertThat(((SeedEnrolment.Result.Refused) other).message()).contains("no longer held");
        assertThat(late).isInstanceOf(SeedEnrolment.Result.Refused.class);
        assertThat(enrolment.enrolPending(ann, pending.id(), List.of("acme-x", "acme-y"), NOW, META))
                .as("expired means destroyed, not only hidden").isInstanceOf(SeedEnrolment.Result.Refused.class);
        assertThat(store.seeds().list()).hasSize(1);
    }

    @Test
    void aNewImport_replacesTheSessionsEarlierOne() {
        var first = read();
        var second = read();

        assertThat(enrolment.enrolPending(ann, first.id(), List.of("acme-x", "acme-y"), NOW, META))
                .isInstanceOf(SeedEnrolment.Result.Refused.class);
        assertThat(enrolment.enrolPending(ann, second.id(), List.of("acme-x", "acme-y"), NOW, META))
                .isInstanceOf(SeedEnrolment.Result.Enrolled.class);
        assertThat(second.id()).as("144 random bits, URL-safe").matches("[A-Za-z0-9_-]{24}");
    }
}
