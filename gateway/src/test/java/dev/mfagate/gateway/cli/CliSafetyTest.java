package dev.mfagate.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.core.store.Store;
import dev.mfagate.gateway.InProcessCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The admin CLI in process (picocli with captured streams) on operator slips: nothing typed that may
 * be a secret comes back in any output, mistakes exit 2 with one line that says what to do, and the
 * grant and token rules about Zulip ids and delegating tokens hold.
 */
class CliSafetyTest {

    /** A 32-character base32 seed, as an operator would paste it. */
    private static final String SEED = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXQ";

    @TempDir
    Path dir;
    private String dataDir;

    @BeforeEach
    void init() {
        dataDir = dir.resolve("data").toString();
        assertThat(run("init").exitCode()).isZero();
    }

    /** Runs {@code mfagate ARGS --data-dir DIR} in this JVM, capturing everything it prints. */
    private InProcessCli.Result run(String... args) {
        return InProcessCli.in(Path.of(dataDir)).run(args);
    }

    private String createToken(String name, String... more) {
        List<String> args = new ArrayList<>(List.of("token", "create", "--name", name));
        args.addAll(List.of(more));
        InProcessCli.Result r = run(args.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.err()).isZero();
        return r.out().strip();
    }

    @Test
    void tokenRevoke_wholeTokenPasted_refusedExit2TokenNeverPrinted() {
        String token = createToken("ci");
        assertThat(token).hasSize(64);
        for (String pasted : List.of(token, token.substring(0, 63), token.substring(0, 40))) {
            InProcessCli.Result r = run("token", "revoke", pasted);
            assertThat(r.exitCode()).isEqualTo(2);
            assertThat(r.all()).doesNotContain(pasted).doesNotContain(token.substring(21)).contains("never the token itself");
        }
        assertThat(run("token", "list").out()).contains("active").doesNotContain("revoked");
    }

