package dev.mfagate.core.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.core.Label;
import dev.mfagate.core.LabelPattern;
import dev.mfagate.core.policy.Policy;
import dev.mfagate.core.policy.PolicyDecision;
import dev.mfagate.core.policy.Principal;
import dev.mfagate.core.policy.Rule;
import dev.mfagate.core.policy.Subject;
import dev.mfagate.core.tenant.AdminAuthorizer.Action;
import dev.mfagate.core.tenant.AdminAuthorizer.Decision;
import dev.mfagate.core.tenant.AdminAuthorizer.Resource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random worlds of tenants, people (with Zulip identities), role bindings held by people, Zulip
 * groups and SSO claims, and tenant- or organisation-owned rules (including {@code person:} rules),
 * against a small reference model written separately here: {@link AdminTable} read cell by cell
 * for admin acts, plain loops and regex globs for code requests. Each try checks one admin act and
 * one code request.
 */
class TenantPropertyTest {

    static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    static final List<String> TENANTS = List.of("acme", "beta", "gamma");
    static final List<String> LABELS = List.of("acme-aws", "acme-db", "beta-aws", "beta-db", "gamma-x");
    static final List<String> PEOPLE = List.of("ann", "bob", "cat");
    static final List<String> HOLDERS = List.of("person:ann", "person:bob", "person:cat", "group:1", "group:2",
            "sso-group:ops", "sso-group:audit");
    static final List<String> PRINCIPALS = List.of("user:1", "user:2", "user:3", "group:1", "group:2", "channel:1",
            "channel:2", "person:ann", "person:bob", "person:cat");
    static final List<String> ORG_PATTERNS = List.of("*", "*-aws", "a*", "acme-*", "b*", "*-db");
    static final List<String> TENANT_PATTERNS = List.of("-*", "-aws", "-db", "-x", "-aws*");

    /** The world: which Zulip user is which person, the role bindings, the rules and who owns each. */
    record World(Map<Long, String> zulipToPerson, List<RoleBinding> bindings, List<Rule> rules, Map<String, Scope> owners) {
    }

    record AdminAct(Optional<String> person, Set<Long> groups, Set<String> sso, Resource resource, Action action,
                    Optional<String> target) {
    }

    record CodeRequest(long zulipUser, Set<Long> groups, Set<Long> channels, String label) {
    }

    @Provide
    Arbitrary<World> worlds() {
        Arbitrary<Map<Long, String>> links = Arbitraries.maps(Arbitraries.of(1L, 2L, 3L), Arbitraries.of(PEOPLE)).ofMaxSize(3);
        Arbitrary<RoleBinding> binding = Combinators.combine(Arbitraries.of(HOLDERS), Arbitraries.of(Role.values()),
                Arbitraries.of(TENANTS)).as((h, r, t) -> {
                    Holder holder = Holder.parse(h);
                    if (holder instanceof Holder.SsoGroup && !r.isOrganisational()) {
                        return null;
                    }
                    return new RoleBinding(holder, r, r.isOrganisational() ? Scope.ORGANISATION : new TenantId(t), "prop", NOW);
                }).filter(b -> b != null);
        Arbitrary<OwnedRule> rule = Combinators.combine(Arbitraries.integers().between(0, 9), Arbitraries.of(PRINCIPALS),
                Arbitraries.of(TENANTS).optional(), Arbitraries.integers().between(0, 5), Arbitraries.of(-1, 0, 1))
                .as((id, principal, tenant, patternIndex, expiry) -> {
                    String pattern = tenant.map(t -> t + TENANT_PATTERNS.get(patternIndex % TENANT_PATTERNS.size()))
                            .orElse(ORG_PATTERNS.get(patternIndex % ORG_PATTERNS.size()));
                    Rule r = new Rule("r" + id, Principal.parse(principal), LabelPattern.parse(pattern),
                            expiry == -1 ? Optional.empty() : Optional.of(expiry == 0 ? NOW.minusSeconds(5) : NOW.plusSeconds(5)),
                            OptionalInt.empty(), "prop", NOW.minusSeconds(100));
                    return new OwnedRule(r, tenant.<Scope>map(TenantId::new).orElse(Scope.ORGANISATION));
                });
        return Combinators.combine(links, binding.list().ofMaxSize(6), rule.list().ofMaxSize(8).uniqueElements(o -> o.rule().id()))
                .as((l, b, r) -> {
                    Map<String, Scope> owners = new java.util.HashMap<>();
                    r.forEach(o -> owners.put(o.rule().id(), o.owner()));
                    return new World(l, b.stream().distinct().toList(), r.stream().map(OwnedRule::rule).toList(), owners);
                });
    }

    record OwnedRule(Rule rule, Scope owner) {
    }

