package dev.mfagate.core.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.core.tenant.AdminAuthorizer.Action;
import dev.mfagate.core.tenant.AdminAuthorizer.Decision;
import dev.mfagate.core.tenant.AdminAuthorizer.Resource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every role × resource × action × target (own tenant, other tenant, organisation) against {@link AdminTable}. */
class AdminAuthorizerTest {

    static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    static final TenantId ACME = new TenantId("acme");
    static final TenantId BETA = new TenantId("beta");
    static final Holder ANN = new Holder.PersonHolder(new PersonId("ann"));

    static Stream<Arguments> matrix() {
        List<Arguments> out = new ArrayList<>();
        for (String role : new String[] {"operator", "auditor", "admin", "approver", "member", "none"}) {
            for (String target : new String[] {"org", "own", "other"}) {
                if (role.equals("none") && target.equals("own")) {
                    continue;
                }
                for (Resource r : Resource.values()) {
                    for (Action a : Action.values()) {
                        out.add(Arguments.of(role, target, r, a, AdminTable.expected(role, target, r, a)));
                    }
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} on {1}: {3} {2} -> {4}")
    @MethodSource("matrix")
    void decide_singleRole_answersAsTheTable(String role, String target, Resource resource, Action action, Decision expected) {
        List<RoleBinding> bindings = new ArrayList<>();
        if (!role.equals("none")) {
            Role r = Role.parse(role);
            bindings.add(new RoleBinding(ANN, r, r.isOrganisational() ? Scope.ORGANISATION : ACME, "op", NOW));
        }
        Scope where = switch (target) {
            case "org" -> Scope.ORGANISATION;
            case "own" -> ACME;
            default -> BETA;
        };
        assertThat(AdminAuthorizer.decide(bindings, resource, action, where)).isEqualTo(expected);
    }

    @Test
    void decide_adminOfOneTenantAndMemberOfAnother_eachTenantAnsweredByItsOwnRole() {
        List<RoleBinding> bindings = List.of(new RoleBinding(ANN, Role.ADMIN, ACME, "op", NOW),
                new RoleBinding(ANN, Role.MEMBER, BETA, "op", NOW));
        assertThat(AdminAuthorizer.decide(bindings, Resource.SEEDS, Action.CHANGE, ACME)).isEqualTo(Decision.ALLOW);
        assertThat(AdminAuthorizer.decide(bindings, Resource.SEEDS, Action.READ, BETA)).isEqualTo(Decision.DENY);
        assertThat(AdminAuthorizer.decide(bindings, Resource.SEEDS, Action.READ, new TenantId("gamma")))
                .isEqualTo(Decision.NOT_VISIBLE);
    }

    @Test
    void decide_roleHeldThroughZulipGroupOrSsoClaim_countsForTheActor() {
        List<RoleBinding> all = List.of(new RoleBinding(new Holder.ZulipGroup(7), Role.ADMIN, ACME, "op", NOW),
                new RoleBinding(new Holder.SsoGroup("mfa-audit"), Role.AUDITOR, Scope.ORGANISATION, "op", NOW));
        AdminActor inGroup = new AdminActor(Optional.empty(), Set.of(7L), Set.of());
        AdminActor auditor = new AdminActor(Optional.empty(), Set.of(), Set.of("mfa-audit"));
        AdminActor stranger = new AdminActor(Optional.of(new PersonId("zed")), Set.of(8L), Set.of("other"));
        assertThat(AdminAuthorizer.decide(all, inGroup, Resource.RULES, Action.CHANGE, ACME)).isEqualTo(Decision.ALLOW);
        assertThat(AdminAuthorizer.decide(all, auditor, Resource.AUDIT, Action.READ, BETA)).isEqualTo(Decision.ALLOW);
        assertThat(AdminAuthorizer.decide(all, auditor, Resource.SEEDS, Action.READ, BETA)).isEqualTo(Decision.DENY);
        assertThat(AdminAuthorizer.decide(all, stranger, Resource.TENANT, Action.READ, ACME)).isEqualTo(Decision.NOT_VISIBLE);
    }
}
