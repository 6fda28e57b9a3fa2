package dev.mfagate.core.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.core.tenant.AdminAuthorizer;
import dev.mfagate.core.tenant.AdminAuthorizer.Action;
import dev.mfagate.core.tenant.AdminAuthorizer.Decision;
import dev.mfagate.core.tenant.AdminAuthorizer.Resource;
import dev.mfagate.core.tenant.AdminActor;
import dev.mfagate.core.tenant.Holder;
import dev.mfagate.core.tenant.PersonId;
import dev.mfagate.core.tenant.Role;
import dev.mfagate.core.tenant.RoleBinding;
import dev.mfagate.core.tenant.Scope;
import dev.mfagate.core.tenant.TenantId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AdminCallerTest {

    private static final Instant NOW = Instant.parse("2026-12-06T00:00:00Z");
    private static final RoleBinding ANN_ADMIN_OF_ACME = new RoleBinding(new Holder.PersonHolder(new PersonId("ann")),
            Role.ADMIN, new TenantId("acme"), "test", NOW);
    private static final RoleBinding BEN_ADMIN_OF_BETA = new RoleBinding(new Holder.PersonHolder(new PersonId("ben")),
            Role.ADMIN, new TenantId("beta"), "test", NOW);
    private static final AdminActor ANN = new AdminActor(Optional.of(new PersonId("ann")), java.util.Set.of(), java.util.Set.of());

    @Test
    void session_holdsOnlyThePersonsBindings_andIsDecidedByThem() {
        AdminCaller ann = AdminCaller.session(ANN, "ab12", List.of(ANN_ADMIN_OF_ACME, BEN_ADMIN_OF_BETA));
        assertThat(ann.bindings()).containsExactly(ANN_ADMIN_OF_ACME);
        assertThat(AdminDesk.decide(ann, Resource.RULES, Action.CHANGE, new TenantId("acme"))).isEqualTo(Decision.ALLOW);
        assertThat(AdminDesk.decide(ann, Resource.RULES, Action.CHANGE, new TenantId("beta"))).isEqualTo(Decision.NOT_VISIBLE);
        assertThat(AdminDesk.decide(ann, Resource.KEYS, Action.READ, Scope.ORGANISATION)).isEqualTo(Decision.DENY);
    }

    @Test
    void session_describe_namesThePersonAndSession_notAToken() {
        AdminCaller ann = AdminCaller.session(ANN, "ab12", List.of(BEN_ADMIN_OF_BETA));
        assertThat(ann.describe()).isEqualTo("person:ann (console session ab12)");
        assertThat(ann.bindings()).isEmpty();
        assertThat(AdminDesk.decide(ann, Resource.TENANT, Action.READ, new TenantId("acme"))).isEqualTo(Decision.NOT_VISIBLE);
    }

    @Test
    void tokenCaller_keepsItsOneRoleBinding() {
        AdminCaller token = new AdminCaller("abcdefghijklmnop", Optional.of(Role.ADMIN), new TenantId("acme"));
        assertThat(token.bindings()).singleElement()
                .satisfies(b -> assertThat(b.holder()).isEqualTo(new Holder.ApiToken("abcdefghijklmnop")));
        assertThat(token.describe()).isEqualTo("token abcdefghijklmnop (admin of acme)");
        assertThat(AdminAuthorizer.decide(token.bindings(), Resource.TOKENS, Action.CHANGE, new TenantId("acme")))
                .isEqualTo(Decision.ALLOW);
    }
}
