package dev.mfagate.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.gateway.InProcessCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The files the CLI writes where the operator says ({@code audit export --output}, {@code policy
 * export FILE}), in process: a new file is written, an existing one (the store's own
 * {@code keyset.json} included) is never overwritten, and a name that cannot be created is refused
 * with exit 2 and one line naming it, never an exception's class.
 */
class OutputFilesTest {

    @TempDir
    Path dir;
    private Path data;

    @BeforeEach
    void init() {
        data = dir.resolve("data");
        assertThat(run("init").exitCode()).isZero();
    }

    private InProcessCli.Result run(String... args) {
        return InProcessCli.in(data).run(args);
    }

    /** The two commands, each given {@code file} where it writes. */
    static Stream<Arguments> writers() {
        return Stream.of(
                Arguments.of("audit export", (java.util.function.Function<String, String[]>)
                        f -> new String[] {"audit", "export", "--output", f}),
                Arguments.of("policy export", (java.util.function.Function<String, String[]>)
                        f -> new String[] {"policy", "export", f}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("writers")
    void write_newFile_written(String what, java.util.function.Function<String, String[]> args) throws Exception {
        Path out = dir.resolve("out");

        InProcessCli.Result r = run(args.apply(out.toString()));

        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(out).isRegularFile();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("writers")
    void write_theStoresKeysetFile_refusedExit2KeysetUntouched(String what, java.util.function.Function<String, String[]> args)
            throws Exception {
        Path keyset = data.resolve("keyset.json");
        byte[] before = Files.readAllBytes(keyset);

        InProcessCli.Result r = run(args.apply(keyset.toString()));

        assertThat(r.exitCode()).as(r.all()).isEqualTo(2);
        assertThat(r.err().strip()).contains(keyset + " already exists").contains("never overwrites").doesNotContain("\n");
        assertThat(Files.readAllBytes(keyset)).isEqualTo(before);
        assertThat(run("audit", "verify").exitCode()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("writers")
    void write_existingFile_refusedExit2NothingWritten(String what, java.util.function.Function<String, String[]> args)
            throws Exception {
        Path out = dir.resolve("kept.txt");
        Files.writeString(out, "keep me\n");

        InProcessCli.Result r = run(args.apply(out.toString()));

        assertThat(r.exitCode()).as(r.all()).isEqualTo(2);
        assertThat(Files.readString(out)).isEqualTo("keep me\n");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("writers")
    void write_noSuchDirectoryOrADirectory_oneLineNamingTheFileExit2(String what,
            java.util.function.Function<String, String[]> args) throws Exception {
        Path missing = dir.resolve("nonexistent/dir/out.jsonl");
        Path directory = Files.createDirectory(dir.resolve("a-directory"));
        Path underAFile = dir.resolve("kept.txt").resolve("out.jsonl");
        Files.writeString(dir.resolve("kept.txt"), "x");
        for (Object[] bad : new Object[][] {
                {missing, "Cannot create " + missing + ": there is no directory " + missing.getParent()},
                {directory, directory + " is a directory"},
                {underAFile, "Cannot create " + underAFile + ": Not a directory"}}) {
            InProcessCli.Result r = run(args.apply(bad[0].toString()));

            assertThat(r.exitCode()).as(r.all()).isEqualTo(2);
            assertThat(r.err().strip()).startsWith("mfagate: " + bad[1]).doesNotContain("\n")
                    .doesNotContain("unexpected").doesNotContain("Exception");
        }
        assertThat(missing.getParent()).doesNotExist();
        assertThat(directory).isEmptyDirectory();
    }

    @Test
    void auditExport_existingFile_saysWhyInOneLine() throws Exception {
        Path out = Files.writeString(dir.resolve("export.jsonl"), "");

        InProcessCli.Result r = run("audit", "export", "--output", out.toString());

        assertThat(r.err().strip()).isEqualTo("mfagate: " + out + " already exists; --output never overwrites a file,"
                + " so give a new name");
    }
}