    @Provide
    Arbitrary<AdminAct> adminActs() {
        return Combinators.combine(Arbitraries.of(PEOPLE).optional(), Arbitraries.of(1L, 2L).set().ofMaxSize(2),
                Arbitraries.of("ops", "audit", "other").set().ofMaxSize(2), Arbitraries.of(Resource.values()),
                Arbitraries.of(Action.values()), Arbitraries.of(TENANTS).optional()).as(AdminAct::new);
    }

    @Provide
    Arbitrary<CodeRequest> codeRequests() {
        return Combinators.combine(Arbitraries.of(1L, 2L, 3L, 4L), Arbitraries.of(1L, 2L).set().ofMaxSize(2),
                Arbitraries.of(1L, 2L).set().ofMaxSize(2), Arbitraries.of(LABELS)).as(CodeRequest::new);
    }

    @Property(tries = 10_000)
    void adminActAndCodeRequest_randomWorld_matchReference(@ForAll("worlds") World world, @ForAll("adminActs") AdminAct act,
                                                           @ForAll("codeRequests") CodeRequest code) {
        AdminActor actor = new AdminActor(act.person().map(PersonId::new), act.groups(), act.sso());
        Scope target = act.target().<Scope>map(TenantId::new).orElse(Scope.ORGANISATION);
        assertThat(AdminAuthorizer.decide(world.bindings(), actor, act.resource(), act.action(), target))
                .as("admin act %s", act).isEqualTo(referenceAdmin(world, act));

        Optional<String> person = Optional.ofNullable(world.zulipToPerson().get(code.zulipUser()));
        Subject subject = Subject.onBehalf(new Subject.Token("bot", LabelPattern.ALL, true),
                new Subject.OnBehalf(code.zulipUser(), Optional.empty(), code.groups(), code.channels()));
        if (person.isPresent()) {
            subject = subject.asPerson(new PersonId(person.get()));
        }
        PolicyDecision decision = new Policy(1, world.rules()).decide(subject, Label.parse(code.label()), NOW);
        String rendered = decision instanceof PolicyDecision.Denied d ? "DENY:" + d.reason() : "ALLOW";
        assertThat(rendered).as("code request %s", code).isEqualTo(referenceCode(world, code, person));
        if (decision instanceof PolicyDecision.Allowed a && a.rule().isPresent()) {
            Scope owner = world.owners().get(a.rule().get().id());
            owner.tenant().ifPresent(t -> assertThat(code.label()).as("a tenant's rule grants only its labels")
                    .startsWith(t.value() + "-"));
        }
    }

    /** The table, held by every binding that names the actor, best answer wins; no role at all: "none". */
    static Decision referenceAdmin(World world, AdminAct act) {
        Set<String> me = new HashSet<>();
        act.person().ifPresent(p -> me.add("person:" + p));
        act.groups().forEach(g -> me.add("group:" + g));
        act.sso().forEach(s -> me.add("sso-group:" + s));
        List<Decision> answers = new ArrayList<>();
        answers.add(AdminTable.expected("none", act.target().isPresent() ? "other" : "org", act.resource(), act.action()));
        for (RoleBinding b : world.bindings()) {
            if (!me.contains(b.holder().text())) {
                continue;
            }
            String role = b.role().text();
            String where;
            if (act.target().isEmpty()) {
                where = "org";
            } else if (b.role().isOrganisational()) {
                where = "own";
            } else {
                where = b.scope().toString().equals(act.target().get()) ? "own" : "other";
            }
            answers.add(AdminTable.expected(role, where, act.resource(), act.action()));
        }
        if (answers.contains(Decision.ALLOW)) {
            return Decision.ALLOW;
        }
        return answers.contains(Decision.DENY) ? Decision.DENY : Decision.NOT_VISIBLE;
    }

    /** Any unexpired rule for the user, their groups, channels or person whose glob matches; roles play no part. */
    static String referenceCode(World world, CodeRequest code, Optional<String> person) {
        Set<String> me = new HashSet<>();
        me.add("user:" + code.zulipUser());
        code.groups().forEach(g -> me.add("group:" + g));
        code.channels().forEach(c -> me.add("channel:" + c));
        person.ifPresent(p -> me.add("person:" + p));
        boolean expired = false;
        for (Rule r : world.rules()) {
            if (!me.contains(r.principal().text()) || !glob(r.pattern().value(), code.label())) {
                continue;
            }
            if (r.expiresAt().isEmpty() || r.expiresAt().get().isAfter(NOW)) {
                return "ALLOW";
            }
            expired = true;
        }
        return expired ? "DENY:GRANT_EXPIRED" : "DENY:NO_MATCHING_RULE";
    }

    static boolean glob(String pattern, String text) {
        List<String> parts = java.util.Arrays.stream(pattern.split("\\*", -1)).map(Pattern::quote).toList();
        return Pattern.matches(String.join(".*", parts), text);
    }
}
