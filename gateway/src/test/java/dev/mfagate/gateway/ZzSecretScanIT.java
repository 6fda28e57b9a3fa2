package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Runs last (alone, in failsafe's {@code secret-scan} execution, after the other integration tests have
 * run in two JVMs; the pom sets {@code mfagate.secret-scan} there only): no code the gateway issued
 * and no seed the tests imported or added, in any test of this module, appears in an audit entry
 * or a log line written meanwhile.
 *
 * <p>What is scanned: everything under {@code target/test-logs} (the in-process log at DEBUG,
 * every {@code mfagate} process's output, every audit trail exported at the end of a test) and
 * the console output surefire and failsafe kept for each test class. What is looked for: the
 * {@link SecretRegistry}. How: {@link SecretScanner}, whose own test plants leaks and finds them.
 */
class ZzSecretScanIT {

    private static final Path TARGET = Path.of(System.getProperty("mfagate.reports", "target"));

    @Test
    void everythingWritten_byTheWholeSuite_holdsNoIssuedCodeAndNoSeed() throws Exception {
        Assumptions.assumeTrue("last".equals(System.getProperty("mfagate.secret-scan")),
                "The secret scan runs in the secret-scan execution, after every other test");
        SecretRegistry.Contents registry = SecretRegistry.read(SecretRegistry.FILE);
        Assumptions.assumeFalse(registry.isEmpty(), "Nothing registered: run the whole suite (mvnw verify) for the secret scan");
        List<Path> files = written();
        assertThat(files).as("the suite left logs and audit exports to scan")
                .anyMatch(f -> f.getFileName().toString().startsWith("audit-"))
                .anyMatch(f -> f.getFileName().toString().equals("in-process.log"));

        SecretScanner scanner = new SecretScanner(registry);
        // A canary: the scanner reads this registry's secrets as it should (the leaks are planted in memory only).
        registry.codes().stream().findFirst().ifPresent(code ->
                assertThat(scanner.kindsIn("planted " + code + " here")).as("a planted code is found").contains("code"));
        registry.seedsHex().stream().findFirst().ifPresent(hex ->
                assertThat(scanner.kindsIn("planted " + hex + " here")).as("a planted seed is found").contains("seed (hex)"));
        List<SecretScanner.Finding> findings = new ArrayList<>();
        long bytes = 0;
        for (Path f : files) {
            findings.addAll(scanner.scan(f));
            bytes += Files.size(f);
        }
        System.out.printf("Scanned %d files (%d KiB) for %d codes and %d seeds%n", files.size(), bytes / 1024,
                registry.codes().size(), registry.seedsHex().size());
        assertThat(findings).as("codes or seeds written to logs or audit entries (file:line, kind; secrets not shown)").isEmpty();
    }

    /** The files the tests and the gateway wrote, without the registry itself. */
    private static List<Path> written() throws Exception {
        List<Path> out = new ArrayList<>();
        if (Files.isDirectory(TestLogs.DIR)) {
            try (Stream<Path> s = Files.walk(TestLogs.DIR)) {
                s.filter(Files::isRegularFile).forEach(out::add);
            }
        }
        for (String reports : List.of("surefire-reports", "failsafe-reports")) {
            Path dir = TARGET.resolve(reports);
            if (Files.isDirectory(dir)) {
                try (Stream<Path> s = Files.list(dir)) {
                    s.filter(f -> f.getFileName().toString().endsWith("-output.txt"))
                            .filter(f -> !f.getFileName().toString().contains(ZzSecretScanIT.class.getSimpleName()))
                            .forEach(out::add);
                }
            }
        }
        out.sort(null);
        return out;
    }
}
