package dev.mfagate.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mfagate.core.LabelPattern;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class PolicyFileTest {

    static final Instant AT = Instant.parse("2025-11-02T09:14:00Z");

    static Rule rule(String id, String principal, String pattern) {
        return Rule.of(id, Principal.parse(principal), LabelPattern.parse(pattern), "alice", AT);
    }

    @Test
    void toYaml_rules_sortedStableAndRoundTrips() {
        Rule b = new Rule("b-temp", Principal.parse("user:42"), LabelPattern.parse("*"),
                Optional.of(Instant.parse("2026-01-31T00:00:00Z")), OptionalInt.of(20), "alice", AT);
        Rule a = rule("a-team", "channel:12", "acme-*");
        PolicyFile file = PolicyFile.of(List.of(b, a));

        String yaml = file.toYaml();

        assertThat(yaml).isEqualTo("""
                # mfagate policy (format 2). Rules are sorted by id; apply with the CLI, which shows the diff first.
                version: 2
                rules:
                - id: "a-team"
                  principal: "channel:12"
                  labels: "acme-*"
                  created_by: "alice"
                  created_at: "2025-11-02T09:14:00Z"
                - id: "b-temp"
                  principal: "user:42"
                  labels: "*"
                  expires_at: "2026-01-31T00:00:00Z"
                  daily_cap: 20
                  created_by: "alice"
                  created_at: "2025-11-02T09:14:00Z"
                """);
        assertThat(PolicyFile.parse(yaml)).isEqualTo(file);
        assertThat(PolicyFile.parse(yaml).toYaml()).isEqualTo(yaml);
    }

    @Test
    void parse_minimalRule_defaultsInformationalFields() {
        PolicyFile f = PolicyFile.parse("""
                version: 2
                rules:
                  - id: acme-team
                    principal: channel:12
                    labels: acme-*
                """);
        assertThat(f.rules()).singleElement().satisfies(r -> {
            assertThat(r.createdBy()).isEqualTo(PolicyFile.UNKNOWN_CREATOR);
            assertThat(r.principal()).isEqualTo(new Principal.ZulipChannel(12));
        });
    }

    @Test
    void parse_format1ChannelRules_readAsInertChannelNamesNeverAsStreamIds() {
        // Format 1 named channels: "channel:123" there was a channel called 123, not stream 123.
        PolicyFile f = PolicyFile.parse("""
                version: 1
                rules:
                  - {id: by-name, principal: "channel:acme", labels: "acme-*"}
                  - {id: digits, principal: "channel:123", labels: "acme-*"}
                  - {id: person, principal: "user:42", labels: "acme-*"}
                """);
        assertThat(f.rules()).extracting(Rule::principal).containsExactly(
                new Principal.LegacyChannelName("acme"), new Principal.LegacyChannelName("123"), new Principal.ZulipUser(42));
    }

    @Test
    void parse_format2ChannelName_rejectedWithWhereToFindTheId() {
        assertThatThrownBy(() -> PolicyFile.parse("version: 2\nrules:\n  - {id: a, principal: 'channel:acme', labels: '*'}\n"))
                .hasMessageStartingWith("Invalid policy file: rule #1").hasMessageContaining("stream id");
    }

    @Test
    void parse_unknownField_rejected() {
        assertThatThrownBy(() -> PolicyFile.parse("version: 1\nrules:\n  - id: a\n    principal: user:1\n    labels: '*'\n    deny: true\n"))
                .hasMessageStartingWith("Invalid policy file").hasMessageContaining("deny");
    }

    @Test
    void parse_duplicateIds_rejected() {
        assertThatThrownBy(() -> PolicyFile.parse("""
                version: 1
                rules:
                  - {id: a, principal: "user:1", labels: "*"}
                  - {id: a, principal: "user:2", labels: "*"}
                """)).hasMessageContaining("Duplicate rule id a");
    }

    @Test
    void parse_twoRulesGrantingTheSame_refusedNamingBoth() {
        // Applied, this file made two identical rules, which grant and the admin API refuse.
        assertThatThrownBy(() -> PolicyFile.parse("""
                version: 2
                rules:
                  - {id: a1, principal: "user:1", labels: "acme-*", daily_cap: 3}
                  - {id: b2, principal: "user:2", labels: "acme-*", daily_cap: 3}
                  - {id: c3, principal: "user:1", labels: "acme-*", daily_cap: 3}
                """)).hasMessage("Invalid policy file: rule #3 ('c3') grants exactly what rule #1 ('a1') grants; keep one of them");
        // A different cap or expiry is a different rule.
        assertThat(PolicyFile.parse("""
                version: 2
                rules:
                  - {id: a1, principal: "user:1", labels: "acme-*", daily_cap: 3}
                  - {id: c3, principal: "user:1", labels: "acme-*", daily_cap: 4}
                  - {id: d4, principal: "user:1", labels: "acme-*", daily_cap: 3, expires_at: "2030-01-01T00:00:00Z"}
                """).rules()).hasSize(3);
    }

    @Test
    void parse_badPrincipal_namesRuleAndProblem() {
        assertThatThrownBy(() -> PolicyFile.parse("version: 1\nrules:\n  - {id: x1, principal: 'user:abc', labels: '*'}\n"))
                .hasMessageContaining("rule #1 ('x1')").hasMessageContaining("Invalid user id");
    }

    @Test
    void parse_missingLabels_namesField() {
        assertThatThrownBy(() -> PolicyFile.parse("version: 1\nrules:\n  - {id: x1, principal: 'user:1'}\n"))
                .hasMessageContaining("missing labels");
    }

    @Test
    void parse_wrongVersion_rejected() {
        assertThatThrownBy(() -> PolicyFile.parse("version: 3\nrules: []\n")).hasMessageContaining("version 3; must be 2");
    }

    @Test
    void parse_capAsString_rejected() {
        assertThatThrownBy(() -> PolicyFile.parse("version: 1\nrules:\n  - {id: x1, principal: 'user:1', labels: '*', daily_cap: 'ten'}\n"))
                .hasMessageStartingWith("Invalid policy file");
    }

    /** A 32-character base32 seed, as an operator might paste it into the wrong place. */
    private static final String SEED = "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U";

    /** One line that says where, quotes no seed and names no Java class or Jackson setting. */
    private static void assertSafeReason(String yaml, String expected) {
        assertThatThrownBy(() -> PolicyFile.parse(yaml))
                .isInstanceOf(IllegalArgumentException.class)
                .hasNoCause()
                .hasMessage("Invalid policy file: " + expected)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SEED).doesNotContain(SEED.substring(0, 16))
                        .doesNotContain("java.").doesNotContain("class ").doesNotContain("Coercion").doesNotContain("\n"));
    }

    @Test
    void parse_wrongTypeWithSeedShapedValue_saysWhereAndWhatWithoutTheValue() {
        assertSafeReason("version: 2\nrules:\n- id: x\n  principal: \"user:1\"\n  labels: \"acme-*\"\n  daily_cap: " + SEED + "\n",
                "line 6, column 14: rules[0].daily_cap must be a whole number");
        assertSafeReason("version: 2\nrules:\n- {id: x, principal: 'user:1', labels: '*', daily_cap: " + SEED + "}\n",
                "line 3, column 56: rules[0].daily_cap must be a whole number");
        assertSafeReason("version: 2\nrules:\n- id: x\n  principal: {a: " + SEED + "}\n",
                "line 4, column 14: rules[0].principal must be text (a single value)");
        assertSafeReason("version: " + SEED + "\nrules: []\n", "line 1, column 10: version must be a whole number");
        assertSafeReason("version: 2\nrules: " + SEED + "\n", "line 2, column 8: rules must be a list");
        assertSafeReason(SEED + "\n", "line 1, column 1: must be a mapping with version: 2 and rules:");
        assertSafeReason("version: 2\nrules:\n- id: x\n  principal: 'user:1'\n  labels: '*'\n  daily_cap: 99999999999999999999\n",
                "line 6, column 34: rules[0].daily_cap must be a whole number no larger than 2147483647");
    }

    @Test
    void parse_fractionWhereAWholeNumberGoes_rejectedNotRoundedDown() {
        assertSafeReason("version: 2\nrules:\n- id: x\n  principal: 'user:1'\n  labels: '*'\n  daily_cap: 1.5\n",
                "line 6, column 14: rules[0].daily_cap must be a whole number");
        assertSafeReason("version: 2.0\nrules: []\n", "line 1, column 10: version must be a whole number");
    }

    @Test
    void parse_unknownKey_namedOnlyWhenSafeToQuote() {
        assertSafeReason("version: 2\nrules:\n- id: x\n  principal: \"user:1\"\n  labels: \"acme-*\"\n  foo: " + SEED + "\n",
                "line 7, column 1: unknown key 'foo' in rules[0]; the keys are id, principal, labels, expires_at, daily_cap,"
                        + " created_by, created_at");
        assertSafeReason("version: 2\nrules:\n- id: x\n  principal: \"user:1\"\n  labels: \"acme-*\"\n  " + SEED + ": 1\n",
                "line 7, column 1: unknown key (32 characters, not shown) in rules[0]; the keys are id, principal, labels,"
                        + " expires_at, daily_cap, created_by, created_at");
        assertSafeReason("version: 2\nfoo: 1\n", "line 3, column 1: unknown key 'foo' at the top level; the keys are version, rules");
    }

    @Test
    void parse_yamlSyntaxError_givesOnlyLineAndColumn() {
        assertSafeReason("version: 2\nrules:\n\t- id: " + SEED + "\n", "line 3, column 1: not valid YAML");
        assertSafeReason("version: 2\nrules:\n- id: x\n  principal: \"user:1\n  labels: " + SEED + "\n", "line 6, column 1: not valid YAML");
        assertSafeReason("version: 2\nrules:\n- id: x\n  id: y\n  labels: " + SEED + "\n", "line 4, column 5: duplicate key 'id'");
        assertSafeReason("version: 2\nrules: []\n---\nversion: " + SEED + "\n",
                "line 4, column 1: more than one document; a policy file holds one");
    }

    @Test
    void parse_seedShapedTimeOrId_neverQuoted() {
        assertThatThrownBy(() -> PolicyFile.parse("version: 2\nrules:\n- {id: x, principal: 'user:1', labels: '*', expires_at: " + SEED + "}\n"))
                .hasMessage("Invalid policy file: rule #1 ('x'): expires_at must be a UTC ISO-8601 time such as 2026-01-31T00:00:00Z");
        assertThatThrownBy(() -> PolicyFile.parse("version: 2\nrules:\n- {id: " + SEED + ", principal: 'user:1', labels: '*'}\n"))
                .hasMessageStartingWith("Invalid policy file: rule #1 ((32 characters, not shown)): Invalid rule id (32 characters,")
                .message().doesNotContain(SEED);
    }

    @Test
    void diff_addedRemovedChangedAndMetadataOnly_reportsGrantChangesOnly() {
        Rule keep = rule("keep", "user:1", "*");
        Rule keepOtherMeta = Rule.of("keep", Principal.parse("user:1"), LabelPattern.parse("*"), "bob", AT.plusSeconds(9));
        Rule gone = rule("gone", "user:2", "*");
        Rule before = rule("widen", "channel:12", "acme-aws");
        Rule after = rule("widen", "channel:12", "acme-*");
        Rule fresh = rule("fresh", "group:7", "beta-*");

        PolicyDiff diff = PolicyDiff.between(List.of(keep, gone, before), List.of(keepOtherMeta, after, fresh));

        assertThat(diff.added()).containsExactly(fresh);
        assertThat(diff.removed()).containsExactly(gone);
        assertThat(diff.changed()).containsExactly(new PolicyDiff.Change(before, after));
        assertThat(diff.toText()).isEqualTo("""
                - gone: user:2 -> *
                ~ widen: channel:12 -> acme-aws
                  -> widen: channel:12 -> acme-*
                + fresh: group:7 -> beta-*
                1 added, 1 removed, 1 changed
                """);
    }

    @Test
    void diff_identical_isEmpty() {
        List<Rule> rules = List.of(rule("a", "user:1", "*"));
        assertThat(PolicyDiff.between(rules, rules).isEmpty()).isTrue();
        assertThat(PolicyDiff.between(rules, rules).toText()).isEqualTo("no changes\n");
    }
}
