package dev.mfagate.core.totp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.mfagate.core.SecretBytes;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.commons.codec.binary.Base32;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Compares {@link TotpGenerator} with an independent implementation, OATH Toolkit's
 * {@code oathtool}, on random seeds, algorithms, digit counts, periods and instants.
 *
 * <p>The random seed is fixed and printed, so a failure reproduces; set the system property
 * {@code mfagate.oathtool.seed} to try another one. Failures name the case index and the seed,
 * never the secret. Each secret reaches oathtool on its standard input, not on its command line,
 * where other users of the machine could read it.
 */
class OathtoolCrossCheckTest {

    private static final int CASES = 1_000;
    private static final long DEFAULT_RANDOM_SEED = 0x6D66_6167_6174_6531L;
    private static final long MAX_EPOCH_SECONDS = 1L << 33;
    private static final long[] COMMON_PERIODS = {1, 30, 60, 86_400};
    private static final int PARALLEL_PROCESSES = 4;

    private record Case(int index, HmacAlgorithm algorithm, int digits, long periodSeconds, Instant instant, byte[] secret) {
    }

    @Test
    void window_randomCases_matchOathtool() throws Exception {
        Path oathtool = findOathtool().orElse(null);
        if (oathtool == null) {
            String reason = "oathtool not found on PATH; install Debian's oathtool package";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(reason + " (CI=true, so this check may not be skipped)");
            }
            Assumptions.abort(reason + "; skipping the cross-check on this developer machine");
        }
        long randomSeed = Long.getLong("mfagate.oathtool.seed", DEFAULT_RANDOM_SEED);
        List<Case> cases = randomCases(new Random(randomSeed));
        System.out.printf(Locale.ROOT, "oathtool cross-check: %d cases, random seed %d%n", CASES, randomSeed);

        long start = System.nanoTime();
        List<String> failures = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(PARALLEL_PROCESSES)) {
            List<Future<Optional<String>>> results = new ArrayList<>();
            for (Case c : cases) {
                results.add(pool.submit(() -> check(oathtool, c, randomSeed)));
            }
            for (Future<Optional<String>> result : results) {
                result.get().ifPresent(failures::add);
            }
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.printf(Locale.ROOT, "oathtool cross-check: %d cases in %d ms, %d failed%n", CASES, millis, failures.size());

        assertThat(failures.subList(0, Math.min(10, failures.size())))
                .as("first of %d cases that disagree with oathtool (random seed %d)", failures.size(), randomSeed)
                .isEmpty();
    }

    private static List<Case> randomCases(Random random) {
        List<Case> cases = new ArrayList<>(CASES);
        HmacAlgorithm[] algorithms = HmacAlgorithm.values();
        for (int i = 0; i < CASES; i++) {
            byte[] secret = new byte[10 + random.nextInt(55)];
            random.nextBytes(secret);
            HmacAlgorithm algorithm = algorithms[random.nextInt(algorithms.length)];
            int digits = 6 + random.nextInt(3);
            // A quarter of the cases use the periods people actually meet; the rest are arbitrary.
            long period = random.nextInt(4) == 0 ? COMMON_PERIODS[random.nextInt(COMMON_PERIODS.length)] : 1 + random.nextInt(86_400);
            Instant instant = Instant.ofEpochSecond(random.nextLong(MAX_EPOCH_SECONDS + 1), random.nextInt(1_000_000_000));
            cases.add(new Case(i, algorithm, digits, period, instant, secret));
        }
        return cases;
    }

    /** Empty when ours and oathtool's current and next codes agree; otherwise a message without the secret. */
    private static Optional<String> check(Path oathtool, Case c, long randomSeed) throws IOException, InterruptedException {
        String describe = String.format(Locale.ROOT, "case %d (random seed %d): %s, %d digits, period %d s, instant %s, %d-byte secret",
                c.index(), randomSeed, c.algorithm(), c.digits(), c.periodSeconds(), c.instant(), c.secret().length);
        TotpSeed seed = TotpSeed.of(SecretBytes.copyOf(c.secret()),
                new TotpParameters(c.algorithm(), c.digits(), Duration.ofSeconds(c.periodSeconds())));
        // A threshold past the period asks for the next code every time, so both are compared.
        TotpWindow ours = TotpGenerator.window(seed, c.instant(), Duration.ofSeconds(c.periodSeconds() + 1));
        List<String> expected = List.of(ours.code(), ours.nextCode().orElseThrow());

        Process process = new ProcessBuilder(oathtool.toString(),
                "--totp=" + c.algorithm().name(), "--base32", "--digits=" + c.digits(),
                "--time-step-size=" + c.periodSeconds() + "s", "--now=@" + c.instant().getEpochSecond(),
                "--window=1", "-")
                .redirectErrorStream(true)
                .start();
        try (OutputStream stdin = process.getOutputStream()) {
            byte[] base32 = new Base32().encode(c.secret());
            stdin.write(base32);
            stdin.write('\n');
            Arrays.fill(base32, (byte) 0);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return Optional.of(describe + ": oathtool did not finish in 30 s");
        }
        if (process.exitValue() != 0) {
            return Optional.of(describe + ": oathtool exited with " + process.exitValue());
        }
        List<String> actual = output.lines().toList();
        if (!actual.equals(expected)) {
            return Optional.of(describe + ": ours " + expected + ", oathtool " + actual);
        }
        return Optional.empty();
    }

    private static Optional<Path> findOathtool() {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        return Arrays.stream(path.split(File.pathSeparator))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, "oathtool"))
                .filter(Files::isExecutable)
                .findFirst();
    }
}
