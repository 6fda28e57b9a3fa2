package dev.mfagate.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mfagate.core.totp.TotpSeed;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Every code the gateway issued and every seed the tests imported or added, written to one file
 * under {@code target/} so that {@link ZzSecretScanIT}, run last, can check that none of them
 * reached an audit entry or a log line.
 *
 * <p>The file is {@code code <digits>} and {@code seed <hex>} lines, appended by every test JVM
 * (surefire, then failsafe), and cleared at the start of each build. It holds test secrets only.
 * Thread-safe.
 */
final class SecretRegistry {

    /** The registry file; the build passes {@code mfagate.test-secrets}. */
    static final Path FILE = Path.of(System.getProperty("mfagate.test-secrets", "target/test-secrets.txt"));

    private static final Pattern CODE = Pattern.compile("[0-9]{6,8}");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> WRITTEN = ConcurrentHashMap.newKeySet();

    /** What the registry holds: codes as digit strings, seeds as raw bytes (hex). */
    record Contents(Set<String> codes, Set<String> seedsHex) {
        boolean isEmpty() {
            return codes.isEmpty() && seedsHex.isEmpty();
        }
    }

    private SecretRegistry() {
    }

    /** Records a code the gateway issued. */
    static void code(String code) {
        if (code == null || !CODE.matcher(code).matches()) {
            throw new IllegalArgumentException("A code is six to eight ASCII digits");
        }
        write("code " + code);
    }

    /** Records every code ({@code code}, {@code next_code}) in a 200 response body of {@code /totp} or {@code /code}. */
    static void codesIn(String responseBody) {
        try {
            JsonNode body = JSON.readTree(responseBody);
            for (String field : List.of("code", "next_code")) {
                JsonNode n = body.get(field);
                if (n != null && n.isTextual()) {
                    code(n.asText());
                }
            }
        } catch (IOException e) {
            // Not JSON: nothing issued.
        }
    }

    /** Records a seed's secret bytes. */
    static void seed(byte[] secret) {
        write("seed " + HexFormat.of().formatHex(secret));
    }

    /** Records a seed. */
    static void seed(TotpSeed seed) {
        byte[] secret = seed.secret().toByteArray();
        try {
            seed(secret);
        } finally {
            java.util.Arrays.fill(secret, (byte) 0);
        }
    }

    /** Reads the registry; empty when nothing was registered. */
    static Contents read(Path file) throws IOException {
        Set<String> codes = new LinkedHashSet<>();
        Set<String> seeds = new LinkedHashSet<>();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                if (line.startsWith("code ")) {
                    codes.add(line.substring(5));
                } else if (line.startsWith("seed ")) {
                    seeds.add(line.substring(5));
                }
            }
        }
        return new Contents(codes, seeds);
    }

    private static void write(String line) {
        if (!WRITTEN.add(line)) {
            return;
        }
        synchronized (SecretRegistry.class) {
            try {
                Files.createDirectories(FILE.toAbsolutePath().getParent());
                Files.writeString(FILE, line + "\n", StandardCharsets.US_ASCII,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot write the secret registry " + FILE, e);
            }
        }
    }
}
