package dev.mfagate.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mfagate.core.Label;
import dev.mfagate.core.LabelPattern;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PolicyTest {

    static final Instant NOW = Instant.parse("2025-11-02T10:00:00Z");
    static final Instant CREATED = Instant.parse("2025-01-01T00:00:00Z");
    static final Label ACME_AWS = Label.parse("acme-aws");

    static Subject.Token plainToken(String scope) {
        return new Subject.Token("t1", LabelPattern.parse(scope), false);
    }

    static Subject.Token botToken(String scope) {
        return new Subject.Token("bot", LabelPattern.parse(scope), true);
    }

    static Subject.OnBehalf ann(Set<Long> groups, Set<Long> channels) {
        return new Subject.OnBehalf(42, Optional.of("ann@example.com"), groups, channels);
    }

    static Rule rule(String id, String principal, String pattern) {
        return Rule.of(id, Principal.parse(principal), LabelPattern.parse(pattern), "test", CREATED);
    }

    static Rule expiring(String id, String principal, String pattern, Instant expiresAt) {
        return new Rule(id, Principal.parse(principal), LabelPattern.parse(pattern), Optional.of(expiresAt),
                OptionalInt.empty(), "test", CREATED);
    }

    static Rule capped(String id, String principal, String pattern, int cap) {
        return new Rule(id, Principal.parse(principal), LabelPattern.parse(pattern), Optional.empty(),
                OptionalInt.of(cap), "test", CREATED);
    }

    @Test
    void decide_emptyPolicyPlainTokenInScope_allowedByTokenScope() {
        PolicyDecision d = Policy.EMPTY.decide(Subject.direct(plainToken("acme-*")), ACME_AWS, NOW);
        assertThat(d).isEqualTo(PolicyDecision.Allowed.byTokenScope());
        assertThat(((PolicyDecision.Allowed) d).grant()).isEqualTo("token-scope");
    }

    @Test
    void decide_emptyPolicyOnBehalf_deniedNoMatchingRule() {
        PolicyDecision d = Policy.EMPTY.decide(Subject.onBehalf(botToken("*"), ann(Set.of(), Set.of(12L))), ACME_AWS, NOW);
        assertThat(d).isEqualTo(new PolicyDecision.Denied(DenialReason.NO_MATCHING_RULE));
    }

    @Test
    void decide_channelMemberOfAcme_allowedAcmeLabels() {
        Policy p = new Policy(1, List.of(rule("acme-team", "channel:12", "acme-*")));
        Subject s = Subject.onBehalf(botToken("*"), ann(Set.of(), Set.of(12L)));
        assertThat(p.decide(s, ACME_AWS, NOW)).isEqualTo(PolicyDecision.Allowed.byRule(p.rules().getFirst()));
        assertThat(p.decide(s, Label.parse("beta-aws"), NOW)).isEqualTo(new PolicyDecision.Denied(DenialReason.NO_MATCHING_RULE));
    }

    @Test
    void decide_memberOfLookAlikeChannel_deniedBecauseRulesBindStreamIds() {
        // Stream 12 is #ops; stream 13 is a member-made "#ops" (or "ops" in look-alike letters).
        Policy p = new Policy(1, List.of(rule("ops-team", "channel:12", "acme-*")));
        Subject impostor = Subject.onBehalf(botToken("*"), ann(Set.of(), Set.of(13L)));
        assertThat(p.decide(impostor, ACME_AWS, NOW)).isEqualTo(new PolicyDecision.Denied(DenialReason.NO_MATCHING_RULE));
    }

    @Test
    void decide_legacyChannelNameRule_neverMatches() {
        Policy p = new Policy(1, List.of(rule("old", "channel-name:12", "acme-*")));
        Subject member = Subject.onBehalf(botToken("*"), ann(Set.of(), Set.of(12L)));
        assertThat(p.decide(member, ACME_AWS, NOW)).isEqualTo(new PolicyDecision.Denied(DenialReason.NO_MATCHING_RULE));
        assertThat(p.inertRules()).extracting(Rule::id).containsExactly("old");
    }

    @Test
    void decide_plainTokenWithCappedTokenRule_ruleDecidesSoTheCapApplies() {
        Policy p = new Policy(1, List.of(capped("ci-cap", "token:t1", "acme-aws", 1)));
        Subject ci = Subject.direct(plainToken("acme-*"));
        assertThat(p.decide(ci, ACME_AWS, NOW)).isEqualTo(PolicyDecision.Allowed.byRule(p.rules().getFirst()));
        assertThat(p.decide(ci, Label.parse("acme-vpn"), NOW)).as("labels no token rule covers: the scope grants")
                .isEqualTo(PolicyDecision.Allowed.byTokenScope());
    }

    @Test
    void decide_plainTokenWithExpiredTokenRule_deniedGrantExpired() {
        Policy p = new Policy(1, List.of(expiring("ci-8h", "token:t1", "acme-aws", NOW.minusSeconds(1))));
        assertThat(p.decide(Subject.direct(plainToken("acme-*")), ACME_AWS, NOW))
                .isEqualTo(new PolicyDecision.Denied(DenialReason.GRANT_EXPIRED));
    }

    @Test
    void decide_botTokenDirectWithoutTokenRule_denied() {
        Policy p = new Policy(1, List.of(rule("acme-team", "channel:12", "acme-*")));
        assertThat(p.decide(Subject.direct(botToken("*")), ACME_AWS, NOW))
                .isEqualTo(new PolicyDecision.Denied(DenialReason.NO_MATCHING_RULE));
    }

    @Test
    void decide_botTokenDirectWithTokenRule_allowedByRule() {
        Policy p = new Policy(1, List.of(rule("bot-own", "token:bot", "acme-*")));
        assertThat(p.decide(Subject.direct(botToken("*")), ACME_AWS, NOW)).isEqualTo(PolicyDecision.Allowed.byRule(p.rules().getFirst()));
    }

    @Test
    void decide_ruleWiderThanTokenScope_cappedByScope() {
        Policy p = new Policy(1, List.of(rule("all", "user:42", "*")));
        Subject s = Subject.onBehalf(botToken("beta-*"), ann(Set.of(), Set.of()));
        assertThat(p.decide(s, ACME_AWS, NOW)).isEqualTo(new PolicyDecision.Denied(DenialReason.OUTSIDE_TOKEN_SCOPE));
    }

    @Test
    void decide_onBehalfWithPlainToken_deniedOnBehalfNotPermitted() {
        Policy p = new Policy(1, List.of(rule("all", "user:42", "*")));
        Subject s = Subject.onBehalf(plainToken("*"), ann(Set.of(), Set.of()));
        assertThat(p.decide(s, ACME_AWS, NOW)).isEqualTo(new PolicyDecision.Denied(DenialReason.ON_BEHALF_NOT_PERMITTED));
    }

    @Test
    void decide_ruleExpiresExactlyNow_deniedGrantExpired() {
        Policy p = new Policy(1, List.of(expiring("temp", "group:7", "acme-*", NOW)));
        Subject s = Subject.onBehalf(botToken("*"), ann(Set.of(7L), Set.of()));
        assertThat(p.decide(s, ACME_AWS, NOW)).isEqualTo(new PolicyDecision.Denied(DenialReason.GRANT_EXPIRED));
        assertThat(p.decide(s, ACME_AWS, NOW.minusMillis(1)).isAllowed()).isTrue();
    }

    @Test
    void decide_expiredAndActiveRuleMatch_allowedByActive() {
        Policy p = new Policy(1, List.of(expiring("a-old", "user:42", "acme-*", NOW.minusSeconds(1)),
                rule("b-new", "group:7", "acme-aws")));
        Subject s = Subject.onBehalf(botToken("*"), ann(Set.of(7L), Set.of()));
        assertThat(p.decide(s, ACME_AWS, NOW)).isEqualTo(PolicyDecision.Allowed.byRule(p.rules().get(1)));
    }

    @Test
    void decide_cappedAndUncappedMatch_prefersUncapped() {
        Policy p = new Policy(1, List.of(capped("a-capped", "user:42", "acme-*", 3), rule("z-free", "channel:12", "*")));
        Subject s = Subject.onBehalf(botToken("*"), ann(Set.of(), Set.of(12L)));
        assertThat(p.decide(s, ACME_AWS, NOW)).isEqualTo(PolicyDecision.Allowed.byRule(p.rules().get(1)));
    }

    @Test
    void decide_otherUsersRule_denied() {
        Policy p = new Policy(1, List.of(rule("bob", "user:43", "*")));
        assertThat(p.decide(Subject.onBehalf(botToken("*"), ann(Set.of(), Set.of())), ACME_AWS, NOW).isAllowed()).isFalse();
    }

    @Test
    void decide_tokenRuleOnBehalf_doesNotApply() {
        Policy p = new Policy(1, List.of(rule("bot-own", "token:bot", "*")));
        assertThat(p.decide(Subject.onBehalf(botToken("*"), ann(Set.of(), Set.of())), ACME_AWS, NOW))
                .isEqualTo(new PolicyDecision.Denied(DenialReason.NO_MATCHING_RULE));
    }

    @Test
    void listAllowed_mixedLabels_returnsExactlyAllowedSorted() {
        Policy p = new Policy(1, List.of(rule("acme-team", "channel:12", "acme-*"), rule("ann-db", "user:42", "beta-db")));
        Subject s = Subject.onBehalf(botToken("*"), ann(Set.of(), Set.of(12L)));
        List<Label> all = Stream.of("beta-db", "beta-aws", "acme-x", "acme-aws", "gamma-a").map(Label::parse).toList();
        assertThat(p.listAllowed(s, all, NOW)).containsExactly(Label.parse("acme-aws"), Label.parse("acme-x"), Label.parse("beta-db"));
    }

    @Test
    void new_duplicateRuleIds_rejected() {
        assertThatThrownBy(() -> new Policy(1, List.of(rule("a", "user:1", "*"), rule("a", "user:2", "*"))))
                .hasMessageContaining("Duplicate rule id a");
    }

    // ---- Authorisation matrix ----------------------------------------------------------------

    enum Kind { USER, GROUP, CHANNEL, TOKEN }

    enum Mode { DIRECT, ON_BEHALF }

    /**
     * Every principal kind x whose rule (requester's own or someone else's) x label inside/outside
     * the rule's pattern x direct/on-behalf x token scope covering or not x on-behalf flag x
     * expired or not: 256 cases, with the expected result computed independently below.
     */
    static Stream<Arguments> matrix() {
        List<Arguments> out = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            for (boolean own : new boolean[] {true, false}) {
                for (boolean inside : new boolean[] {true, false}) {
                    for (Mode mode : Mode.values()) {
                        for (boolean scopeCovers : new boolean[] {true, false}) {
                            for (boolean onBehalfFlag : new boolean[] {true, false}) {
                                for (boolean expired : new boolean[] {true, false}) {
                                    out.add(Arguments.of(kind, own, inside, mode, scopeCovers, onBehalfFlag, expired,
                                            expected(kind, own, inside, mode, scopeCovers, onBehalfFlag, expired)));
                                }
                            }
                        }
                    }
                }
            }
        }
        return out.stream();
    }

    /** The spec, stated case by case: "ALLOW:<grant>" or "DENY:<reason>". */
    static String expected(Kind kind, boolean own, boolean inside, Mode mode, boolean scopeCovers,
                           boolean onBehalfFlag, boolean expired) {
        if (mode == Mode.ON_BEHALF && !onBehalfFlag) {
            return "DENY:ON_BEHALF_NOT_PERMITTED";
        }
        if (!scopeCovers) {
            return "DENY:OUTSIDE_TOKEN_SCOPE";
        }
        if (mode == Mode.DIRECT && !onBehalfFlag) {
            // A plain token's scope grants, unless a token: rule for it covers the label: that rule decides.
            if (kind == Kind.TOKEN && own && inside) {
                return expired ? "DENY:GRANT_EXPIRED" : "ALLOW:rule:r1";
            }
            return "ALLOW:token-scope";
        }
        boolean kindApplies = mode == Mode.DIRECT ? kind == Kind.TOKEN : kind != Kind.TOKEN;
        if (kindApplies && own && inside) {
            return expired ? "DENY:GRANT_EXPIRED" : "ALLOW:rule:r1";
        }
        return "DENY:NO_MATCHING_RULE";
    }

    @ParameterizedTest(name = "{0} own={1} inside={2} {3} scopeCovers={4} onBehalfFlag={5} expired={6} -> {7}")
    @MethodSource
    void matrix(Kind kind, boolean own, boolean inside, Mode mode, boolean scopeCovers, boolean onBehalfFlag,
                boolean expired, String expected) {
        String principal = switch (kind) {
            case USER -> own ? "user:42" : "user:43";
            case GROUP -> own ? "group:7" : "group:8";
            case CHANNEL -> own ? "channel:12" : "channel:13";
            case TOKEN -> own ? "token:t1" : "token:t2";
        };
        Rule r = new Rule("r1", Principal.parse(principal), LabelPattern.parse("acme-*"),
                Optional.of(expired ? NOW.minusSeconds(60) : NOW.plusSeconds(60)), OptionalInt.empty(), "test", CREATED);
        Policy policy = new Policy(1, List.of(r));
        Subject.Token token = new Subject.Token("t1", LabelPattern.parse(scopeCovers ? "*" : "zeta-*"), onBehalfFlag);
        Subject subject = mode == Mode.DIRECT ? Subject.direct(token) : Subject.onBehalf(token, ann(Set.of(7L), Set.of(12L)));
        Label label = Label.parse(inside ? "acme-aws" : "beta-aws");
        if (!scopeCovers) {
            // keep the "outside the scope" dimension meaningful for labels outside the rule too
            assertThat(token.covers(label)).isFalse();
        }

        PolicyDecision d = policy.decide(subject, label, NOW);

        String actual = switch (d) {
            case PolicyDecision.Allowed a -> "ALLOW:" + a.grant();
            case PolicyDecision.Denied n -> "DENY:" + n.reason();
        };
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void decide_consolePerson_onlyTheirPersonRulesGrant() {
        Subject ann = Subject.consolePerson(new dev.mfagate.core.tenant.PersonId("ann"));
        Policy p = new Policy(1, List.of(rule("ann-acme", "person:ann", "acme-*"), rule("bob-beta", "person:bob", "beta-*"),
                rule("door", "token:console", "*"), rule("zulip", "user:42", "*"),
                expiring("old", "person:ann", "gamma-*", NOW.minusSeconds(1))));

        assertThat(p.decide(ann, ACME_AWS, NOW)).isEqualTo(PolicyDecision.Allowed.byRule(p.rules().stream()
                .filter(r -> r.id().equals("ann-acme")).findFirst().orElseThrow()));
        assertThat(p.decide(ann, Label.parse("beta-db"), NOW)).isEqualTo(new PolicyDecision.Denied(DenialReason.NO_MATCHING_RULE));
        assertThat(p.decide(ann, Label.parse("gamma-x"), NOW)).isEqualTo(new PolicyDecision.Denied(DenialReason.GRANT_EXPIRED));
        assertThat(p.listAllowed(ann, List.of(ACME_AWS, Label.parse("beta-db"), Label.parse("zeta-x")), NOW))
                .containsExactly(ACME_AWS);
        assertThat(ann.principalKey()).isEqualTo("person:ann");
    }

    @Test
    void subject_personWithoutDelegationOrConsoleDoor_isRefused() {
        Subject.Token plain = new Subject.Token("ci", LabelPattern.parse("*"), false);
        assertThatThrownBy(() -> new Subject(plain, Optional.empty(), Optional.of(new dev.mfagate.core.tenant.PersonId("ann"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Only a request on behalf of a user can be recognised as a person");
    }

    @Test
    void decide_tokenHoldingARole_deniedWithoutARuleNamingIt() {
        Subject.Token auditor = new Subject.Token("t9", LabelPattern.parse("*"), false, true);
        Policy none = new Policy(1, List.of());
        assertThat(none.decide(Subject.direct(auditor), ACME_AWS, NOW)).isEqualTo(new PolicyDecision.Denied(DenialReason.NO_MATCHING_RULE));
        assertThat(none.decide(Subject.direct(plainToken("*")), ACME_AWS, NOW)).isInstanceOf(PolicyDecision.Allowed.class);
        Policy named = new Policy(1, List.of(rule("r1", "token:t9", "acme-*")));
        assertThat(named.decide(Subject.direct(auditor), ACME_AWS, NOW)).isInstanceOf(PolicyDecision.Allowed.class);
    }
}
