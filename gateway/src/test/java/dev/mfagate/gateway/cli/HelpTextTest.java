package dev.mfagate.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.gateway.InProcessCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What {@code mfagate --help}, {@code -V} and the listings print: every command's help walked, the
 * version of the build, and columns that line up.
 */
class HelpTextTest {

    /** A URI, or a file name with an extension, that must never be cut by a line break. */
    private static final Pattern UNBREAKABLE = Pattern.compile("[a-z][a-z0-9+.:-]*://\\S*|[\\w-]+\\.(json|db|txt|yaml|env)\\b");

    /**
     * GrantCommand's PRINCIPAL positional: its help is rewritten with the group-grant change (Zulip
     * group ids), which is where it gets its description.
     */
    static Stream<CommandLine> commands() {
        List<CommandLine> all = new ArrayList<>();
        collect(InProcessCli.in(null).commandLine(), all);
        return all.stream();
    }

    private static void collect(CommandLine cl, List<CommandLine> into) {
        into.add(cl);
        cl.getSubcommands().values().forEach(sub -> collect(sub, into));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commands")
    void help_everyPositional_hasADescription(CommandLine cl) {
        CommandSpec spec = cl.getCommandSpec();
        for (var p : spec.positionalParameters()) {
            String where = spec.qualifiedName() + " " + p.paramLabel();
            assertThat(String.join(" ", p.description())).as(where).isNotBlank();
        }
    }

    /**
     * Each element of a description is printed on a line of its own: it must end a sentence (or
     * introduce what follows with ':'), unless it is an indented example line or introduces one.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("commands")
    void help_descriptions_noHardBreakMidSentence(CommandLine cl) {
        CommandSpec spec = cl.getCommandSpec();
        List<String[]> descriptions = new ArrayList<>();
        descriptions.add(spec.usageMessage().description());
        for (ArgSpec a : spec.args()) {
            descriptions.add(a.description());
        }
        for (String[] d : descriptions) {
            for (int i = 0; i < d.length - 1; i++) {
                String line = d[i].strip();
                boolean code = d[i].startsWith("  ");
                boolean introducesCode = d[i + 1].startsWith("  ");
                assertThat(code || introducesCode || line.endsWith(".") || line.endsWith(":"))
                        .as("%s: description line %d ends mid-sentence: '%s'", spec.qualifiedName(), i + 1, d[i])
                        .isTrue();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commands")
    void help_urisAndFileNames_neverCutByTheWrap(CommandLine cl) {
        String usage = cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
        StringBuilder texts = new StringBuilder();
        for (String d : cl.getCommandSpec().usageMessage().description()) {
            texts.append(d).append('\n');
        }
        for (ArgSpec a : cl.getCommandSpec().args()) {
            texts.append(String.join("\n", a.description())).append('\n').append(a.paramLabel()).append('\n');
        }
        Matcher m = UNBREAKABLE.matcher(texts);
        while (m.find()) {
            assertThat(usage).as("%s --help keeps '%s' on one line", cl.getCommandSpec().qualifiedName(), m.group())
                    .contains(m.group());
        }
        for (String line : usage.lines().toList()) {
            assertThat(line).as("a line of %s --help starts inside a URI or option label", cl.getCommandSpec().qualifiedName())
                    .doesNotMatch("\\s*(//|PORT\\]).*");
        }
    }

    /** As docs/architecture.md says: refused at accept (ConnectionGuard, DroppedConnectionLog), not answered 403. */
    @Test
    void serveHelp_allowCidr_saysPeersOutsideAreResetAtConnectNotAnswered403() {
        CommandLine serve = InProcessCli.in(null).commandLine().getSubcommands().get("serve");
        String help = serve.getUsageMessage(CommandLine.Help.Ansi.OFF).replaceAll("\\s+", " ");

        assertThat(help).contains("A peer outside them is reset as it connects, counted and logged, not audited;"
                + " a client behind a --trusted-proxy outside them gets 403 and an audit entry")
                .doesNotContain("others get 403");
    }

    @Test
    void version_printsTheProjectVersionOfTheBuild() {
        String expected = System.getProperty("mfagate.project.version");
        assertThat(expected).as("the build passes mfagate.project.version").isNotBlank();
        StringWriter out = new StringWriter();
        CommandLine cl = InProcessCli.in(null).commandLine();
        cl.setOut(new PrintWriter(out, true));

        assertThat(cl.execute("-V")).isZero();
        assertThat(out.toString().strip()).isEqualTo("mfagate " + expected);
    }

    @Test
    void tokenList_longNamesAndPatterns_columnsLineUp(@TempDir Path dir) {
        InProcessCli cli = InProcessCli.in(dir.resolve("data"));
        assertThat(cli.run("init").exitCode()).isZero();
        assertThat(cli.run("token", "create", "--name", "a").exitCode()).isZero();
        assertThat(cli.run("token", "create",
                "--name", "a-rather-long-token-name-for-the-ci-deploy-job", "--labels", "acme-very-long-service-name-*",
                "--expires", "90d", "--on-behalf").exitCode()).isZero();

        List<String> lines = cli.run("token", "list").out().lines().toList();

        assertThat(lines).hasSize(3);
        String header = lines.get(0);
        for (String column : List.of("NAME", "LABELS", "ON-BEHALF", "STATE", "EXPIRES")) {
            int at = header.indexOf(column);
            for (String row : lines.subList(1, lines.size())) {
                assertThat(row.charAt(at - 1)).as("'%s' starts its column in%n%s%n%s", column, header, row).isEqualTo(' ');
                assertThat(row.charAt(at)).as("'%s' starts its column in%n%s%n%s", column, header, row).isNotEqualTo(' ');
            }
        }
    }
}
