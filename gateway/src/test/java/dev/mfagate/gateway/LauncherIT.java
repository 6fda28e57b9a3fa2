package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/mfagate} on a machine whose default {@code java} is 17: it finds a JDK 21+ by itself,
 * or says what it found and the exact fix. The Java 17 on the PATH is a stand-in (a {@code release}
 * file saying 17 and a {@code java} that fails loudly if run), so the test means the same on a
 * machine without a real JDK 17.
 */
class LauncherIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private Path java17Bin;

    static Path launcher() {
        Path p = Path.of(System.getProperty("mfagate.launcher", "../bin/mfagate"));
        assertThat(p).as("the launcher (property mfagate.launcher)").isExecutable();
        return p;
    }

    @BeforeEach
    void fakeJava17() throws IOException {
        Path home = dir.resolve("jdk-17");
        java17Bin = Files.createDirectories(home.resolve("bin"));
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"17.0.15\"\n");
        Path java = java17Bin.resolve("java");
        Files.writeString(java, "#!/bin/sh\necho 'the Java 17 stand-in was run' >&2\nexit 99\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** PATH: the Java 17 stand-in first, then the system's tools (sed, awk, readlink), no JAVA_HOME. */
    private Map<String, String> java17Environment() {
        return Map.of("PATH", java17Bin + ":/usr/bin:/bin");
    }

    @Test
    void help_defaultJava17AndNoJavaHome_picksAJdk21PlusAndRuns() throws Exception {
        Result r = run(launcher(), java17Environment(),
                Map.of("JAVA_OPTS", "-XshowSettings:properties -XX:+PrintCommandLineFlags"), "--help");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("Usage: mfagate ").contains("serve").contains("migrate");
        assertThat(r.err()).doesNotContain("stand-in");
        Matcher spec = Pattern.compile("java\\.specification\\.version = (\\d+)").matcher(r.err());
        assertThat(spec.find()).as(r.err()).isTrue();
        assertThat(Integer.parseInt(spec.group(1))).isGreaterThanOrEqualTo(21);
        String flags = r.out().lines().findFirst().orElseThrow();
        assertThat(flags).as("the recommended flags, a one-shot command's C1 only, and JAVA_OPTS")
                .contains("-XX:+UseSerialGC").contains("-XX:MaxHeapSize=134217728").contains("-XX:+ExitOnOutOfMemoryError")
                .contains("-XX:ErrorFile=/tmp/mfagate-hs_err_pid%p.log").contains("-XX:TieredStopAtLevel=1")
                .contains("-XX:+PrintCommandLineFlags");
    }

    @Test
    void serve_jdk25OrNewer_compactObjectHeadersAndNativeHeapTrimming() throws Exception {
        Result r = run(launcher(), java17Environment(),
                Map.of("JAVA_OPTS", "-XshowSettings:properties -XX:+PrintCommandLineFlags", "MFAGATE_AOT", "off"),
                "serve", "--help");

        assertThat(r.exit()).as(r.err()).isZero();
        Matcher spec = Pattern.compile("java\\.specification\\.version = (\\d+)").matcher(r.err());
        assertThat(spec.find()).as(r.err()).isTrue();
        String flags = r.out().lines().findFirst().orElseThrow();
        assertThat(flags).as("serve's flags").contains("-XX:+UseSerialGC").contains("-XX:MaxHeapSize=67108864")
                .contains("-XX:ReservedCodeCacheSize=50331648").contains("-XX:-TieredCompilation");
        if (Integer.parseInt(spec.group(1)) >= 25) {
            assertThat(flags).contains("-XX:+UseCompactObjectHeaders").contains("-XX:TrimNativeHeapInterval=1000");
        } else {
            assertThat(flags).doesNotContain("UseCompactObjectHeaders").doesNotContain("TrimNativeHeapInterval");
        }
    }

    @Test
    void serve_javaOptsNamesAnotherCollector_itReplacesTheSerialOneAndTheCacheIsSkipped() throws Exception {
        Result r = run(launcher(), java17Environment(),
                Map.of("JAVA_OPTS", "-XX:+UseG1GC -Xmn20m -XX:+PrintCommandLineFlags"), "serve", "--help");

        assertThat(r.exit()).as("the JVM refuses two collectors: " + r.err()).isZero();
        String flags = r.out().lines().findFirst().orElseThrow();
        assertThat(flags).contains("-XX:+UseG1GC").contains("-XX:NewSize=20971520")
                .doesNotContain("UseSerialGC").doesNotContain("AOTCache");
        assertThat(r.out()).contains("Usage: mfagate serve");
    }

    @Test
    void help_javaHomeIsJava17_skipsItForAJdk21Plus() throws Exception {
        Result r = run(launcher(), java17Environment(), Map.of("JAVA_HOME", java17Bin.getParent().toString()), "--help");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("Usage: mfagate ");
    }

    @Test
    void version_printsTheBuildsVersion() throws Exception {
        Result r = run(launcher(), java17Environment(), Map.of(), "-V");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().strip()).isEqualTo("mfagate " + System.getProperty("mfagate.project.version"));
    }

    @Test
    void start_noJdk21Visible_oneJsonLineNamingJava17AndTheFix() throws Exception {
        Path noJdks = Files.createDirectories(dir.resolve("no-jdks"));

        Result r = run(launcher(), java17Environment(), Map.of("MFAGATE_JVM_DIR", noJdks.toString()), "serve", "--demo");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().lines().toList()).singleElement();
        JsonNode line = JSON.readTree(r.err());
        assertThat(line.get("level").asText()).isEqualTo("ERROR");
        assertThat(line.get("message").asText())
                .startsWith("mfagate: needs Java 21 or newer")
                .contains("Java 17 from 'java' on PATH (" + java17Bin.getParent() + ")")
                .contains("no JDK 21+ under " + noJdks)
                .contains("export JAVA_HOME=").contains("export PATH=\"$JAVA_HOME/bin:$PATH\"");
    }

    @Test
    void start_noJdk21VisiblePlainFormat_sameSentenceAsText() throws Exception {
        Path noJdks = Files.createDirectories(dir.resolve("no-jdks"));

        Result r = run(launcher(), java17Environment(),
                Map.of("MFAGATE_JVM_DIR", noJdks.toString(), "MFAGATE_LOG_FORMAT", "plain"), "--help");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).startsWith("mfagate: needs Java 21 or newer, and found only: Java 17").contains("export JAVA_HOME=")
                .hasLineCount(1);
    }

    @Test
    void withJdk_defaultJava17_runsTheCommandOnAJdk21Plus() throws Exception {
        Path withJdk = launcher().resolveSibling("with-jdk");

        Result r = run(withJdk, java17Environment(), Map.of(), "sh", "-c", "java -XshowSettings:properties -version 2>&1; echo \"home=$JAVA_HOME\"");

        assertThat(r.exit()).as(r.err()).isZero();
        Matcher spec = Pattern.compile("java\\.specification\\.version = (\\d+)").matcher(r.out());
        assertThat(spec.find()).as(r.out()).isTrue();
        assertThat(Integer.parseInt(spec.group(1))).isGreaterThanOrEqualTo(21);
        assertThat(r.out()).doesNotContain("stand-in").containsPattern("home=/\\S+");

        // A command under with-jdk that starts the launcher itself (a benchmark script) gets mfagate, not with-jdk again.
        Result nested = run(withJdk, java17Environment(), Map.of(), launcher().toString(), "--version");
        assertThat(nested.exit()).as(nested.err()).isZero();
        assertThat(nested.out()).contains("mfagate ");
    }

    @Test
    void installedLayout_launcherInBinJarInLib_runs() throws Exception {
        Path opt = dir.resolve("opt/mfagate");
        Files.createDirectories(opt.resolve("bin"));
        Files.createDirectories(opt.resolve("lib"));
        Files.copy(launcher(), opt.resolve("bin/mfagate"));
        Files.setPosixFilePermissions(opt.resolve("bin/mfagate"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(opt.resolve("lib/mfagate.jar"), MfagateProcess.jar().toAbsolutePath());

        Result r = run(opt.resolve("bin/mfagate"), java17Environment(), Map.of(), "-V");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("mfagate ");
    }

    @Test
    void aot_jdkOlderThan25_noAotCacheButTheJvmsOwnClassDataArchive() throws Exception {
        // A JDK whose release file says 21: the real java of this test behind it, so the jar runs.
        Path home = dir.resolve("jdk-21");
        Files.createDirectories(home.resolve("bin"));
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"21.0.8\"\n");
        Path java = home.resolve("bin/java");
        Files.writeString(java, "#!/bin/sh\nexec '" + ProcessHandle.current().info().command().orElseThrow() + "' \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path cache = dir.resolve("aot");
        Map<String, String> env = Map.of("JAVA_HOME", home.toString(), "MFAGATE_AOT_DIR", cache.toString(),
                "MFAGATE_LOG_FORMAT", "plain");

        Result aot = run(launcher(), java17Environment(), env, "aot");
        Result version = run(launcher(), java17Environment(), withFlags(env), "-V");

        assertThat(aot.exit()).as(aot.err()).isZero();
        assertThat(aot.err()).contains("no AOT cache: it needs JDK 25 or newer (this is Java 21)");
        assertThat(version.exit()).as(version.err()).isZero();
        // The JVM shows the archive as the file it will write at exit while there is none yet.
        assertThat(version.out()).doesNotContain("AOTCache=").contains("-XX:+AutoCreateSharedArchive")
                .containsPattern("-XX:(SharedArchiveFile|ArchiveClassesAtExit)=" + Pattern.quote(cache.toString()) + "/mfagate\\.jar-\\d+-cli-\\d+-jdk21\\.jsa")
                .contains("mfagate ");
        try (Stream<Path> files = Files.list(cache)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("the JVM's archive, no AOT cache")
                    .allMatch(n -> n.endsWith(".jsa"));
        }
    }

    @Test
    void aot_cacheThenJarChangedOrCacheUnreadable_runsWithoutItSilently() throws Exception {
        Assumptions.assumeTrue(Runtime.version().feature() >= 25, "an AOT cache needs JDK 25");
        Path jar = Files.createDirectories(dir.resolve("lib")).resolve("mfagate.jar");
        Files.copy(MfagateProcess.jar(), jar);
        Path cache = dir.resolve("aot");
        Map<String, String> env = Map.of("JAVA_HOME", System.getProperty("java.home"), "MFAGATE_JAR", jar.toString(),
                "MFAGATE_AOT_DIR", cache.toString(), "MFAGATE_AOT", "manual");

        Result aot = run(launcher(), java17Environment(), env, "aot", "cli", "--quiet");
        assertThat(aot.exit()).as(aot.err()).isZero();
        List<Path> caches;
        try (Stream<Path> files = Files.list(cache)) {
            caches = files.filter(p -> p.getFileName().toString().endsWith(".aot")).toList();
        }
        // What a training whose launcher was killed before its rename leaves (its pid gone): the next
        // training clears it; a live training's files (this JVM's pid) are left alone.
        String dead = caches.getFirst() + ".2147483646";
        String live = caches.getFirst() + "." + ProcessHandle.current().pid();
        for (String stem : List.of(dead, live)) {
            Files.write(Path.of(stem + ".tmp"), new byte[1024]);
            Files.writeString(Path.of(stem + ".log"), "AOTCache creation is complete\n");
            Files.createDirectories(Path.of(stem + ".tmp.native"));
        }
        Result again = run(launcher(), java17Environment(), env, "aot", "cli", "--quiet");
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(Path.of(dead + ".tmp")).doesNotExist();
        assertThat(Path.of(dead + ".log")).doesNotExist();
        assertThat(Path.of(dead + ".tmp.native")).doesNotExist();
        assertThat(Path.of(live + ".tmp")).exists();
        Files.delete(Path.of(live + ".tmp"));
        Files.deleteIfExists(Path.of(live + ".log")); // a finished training removes every log of its cache
        Files.delete(Path.of(live + ".tmp.native"));
        assertThat(caches).as("one cache, for the CLI commands").singleElement()
                .satisfies(p -> assertThat(p.getFileName().toString())
                        .matches("mfagate\\.jar-\\d+-cli-\\d+-jdk" + Runtime.version().feature() + "\\.aot"));
        Path sqliteLibrary = Path.of(caches.getFirst() + ".native").resolve("libsqlitejdbc.so");
        assertThat(sqliteLibrary).as("SQLite's native library beside the cache").isNotEmptyFile();
        Result used = run(launcher(), java17Environment(), withFlags(env), "-V");
        assertThat(used.exit()).as(used.err()).isZero();
        assertThat(used.out()).contains("-XX:AOTCache=" + caches.getFirst());
        Map<String, String> showProperties = new java.util.HashMap<>(env);
        showProperties.put("JAVA_OPTS", "-XshowSettings:properties");
        Result named = run(launcher(), java17Environment(), showProperties, "-V");
        assertThat(named.exit()).as(named.err()).isZero();
        assertThat(named.err()).contains("org.sqlite.lib.path = " + sqliteLibrary.getParent());
        // A command on a store loads SQLite's library from beside the cache; a damaged copy is unpacked from the jar as before.
        Map<String, String> store = new java.util.HashMap<>(env);
        store.put("MFAGATE_DATA_DIR", dir.resolve("data").toString());
        Result init = run(launcher(), java17Environment(), store, "init");
        assertThat(init.exit()).as(init.err()).isZero();
        Files.write(sqliteLibrary, new byte[] {1, 2, 3});
        Result listed = run(launcher(), java17Environment(), store, "seed", "list");
        assertThat(listed.exit()).as(listed.err()).isZero();

        // Another cache than the JVM wrote (same name, other bytes): the JVM refuses it and says nothing.
        byte[] original = Files.readAllBytes(caches.getFirst());
        Files.write(caches.getFirst(), new byte[4096]);
        Result unreadable = run(launcher(), java17Environment(), env, "-V");
        assertThat(unreadable.exit()).as(unreadable.err()).isZero();
        assertThat(unreadable.out().strip()).startsWith("mfagate ");
        assertThat(unreadable.err()).isEmpty();

        // A rebuilt jar: its cache is another one, not there yet, so the program runs without one.
        Files.write(caches.getFirst(), original);
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(60)));
        Result changed = run(launcher(), java17Environment(), withFlags(env), "-V");
        assertThat(changed.exit()).as(changed.err()).isZero();
        assertThat(changed.out()).doesNotContain("AOTCache").contains("mfagate ");
        assertThat(changed.err()).isEmpty();
    }

    @Test
    void aot_twoJarsSideBySideOneCacheDirectory_eachKeepsItsCacheAnUpgradeReplacesOnlyItsOwn() throws Exception {
        Assumptions.assumeTrue(Runtime.version().feature() >= 25, "an AOT cache needs JDK 25");
        // Two versions installed side by side, as during an upgrade, with the unit's one cache directory.
        Path older = Files.createDirectories(dir.resolve("mfagate-1/lib")).resolve("mfagate.jar");
        Path newer = Files.createDirectories(dir.resolve("mfagate-2/lib")).resolve("mfagate.jar");
        Files.copy(MfagateProcess.jar(), older);
        Files.copy(MfagateProcess.jar(), newer);
        Files.setLastModifiedTime(newer, FileTime.from(Instant.now().plusSeconds(60)));
        Path cache = dir.resolve("aot");
        Map<String, String> olderEnv = Map.of("JAVA_HOME", System.getProperty("java.home"), "MFAGATE_JAR", older.toString(),
                "MFAGATE_AOT_DIR", cache.toString(), "MFAGATE_AOT", "manual");
        Map<String, String> newerEnv = new java.util.HashMap<>(olderEnv);
        newerEnv.put("MFAGATE_JAR", newer.toString());

        Result first = run(launcher(), java17Environment(), olderEnv, "aot", "cli", "--quiet");
        assertThat(first.exit()).as(first.err()).isZero();
        Path olderCache = singleCache(cache);
        Result second = run(launcher(), java17Environment(), newerEnv, "aot", "cli", "--quiet");
        assertThat(second.exit()).as(second.err()).isZero();
        List<Path> both = caches(cache);
        assertThat(both).as("the first jar's cache kept beside the second's").hasSize(2).contains(olderCache);
        Path newerCache = both.stream().filter(p -> !p.equals(olderCache)).findFirst().orElseThrow();
        Result usesOlder = run(launcher(), java17Environment(), withFlags(olderEnv), "-V");
        assertThat(usesOlder.out()).contains("-XX:AOTCache=" + olderCache);
        Result usesNewer = run(launcher(), java17Environment(), withFlags(newerEnv), "-V");
        assertThat(usesNewer.out()).contains("-XX:AOTCache=" + newerCache);

        // The first jar upgraded in place: its new cache replaces its old one, the other jar's stays.
        Files.setLastModifiedTime(older, FileTime.from(Instant.now().plusSeconds(120)));
        Result upgraded = run(launcher(), java17Environment(), olderEnv, "aot", "cli", "--quiet");
        assertThat(upgraded.exit()).as(upgraded.err()).isZero();
        assertThat(caches(cache)).hasSize(2).contains(newerCache).doesNotContain(olderCache);
    }

    private static List<Path> caches(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".aot")).toList();
        }
    }

    private static Path singleCache(Path dir) throws IOException {
        List<Path> all = caches(dir);
        assertThat(all).hasSize(1);
        return all.getFirst();
    }

    /** {@code env} and JAVA_OPTS that print the JVM's flags on standard output first. */
    private static Map<String, String> withFlags(Map<String, String> env) {
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("JAVA_OPTS", "-XX:+PrintCommandLineFlags");
        return all;
    }

    record Result(int exit, String out, String err) {
    }

    static Result run(Path launcher, Map<String, String> base, Map<String, String> extra, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(launcher.getParent().toFile());
        pb.environment().clear();
        pb.environment().putAll(base);
        pb.environment().putAll(extra);
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(launcher + " did not finish");
        }
        return new Result(p.exitValue(), out, err.get(10, TimeUnit.SECONDS));
    }
}
