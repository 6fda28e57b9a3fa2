package dev.mfagate.bot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The bot's packages form no cycle: a sub-package never reaches back into the root package or into a package
 * that reaches it, so each can be read (and tested) from the bottom up.
 *
 * <p>Written by hand rather than with ArchUnit: reading the sources' package lines and every reference to a
 * {@code dev.mfagate.bot} type (imports, static imports and fully qualified names in code) is enough for a
 * graph of a few packages, and keeps a test dependency out. Same-package references need no import and
 * cannot make a cycle between packages.
 */
class PackageCyclesTest {

    private static final Pattern PACKAGE = Pattern.compile("(?m)^package\\s+([\\w.]+)\\s*;");
    /** A reference to a type of the bot: lower-case package segments, then a capitalised type name. */
    private static final Pattern REFERENCE = Pattern.compile("\\b(dev\\.mfagate\\.bot(?:\\.[a-z][a-z0-9_]*)*)\\.[A-Z]");

    @Test
    void mainSources_packageGraph_isAcyclic() throws IOException {
        Map<String, Set<String>> graph = packageGraph(Path.of("src/main/java"));

        assertThat(graph).as("the bot's packages were found").containsKeys("dev.mfagate.bot", "dev.mfagate.bot.zulip",
                "dev.mfagate.bot.gateway");
        assertThat(cycles(graph)).as("package cycles in %s", graph).isEmpty();
    }

    @Test
    void cycles_graphWithACycle_isReported() {
        // The check itself must be able to fail: root → zulip → root is the cycle that Secret used to make.
        Map<String, Set<String>> graph = new TreeMap<>(Map.of(
                "dev.mfagate.bot", Set.of("dev.mfagate.bot.zulip"),
                "dev.mfagate.bot.zulip", Set.of("dev.mfagate.bot"),
                "dev.mfagate.bot.gateway", Set.of()));

        assertThat(cycles(graph)).containsExactly(List.of("dev.mfagate.bot", "dev.mfagate.bot.zulip", "dev.mfagate.bot"));
    }

    private static Map<String, Set<String>> packageGraph(Path root) throws IOException {
        Map<String, Set<String>> graph = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String source = Files.readString(file);
                Matcher pkg = PACKAGE.matcher(source);
                assertThat(pkg.find()).as("package line of %s", file).isTrue();
                String from = pkg.group(1);
                Set<String> edges = graph.computeIfAbsent(from, k -> new TreeSet<>());
                Matcher ref = REFERENCE.matcher(source.substring(pkg.end()));
                while (ref.find()) {
                    if (!ref.group(1).equals(from)) {
                        edges.add(ref.group(1));
                    }
                }
            }
        }
        return graph;
    }

    /** Every cycle found by a depth-first search, each as the path that closes it. */
    private static List<List<String>> cycles(Map<String, Set<String>> graph) {
        List<List<String>> found = new ArrayList<>();
        Set<String> done = new TreeSet<>();
        for (String start : graph.keySet()) {
            visit(start, graph, new ArrayList<>(), done, found);
        }
        return found;
    }

    private static void visit(String node, Map<String, Set<String>> graph, List<String> path, Set<String> done,
                              List<List<String>> found) {
        int at = path.indexOf(node);
        if (at >= 0) {
            List<String> cycle = new ArrayList<>(path.subList(at, path.size()));
            cycle.add(node);
            found.add(cycle);
            return;
        }
        if (done.contains(node)) {
            return;
        }
        path.add(node);
        for (String next : graph.getOrDefault(node, Set.of())) {
            visit(next, graph, path, done, found);
        }
        path.remove(path.size() - 1);
        done.add(node);
    }
}
