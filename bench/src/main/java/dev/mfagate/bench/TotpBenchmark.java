package dev.mfagate.bench;

import dev.mfagate.core.SecretBytes;
import dev.mfagate.core.totp.HmacAlgorithm;
import dev.mfagate.core.totp.TotpGenerator;
import dev.mfagate.core.totp.TotpParameters;
import dev.mfagate.core.totp.TotpSeed;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/** Codes per second on one thread (one core) for each HMAC algorithm. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class TotpBenchmark {

    @Param({"SHA1", "SHA256", "SHA512"})
    public String algorithm;

    private TotpSeed seed;
    private long epochSecond;

    @Setup
    public void setUp() {
        HmacAlgorithm alg = HmacAlgorithm.valueOf(algorithm);
        byte[] key = new byte[alg.referenceSeedSizeBytes()];
        new SecureRandom().nextBytes(key);
        seed = TotpSeed.of(SecretBytes.copyOf(key), new TotpParameters(alg, 6, Duration.ofSeconds(30)));
        epochSecond = 1_750_000_000L;
    }

    @Benchmark
    public String codeAt() {
        // A different step each call, so nothing can be cached between calls.
        epochSecond += 30;
        return TotpGenerator.codeAt(seed, Instant.ofEpochSecond(epochSecond));
    }
}
