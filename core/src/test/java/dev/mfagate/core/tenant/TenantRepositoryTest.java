package dev.mfagate.core.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mfagate.core.Label;
import dev.mfagate.core.LabelPattern;
import dev.mfagate.core.crypto.Keyring;
import dev.mfagate.core.policy.PolicyRepository;
import dev.mfagate.core.policy.Principal;
import dev.mfagate.core.policy.Rule;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.store.TokenInfo;
import dev.mfagate.core.testing.PolicyTestDatabases;
import dev.mfagate.core.testing.PolicyTestDatabases.Backend;
import dev.mfagate.core.testing.TestSeeds;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TenantRepositoryTest {

    @RegisterExtension
    static final PolicyTestDatabases DBS = new PolicyTestDatabases();

    static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

    @TempDir
    Path dir;

    private Store store(Backend backend) {
        return Store.open(DBS.fresh(backend).db(), Keyring.createFile(dir.resolve("keyset.json")));
    }

    private static List<String> tenantIds(TenantRepository repo) {
        return repo.tenants().stream().map(t -> t.id().value()).toList();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void seedTokenAndRule_newClients_createTheirTenants(Backend backend) {
        Store s = store(backend);
        TenantRepository tenants = new TenantRepository(s.database());
        s.seeds().add(Label.parse("acme-aws"), TestSeeds.random(), NOW);
        TokenInfo beta = s.tokens().create("beta-ci", "beta-*", false, Optional.empty(), NOW).info();
        TokenInfo wide = s.tokens().create("wide", "*", false, Optional.empty(), NOW).info();
        PolicyRepository policy = new PolicyRepository(s.database());
        policy.grant(Rule.of("g1", Principal.parse("user:1"), LabelPattern.parse("gamma-x"), "t", NOW));
        policy.grant(Rule.of("all", Principal.parse("user:1"), LabelPattern.parse("*-aws"), "t", NOW));

        assertThat(tenantIds(tenants)).containsExactly("acme", "beta", "gamma");
        assertThat(beta.owner()).isEqualTo(new TenantId("beta"));
        assertThat(wide.owner()).isEqualTo(Scope.ORGANISATION);
        assertThat(s.tokens().list()).extracting(TokenInfo::owner)
                .containsExactlyInAnyOrder(new TenantId("beta"), Scope.ORGANISATION);
        assertThat(policy.owners()).containsEntry("g1", new TenantId("gamma")).containsEntry("all", Scope.ORGANISATION);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void grantAndCreate_tenantOwnerWithCrossTenantPattern_refusedAndNothingWritten(Backend backend) {
        Store s = store(backend);
        PolicyRepository policy = new PolicyRepository(s.database());
        TenantId acme = new TenantId("acme");
        for (String pattern : new String[] {"*", "a*", "beta-*", "*-aws"}) {
            assertThatThrownBy(() -> policy.grant(Rule.of("r1", Principal.parse("user:1"), LabelPattern.parse(pattern), "t", NOW), acme))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("Tenant acme's objects may name only its own labels");
            assertThatThrownBy(() -> s.tokens().create("t-" + pattern.length(), pattern, false, Optional.empty(), NOW, acme))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("Tenant acme's objects may name only its own labels");
        }
        assertThat(policy.list()).isEmpty();
        assertThat(s.tokens().list()).isEmpty();
        assertThat(new TenantRepository(s.database()).tenants()).isEmpty();

        policy.grant(Rule.of("r2", Principal.parse("user:1"), LabelPattern.parse("acme-*"), "t", NOW), acme);
        assertThat(policy.owners()).containsEntry("r2", acme);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void link_identityOfAnotherPerson_refused_unlinkThenLinkWorks(Backend backend) {
        Store s = store(backend);
        TenantRepository repo = new TenantRepository(s.database());
        PersonId ann = new PersonId("ann");
        PersonId bob = new PersonId("bob");
        repo.addPerson(ann, "Ann Lee", NOW);
        repo.addPerson(bob, "Bob", NOW);
        Identity zulip = Identity.parse("zulip:42");
        Identity sso = Identity.parse("oidc:https://id.example.com#abc-123");

        assertThat(repo.link(ann, zulip, NOW)).isTrue();
        assertThat(repo.link(ann, zulip, NOW)).isFalse();
        assertThat(repo.link(ann, sso, NOW)).isTrue();
        assertThatThrownBy(() -> repo.link(bob, zulip, NOW)).hasMessage("That zulip identity belongs to person ann; unlink it there first");
        assertThatThrownBy(() -> repo.addPerson(ann, "Again", NOW)).hasMessageContaining("exists");
        assertThatThrownBy(() -> repo.link(new PersonId("carl"), zulip, NOW)).hasMessageStartingWith("No person carl");
        assertThat(repo.personOf(zulip)).contains(ann);
        assertThat(repo.person(ann).orElseThrow().identities()).containsExactlyInAnyOrder(zulip, sso);

        assertThat(repo.unlink(bob, zulip)).isFalse();
        assertThat(repo.unlink(ann, zulip)).isTrue();
        assertThat(repo.link(bob, zulip, NOW)).isTrue();
        assertThat(repo.personOf(zulip)).contains(bob);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void bind_rolesInTenantsAndOrganisation_listedPerScope(Backend backend) {
        Store s = store(backend);
        TenantRepository repo = new TenantRepository(s.database());
        PersonId ann = new PersonId("ann");
        repo.addPerson(ann, "Ann", NOW);
        TenantId acme = new TenantId("acme");
        Holder annH = new Holder.PersonHolder(ann);

        assertThatThrownBy(() -> repo.bind(new RoleBinding(annH, Role.ADMIN, acme, "op", NOW)))
                .hasMessageStartingWith("No tenant acme; add it first");
        assertThat(repo.addTenant(acme, NOW)).isTrue();
        assertThat(repo.addTenant(acme, NOW)).isFalse();
        assertThat(repo.bind(new RoleBinding(annH, Role.ADMIN, acme, "op", NOW))).isTrue();
        assertThat(repo.bind(new RoleBinding(annH, Role.ADMIN, acme, "op", NOW))).isFalse();
        assertThat(repo.bind(new RoleBinding(new Holder.ZulipGroup(7), Role.MEMBER, acme, "op", NOW))).isTrue();
        assertThat(repo.bind(new RoleBinding(new Holder.SsoGroup("mfa-ops"), Role.OPERATOR, Scope.ORGANISATION, "op", NOW))).isTrue();
        assertThatThrownBy(() -> repo.bind(new RoleBinding(new Holder.PersonHolder(new PersonId("zed")), Role.AUDITOR,
                Scope.ORGANISATION, "op", NOW))).hasMessageStartingWith("No person zed");

        assertThat(repo.bindings(acme)).extracting(b -> b.holder().text() + " " + b.role().text())
                .containsExactly("group:7 member", "person:ann admin");
        assertThat(repo.bindings(Scope.ORGANISATION)).extracting(b -> b.holder().text()).containsExactly("sso-group:mfa-ops");
        assertThat(repo.bindingsOf(List.of(annH, new Holder.ZulipGroup(7)))).hasSize(2);

        assertThat(repo.unbind(annH, Role.ADMIN, acme)).isTrue();
        assertThat(repo.unbind(annH, Role.ADMIN, acme)).isFalse();
        assertThat(repo.bindings(acme)).hasSize(1);
    }

    @org.junit.jupiter.api.Test
    void roleBinding_roleAndScopeMismatch_refused() {
        Holder h = new Holder.ZulipGroup(1);
        assertThatThrownBy(() -> new RoleBinding(h, Role.OPERATOR, new TenantId("acme"), "op", NOW))
                .hasMessageContaining("organisation role");
        assertThatThrownBy(() -> new RoleBinding(h, Role.MEMBER, Scope.ORGANISATION, "op", NOW))
                .hasMessageContaining("tenant role");
        assertThatThrownBy(() -> new RoleBinding(new Holder.SsoGroup("x"), Role.ADMIN, new TenantId("acme"), "op", NOW))
                .hasMessageContaining("SSO group claims hold organisation roles only");
    }
}
