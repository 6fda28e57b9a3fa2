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
import net.jqwik.api.lifecycle.AfterContainer;
import dev.mfagate.core.admin.AdminCaller;
import dev.mfagate.core.admin.AdminRequest;
import dev.mfagate.core.admin.AdminResult;
import dev.mfagate.core.admin.AdminServices;
import dev.mfagate.core.admin.AuditAdmin;
import dev.mfagate.core.audit.AuditEvent;
import dev.mfagate.core.issue.AuditSink;
import dev.mfagate.core.issue.RequestMeta;
import dev.mfagate.core.policy.PolicyRepository;
import dev.mfagate.core.seed.SeedParser;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.testing.TestFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CopyOnWriteArrayList;

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

    // ------------------------------------------------------------ admin acts through the core services

    /** One act of the admin API, as its core service call. */
    enum ApiAct {
        LIST_SEEDS(Resource.SEEDS, Action.READ), LIST_RULES(Resource.RULES, Action.READ),
        LIST_TOKENS(Resource.TOKENS, Action.READ), LIST_MEMBERS(Resource.MEMBERS, Action.READ),
        QUERY_AUDIT(Resource.AUDIT, Action.READ), LABEL_ACCESS(Resource.RULES, Action.READ),
        DISABLE_SEED(Resource.SEEDS, Action.CHANGE), REVOKE_RULE(Resource.RULES, Action.CHANGE),
        REMOVE_MEMBER(Resource.MEMBERS, Action.CHANGE);

        final Resource resource;
        final Action action;

        ApiAct(Resource resource, Action action) {
            this.resource = resource;
            this.action = action;
        }
    }

    /** A token caller ({@code role} "none": a code token) of {@code home}, acting in {@code target} ("org" or a tenant). */
    record ApiCall(String role, String home, String target, ApiAct act, String label) {
    }

    private static final String SEED = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    private static final List<AuditEvent> EVENTS = new CopyOnWriteArrayList<>();
    private static Store store;
    private static Path storeDir;
    private static AdminServices services;

    /** One store for every try: seeds, tokens and rules in acme and beta, an organisation rule; an in-memory audit sink. */
    private static synchronized AdminServices services() throws Exception {
        if (services == null) {
            storeDir = Files.createTempDirectory("tenant-property");
            store = Store.init(storeDir.resolve("data"));
            store.seeds().add(Label.parse("acme-aws"), SeedParser.parse(SEED), NOW);
            store.seeds().add(Label.parse("beta-aws"), SeedParser.parse(SEED), NOW);
            store.tokens().create("acme-ci", "acme-*", false, Optional.empty(), NOW);
            store.tokens().create("beta-ci", "beta-*", false, Optional.empty(), NOW);
            store.tokens().create("org-ci", "*", false, Optional.empty(), NOW);
            PolicyRepository policy = new PolicyRepository(store.database());
            policy.grant(Rule.of("ra", new Principal.ZulipUser(1), LabelPattern.parse("acme-*"), "test", NOW));
            policy.grant(Rule.of("rb", new Principal.ZulipUser(1), LabelPattern.parse("beta-*"), "test", NOW));
            policy.grant(Rule.of("ro", new Principal.ZulipUser(1), LabelPattern.parse("*"), "test", NOW), Scope.ORGANISATION);
            TenantRepository people = new TenantRepository(store.database());
            for (String p : PEOPLE) {
                people.addPerson(new PersonId(p), p, NOW);
            }
            STORED_BINDINGS.forEach(people::bind);
            services = AdminServices.of(store, new dev.mfagate.core.policy.PolicyRepository(store.database()), new AuditSink() {
                @Override
                public void commit(AuditEvent event) {
                    EVENTS.add(event);
                }

                @Override
                public void offer(AuditEvent event) {
                    EVENTS.add(event);
                }
            }, "property");
        }
        return services;
    }

    /**
     * The bindings the session callers below find in the store: every tenant role held by a person
     * and by a Zulip group, the organisation roles by SSO groups (and one by a person).
     */
    static final List<RoleBinding> STORED_BINDINGS = List.of(
            new RoleBinding(Holder.parse("person:ann"), Role.ADMIN, new TenantId("acme"), "prop", NOW),
            new RoleBinding(Holder.parse("person:bob"), Role.MEMBER, new TenantId("beta"), "prop", NOW),
            new RoleBinding(Holder.parse("person:cat"), Role.AUDITOR, Scope.ORGANISATION, "prop", NOW),
            new RoleBinding(Holder.parse("group:1"), Role.ADMIN, new TenantId("beta"), "prop", NOW),
            new RoleBinding(Holder.parse("group:2"), Role.APPROVER, new TenantId("acme"), "prop", NOW),
            new RoleBinding(Holder.parse("group:3"), Role.MEMBER, new TenantId("acme"), "prop", NOW),
            new RoleBinding(Holder.parse("sso-group:ops"), Role.OPERATOR, Scope.ORGANISATION, "prop", NOW),
            new RoleBinding(Holder.parse("sso-group:audit"), Role.AUDITOR, Scope.ORGANISATION, "prop", NOW));

    /** Closes the store and removes its directory (keyset and database), so that no run leaves them behind. */
    @AfterContainer
    static void closeStore() throws IOException {
        if (store != null) {
            store.close();
        }
        if (storeDir != null) {
            TestFiles.deleteTree(storeDir);
        }
    }

    @Provide
    Arbitrary<ApiCall> apiCalls() {
        return Combinators.combine(Arbitraries.of("operator", "auditor", "admin", "approver", "member", "none"),
                Arbitraries.of("acme", "beta"), Arbitraries.of("org", "acme", "beta", "gamma"), Arbitraries.of(ApiAct.values()),
                Arbitraries.of("acme-aws", "beta-aws", "acme-none", "gamma-x")).as(ApiCall::new);
    }

    // Randomised, not exhaustive: jqwik would enumerate the 1,728 combinations once; 10,000 random
    // tries also cover the order of acts (a seed disabled before, then again).
    @Property(tries = 10_000, generation = net.jqwik.api.GenerationMode.RANDOMIZED)
    void adminApiAct_randomCaller_matchesReferenceAndStaysInTarget(@ForAll("apiCalls") ApiCall call) throws Exception {
        AdminServices admin = services();
        boolean organisational = call.role().equals("operator") || call.role().equals("auditor");
        Scope owner = organisational ? Scope.ORGANISATION : new TenantId(call.home());
        Optional<Role> role = call.role().equals("none") ? Optional.empty() : Optional.of(Role.parse(call.role()));
        String tokenId = "a".repeat(15) + (organisational ? "b" : call.home().charAt(0));
        Scope target = call.target().equals("org") ? Scope.ORGANISATION : new TenantId(call.target());
        AdminRequest r = new AdminRequest(new AdminCaller(tokenId, role, owner), target, new RequestMeta("rid", "/api/v1/x", null), NOW);
        int eventsBefore = EVENTS.size();

        AdminResult<?> result = switch (call.act()) {
            case LIST_SEEDS -> admin.seeds().list(r);
            case LIST_RULES -> admin.rules().list(r);
            case LIST_TOKENS -> admin.tokens().list(r);
            case LIST_MEMBERS -> admin.tenants().members(r);
            case QUERY_AUDIT -> admin.audit().query(r, new AuditAdmin.Ask(null, null, null, null, null, null, null));
            case LABEL_ACCESS -> admin.rules().access(r, call.label());
            case DISABLE_SEED -> admin.seeds().disable(r, call.label());
            case REVOKE_RULE -> admin.rules().revoke(r, "no-such-rule");
            case REMOVE_MEMBER -> admin.tenants().removeMember(r, "group:999", call.target().equals("org") ? "auditor" : "member");
        };

        String expected = referenceApi(call);
        String actual = switch (result) {
            case AdminResult.Done<?> d -> "DONE";
            case AdminResult.Refused<?> f -> f.kind().name();
        };
        assertThat(actual).as("%s", call).isEqualTo(expected);
        if (result instanceof AdminResult.Refused<?> f && f.kind() == AdminResult.Kind.NOT_FOUND) {
            assertThat(f.message()).as("not visible and missing read alike").isEqualTo(AdminResult.NOT_FOUND_MESSAGE);
        }
        assertThat(EVENTS.size() - eventsBefore).as("a done act is audited once; a refused one writes nothing")
                .isEqualTo(actual.equals("DONE") && !(call.act() == ApiAct.DISABLE_SEED && alreadyDisabled(call)) ? 1 : 0);
        if (result instanceof AdminResult.Done<?> d && d.value() instanceof List<?> listed) {
            for (Object o : listed) {
                Scope of = switch (o) {
                    case dev.mfagate.core.admin.SeedAdmin.Listed s -> Scope.of(LabelPattern.parse(s.info().label().value()));
                    case dev.mfagate.core.admin.RuleAdmin.Owned ro -> call.act() == ApiAct.LABEL_ACCESS ? target : ro.owner();
                    case dev.mfagate.core.admin.TokenAdmin.Listed t -> t.info().owner();
                    case RoleBinding b -> b.scope();
                    default -> throw new AssertionError("unexpected " + o);
                };
                assertThat(of).as("%s lists only its target's objects", call).isEqualTo(target);
            }
        }
        for (int i = eventsBefore; i < EVENTS.size(); i++) {
            assertThat(String.valueOf(EVENTS.get(i))).doesNotContain(SEED).doesNotContain(SEED.toLowerCase());
        }
    }

    /** A console-like caller: a person (or none), the Zulip groups and SSO groups it is known by, acting in {@code target}. */
    record SessionCall(Optional<String> person, Set<Long> groups, Set<String> sso, String target, ApiAct act, String label) {
    }

    @Provide
    Arbitrary<SessionCall> sessionCalls() {
        return Combinators.combine(Arbitraries.of(PEOPLE).optional(), Arbitraries.of(1L, 2L, 3L).set().ofMaxSize(2),
                Arbitraries.of("ops", "audit", "other").set().ofMaxSize(2), Arbitraries.of("org", "acme", "beta", "gamma"),
                Arbitraries.of(ApiAct.values()), Arbitraries.of("acme-aws", "beta-aws", "acme-none", "gamma-x"))
                .as(SessionCall::new);
    }

    // The caller's roles come from the store's bindings held by its person, its Zulip groups and its
    // SSO groups (AdminServices.caller(actor, ...)); the reference reads STORED_BINDINGS by holder text.
    @Property(tries = 10_000, generation = net.jqwik.api.GenerationMode.RANDOMIZED)
    void adminApiAct_randomSessionActor_matchesReferenceOverPersonGroupAndSsoHolders(@ForAll("sessionCalls") SessionCall call)
            throws Exception {
        AdminServices admin = services();
        AdminActor actor = new AdminActor(call.person().map(PersonId::new), call.groups(), call.sso());
        Scope target = call.target().equals("org") ? Scope.ORGANISATION : new TenantId(call.target());
        AdminRequest r = new AdminRequest(admin.caller(actor, "ref000000000"), target, new RequestMeta("rid", "/api/v1/x", null), NOW);
        int eventsBefore = EVENTS.size();

        AdminResult<?> result = act(admin, r, call.act(), call.target(), call.label());

        Set<String> me = new HashSet<>();
        call.person().ifPresent(p -> me.add("person:" + p));
        call.groups().forEach(g -> me.add("group:" + g));
        call.sso().forEach(g -> me.add("sso-group:" + g));
        List<String> roles = new ArrayList<>(List.of("none"));
        List<String> homes = new ArrayList<>(List.of("acme"));
        for (RoleBinding b : STORED_BINDINGS) {
            if (me.contains(b.holder().text())) {
                roles.add(b.role().text());
                homes.add(b.scope().tenant().map(TenantId::value).orElse("acme"));
            }
        }
        ApiCall asCall = new ApiCall("none", "acme", call.target(), call.act(), call.label());
        String expected = referenceActs(roles, homes, asCall);
        String actual = switch (result) {
            case AdminResult.Done<?> d -> "DONE";
            case AdminResult.Refused<?> f -> f.kind().name();
        };
        assertThat(actual).as("%s holding %s", call, me).isEqualTo(expected);
        if (result instanceof AdminResult.Refused<?> f && f.kind() == AdminResult.Kind.NOT_FOUND) {
            assertThat(f.message()).as("not visible and missing read alike").isEqualTo(AdminResult.NOT_FOUND_MESSAGE);
        }
        assertThat(EVENTS.size() - eventsBefore).as("a done act is audited once; a refused one writes nothing")
                .isEqualTo(actual.equals("DONE") && !(call.act() == ApiAct.DISABLE_SEED && alreadyDisabled(asCall)) ? 1 : 0);
        for (int i = eventsBefore; i < EVENTS.size(); i++) {
            assertThat(EVENTS.get(i).detail()).as("the audit names the session's person").contains("(console session ref000000000");
        }
    }

    private static AdminResult<?> act(AdminServices admin, AdminRequest r, ApiAct act, String target, String label) {
        return switch (act) {
            case LIST_SEEDS -> admin.seeds().list(r);
            case LIST_RULES -> admin.rules().list(r);
            case LIST_TOKENS -> admin.tokens().list(r);
            case LIST_MEMBERS -> admin.tenants().members(r);
            case QUERY_AUDIT -> admin.audit().query(r, new AuditAdmin.Ask(null, null, null, null, null, null, null));
            case LABEL_ACCESS -> admin.rules().access(r, label);
            case DISABLE_SEED -> admin.seeds().disable(r, label);
            case REVOKE_RULE -> admin.rules().revoke(r, "no-such-rule");
            case REMOVE_MEMBER -> admin.tenants().removeMember(r, "group:999", target.equals("org") ? "auditor" : "member");
        };
    }

    private static final Set<String> DISABLED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Whether the seed was disabled before (a second disable changes nothing, so writes no entry). */
    private static boolean alreadyDisabled(ApiCall call) {
        return !DISABLED.add(call.label());
    }

    /** The reference: the role table, then the object rules (a tenant's labels only; missing objects). */
    static String referenceApi(ApiCall call) {
        return referenceActs(List.of(call.role()), List.of(call.home()), call);
    }

    /**
     * The reference for a caller holding {@code roles.get(i)} of {@code homes.get(i)} each: the best
     * of the role table's answers (any allows; else forbidden where any role sees the target; else
     * not found), then the object rules.
     */
    static String referenceActs(List<String> roles, List<String> homes, ApiCall call) {
        List<Decision> answers = new ArrayList<>();
        for (int i = 0; i < roles.size(); i++) {
            answers.add(referenceDecision(new ApiCall(roles.get(i), homes.get(i), call.target(), call.act(), call.label())));
        }
        Decision d = answers.contains(Decision.ALLOW) ? Decision.ALLOW
                : answers.contains(Decision.DENY) ? Decision.DENY : Decision.NOT_VISIBLE;
        return objectOutcome(d, call);
    }

    static Decision referenceDecision(ApiCall call) {
        String where;
        if (call.target().equals("org")) {
            where = "org";
        } else if (call.role().equals("operator") || call.role().equals("auditor")) {
            where = "own";
        } else {
            where = call.role().equals("none") || !call.target().equals(call.home()) ? "other" : "own";
        }
        return AdminTable.expected(call.role(), where, call.act().resource, call.act().action);
    }

    static String objectOutcome(Decision d, ApiCall call) {
        if (d == Decision.DENY) {
            return "FORBIDDEN";
        }
        if (d == Decision.NOT_VISIBLE) {
            return "NOT_FOUND";
        }
        boolean labelInTarget = call.label().startsWith(call.target() + "-");
        boolean seedExists = call.label().equals("acme-aws") || call.label().equals("beta-aws");
        return switch (call.act()) {
            case LIST_MEMBERS -> call.target().equals("gamma") ? "NOT_FOUND" : "DONE";
            // The organisation's readers may ask about any label; a tenant's only about its own.
            case LABEL_ACCESS -> labelInTarget || call.target().equals("org") ? "DONE" : "NOT_FOUND";
            case DISABLE_SEED -> labelInTarget && seedExists ? "DONE" : "NOT_FOUND";
            case REVOKE_RULE, REMOVE_MEMBER -> "NOT_FOUND";
            default -> "DONE";
        };
    }
}