    @Test
    void tokenRevoke_unknownValue_notRepeated() {
        InProcessCli.Result r = run("token", "revoke", SEED);
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.all()).doesNotContain(SEED).contains("No active token has that id or name");
    }

    @Test
    void seedAdd_seedAsArgument_refusedExit2SeedNeverPrintedNothingStored() {
        InProcessCli.Result r = run("seed", "add", "acme-aws", SEED);
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.all()).doesNotContain(SEED).doesNotContain("JBSWY3DP").contains("standard input");
        assertThat(run("seed", "list").out()).doesNotContain("acme-aws");
    }

    static Stream<Arguments> slips() {
        return Stream.of(
                //            what                                   arguments
                Arguments.of("secret as an unknown option",          new String[] {"token", "create", "--name", "x", "--secret=" + SEED}),
                Arguments.of("secret as a stray argument",           new String[] {"token", "list", SEED}),
                Arguments.of("secret as an unknown command",         new String[] {SEED}),
                Arguments.of("secret as a number",                   new String[] {"grant", "user:42", "acme-*", "--daily-cap", SEED}),
                Arguments.of("secret as a duration",                 new String[] {"grant", "user:42", "acme-*", "--expires", SEED}),
                Arguments.of("secret as a principal",                new String[] {"grant", SEED, "acme-*"}),
                Arguments.of("secret as a grant's pattern",          new String[] {"grant", "user:42", SEED}),
                Arguments.of("secret as a token's labels",           new String[] {"token", "create", "--name", "x", "--labels", SEED}),
                Arguments.of("secret as a user id",                  new String[] {"grant", "user:" + SEED, "acme-*"}),
                Arguments.of("secret as a rule id to revoke",        new String[] {"revoke", SEED.toLowerCase(java.util.Locale.ROOT)}),
                Arguments.of("secret as a rate limit",               new String[] {"serve", "--rate-limit-label", SEED}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("slips")
    void anySlip_exit2OneLineNeverRepeatingTheSecret(String what, String[] args) {
        InProcessCli.Result r = run(args);
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.all().toUpperCase(java.util.Locale.ROOT)).doesNotContain(SEED).doesNotContain(SEED.substring(0, 16));
        assertThat(r.err().lines().filter(l -> !l.isBlank()).toList()).singleElement().asString().startsWith("mfagate: ");
    }

    @Test
    void slip_typoOfAnOption_stillSuggestsTheRightOne() {
        InProcessCli.Result r = run("token", "create", "--name", "x", "--lables", "acme-*");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("did you mean --labels?");
    }

    @Test
    void grant_channelByName_refusedSayingChannelRulesTakeStreamIdsAndWhereToFindOne() {
        InProcessCli.Result r = run("grant", "channel:ops", "acme-*");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("stream id").contains("#narrow/channel/<id>-<name>").contains("channel:12");
        assertThat(run("policy", "show").out()).startsWith("No grants");
    }

    @Test
    void grant_groupByName_refusedSayingGroupIdsAreNumbersAndWhereToFindOne() {
        InProcessCli.Result r = run("grant", "group:ops", "acme-*");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("Invalid group id").contains("a number, not its name").contains("#groups/<id>/<name>");
    }

    @Test
    void grant_patternThatMatchesNoLabel_refusedExit2SayingHowPatternsAreWrittenNothingStored() {
        InProcessCli.Result r = run("grant", "user:42", "acme");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("'acme'").contains("matches no label").contains("acme-*");
        assertThat(run("policy", "show").out()).startsWith("No grants");
        String tokensBefore = run("token", "list").out();
        assertThat(run("token", "create", "--name", "x", "--labels", "acme").exitCode()).isEqualTo(2);
        assertThat(run("token", "list").out()).isEqualTo(tokensBefore);
    }

    @Test
    void grant_expiresZero_refusedExit2NothingStored() {
        InProcessCli.Result r = run("grant", "user:42", "acme-*", "--expires", "0s");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--expires").contains("longer than 0");
        assertThat(run("policy", "show").out()).startsWith("No grants");
    }

    @Test
    void grant_channelAndGroupById_granted() {
        assertThat(run("grant", "channel:12", "acme-*", "--id", "ops-team").exitCode()).isZero();
        assertThat(run("grant", "group:7", "beta-*", "--id", "beta-team").exitCode()).isZero();
        assertThat(run("policy", "show").out()).contains("ops-team: channel:12 -> acme-*").contains("beta-team: group:7 -> beta-*");
    }

    @Test
    void grant_legacyChannelNameRule_refused() {
        InProcessCli.Result r = run("grant", "channel-name:ops", "acme-*");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("never match");
    }

    @Test
    void tokenCreate_onBehalfWithoutLabels_refusedExit2NoTokenMade() {
        InProcessCli.Result r = run("token", "create", "--name", "zulip-bot", "--on-behalf");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--on-behalf needs --labels");
        assertThat(r.out()).doesNotContain("mfg_");
        assertThat(run("token", "list").out()).doesNotContain("zulip-bot");
        assertThat(createToken("zulip-bot", "--on-behalf", "--labels", "acme-*")).startsWith("mfg_");
        assertThat(run("token", "list").out()).containsPattern("zulip-bot\\s+acme-\\*\\s+yes");
    }

    @Test
    void policyApply_badFile_oneLineSaysWhereNeverQuotesTheFileOrNamesAClass() throws Exception {
        Path file = dir.resolve("p.yaml");
        String rule = "version: 2\nrules:\n- id: x\n  principal: \"user:1\"\n  labels: \"acme-*\"\n";
        for (String[] bad : new String[][] {
                {rule + "  daily_cap: " + SEED + "\n", "line 6, column 14: rules[0].daily_cap must be a whole number"},
                {rule + "  foo: 1\n", "line 7, column 1: unknown key 'foo' in rules[0]"},
                {rule + "  " + SEED + ": 1\n", "line 7, column 1: unknown key (32 characters, not shown) in rules[0]"},
                {"version: 2\nrules:\n\t- id: " + SEED + "\n", "line 3, column 1: not valid YAML"}}) {
            Files.writeString(file, bad[0]);
            InProcessCli.Result r = run("policy", "apply", file.toString(), "--yes");
            assertThat(r.exitCode()).as(r.all()).isEqualTo(2);
            assertThat(r.err().strip()).startsWith("mfagate: Invalid policy file " + file + ": " + bad[1]).doesNotContain("\n");
            assertThat(r.all()).doesNotContain(SEED).doesNotContain(SEED.substring(0, 16)).doesNotContain("java.")
                    .doesNotContain("class ").doesNotContain("Coercion").doesNotContain("Invalid policy file: ");
        }
        assertThat(run("policy", "show").out()).startsWith("No grants");
    }

    @Test
    void policyShowAndApply_inertChannelNameRule_warnedWithTheCommandsToRegrantAndNeverAdded() throws Exception {
        try (Store s = Store.open(Path.of(dataDir))) {
            // As schema V3 leaves a channel rule granted by name before channel rules took stream ids.
            s.database().jdbi().useHandle(h -> h.execute("INSERT INTO policy_rule (id, principal, pattern, daily_cap, created_by,"
                    + " created_at_ms) VALUES ('ops-team', 'channel-name:ops', 'acme-*', 5, 'alice', 0)"));
        }
        InProcessCli.Result show = run("policy", "show");
        assertThat(show.out()).contains("ops-team: channel-name:ops -> acme-* (cap 5/day)   [INERT: never matches]");
        assertThat(show.err()).contains("WARNING: 1 grant names a channel and never matches")
                .contains("mfagate grant channel:<id of #ops> 'acme-*' --daily-cap 5 && mfagate revoke ops-team");

        Path file = dir.resolve("policy.yaml");
        Files.writeString(file, "version: 2\nrules:\n  - {id: ops-team, principal: 'channel-name:ops', labels: 'acme-*', daily_cap: 5}\n"
                + "  - {id: more, principal: 'channel-name:dev', labels: 'acme-*'}\n");
        InProcessCli.Result apply = run("policy", "apply", file.toString(), "--yes");
        assertThat(apply.exitCode()).isEqualTo(2);
        assertThat(apply.err()).contains("Rule more").contains("cannot be granted");

        Files.writeString(file, "version: 2\nrules:\n  - {id: ops-team, principal: 'channel:12', labels: 'acme-*', daily_cap: 5}\n");
        assertThat(run("policy", "apply", file.toString(), "--yes").exitCode()).isZero();
        InProcessCli.Result after = run("policy", "show");
        assertThat(after.out()).contains("ops-team: channel:12 -> acme-* (cap 5/day)");
        assertThat(after.err()).doesNotContain("WARNING");
    }
}
