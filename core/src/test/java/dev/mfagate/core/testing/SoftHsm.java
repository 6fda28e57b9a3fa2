package dev.mfagate.core.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * A SoftHSM2 token for tests, in a directory of its own: a {@code softhsm2.conf} whose token
 * directory is beside it, one token initialised with {@code softhsm2-util --init-token}, and AES-256
 * keys generated inside it ({@link #generateAesKey}, through SunPKCS11 in a child JVM, so that the
 * test JVM's own SoftHSM instance is never configured by it).
 *
 * <p>SoftHSM reads {@code SOFTHSM2_CONF} once per process, when the library is first initialised.
 * A child process ({@code mfagate} run as a command) gets {@link #environment()}; the test JVM
 * itself uses {@link #forThisJvm()}, whose configuration file is the one surefire's
 * {@code SOFTHSM2_CONF} names. When softhsm2 is not installed the tests skip, except under
 * {@code CI=true}, where they fail.
 */
public final class SoftHsm {

    /** Debian's path of the SoftHSM2 PKCS#11 library. */
    public static final Path LIBRARY = Path.of("/usr/lib/softhsm/libsofthsm2.so");
    /** The user PIN of every test token. */
    public static final String PIN = "7294-test-pin";
    private static final Pattern SLOT = Pattern.compile("reassigned to slot (\\d+)");
    private static SoftHsm jvm;

    private final Path directory;
    private final Path conf;
    private final long slotId;

    private SoftHsm(Path directory, Path conf, long slotId) {
        this.directory = directory;
        this.conf = conf;
        this.slotId = slotId;
    }

    /** A new token in {@code directory} (created), for child processes. */
    public static SoftHsm create(Path directory) {
        return create(directory, directory.resolve("softhsm2.conf"));
    }

    /**
     * The token of this test JVM, created on first use in the configuration file that
     * {@code SOFTHSM2_CONF} names (surefire sets it to a file under {@code target/}).
     */
    public static synchronized SoftHsm forThisJvm() {
        if (jvm == null) {
            String conf = System.getenv("SOFTHSM2_CONF");
            if (conf == null || conf.isBlank()) {
                unavailable("SOFTHSM2_CONF is not set for the test JVM (the pom's surefire configuration sets it)");
            }
            Path confFile = Path.of(conf);
            try {
                Files.createDirectories(confFile.getParent());
                jvm = create(Files.createTempDirectory(confFile.getParent(), "jvm-"), confFile);
            } catch (IOException e) {
                throw new IllegalStateException("Cannot prepare " + confFile, e);
            }
        }
        return jvm;
    }

    private static SoftHsm create(Path directory, Path conf) {
        if (!Files.isRegularFile(LIBRARY) || !onPath("softhsm2-util")) {
            unavailable("softhsm2 is not installed (apt-get install softhsm2)");
        }
        try {
            Path tokens = directory.resolve("tokens");
            Files.createDirectories(tokens);
            Files.writeString(conf, "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\n"
                    + "slots.removable = false\n", StandardCharsets.UTF_8);
            String out = run(conf, List.of("softhsm2-util", "--init-token", "--free", "--label", "mfagate-test",
                    "--pin", PIN, "--so-pin", "5678-test-so-pin"));
            Matcher m = SLOT.matcher(out);
            if (!m.find()) {
                throw new IllegalStateException("softhsm2-util did not say which slot: " + out);
            }
            return new SoftHsm(directory, conf, Long.parseLong(m.group(1)));
        } catch (IOException e) {
            throw new IllegalStateException("Cannot create a SoftHSM token in " + directory, e);
        }
    }

    /** Generates an AES-256 secret key labelled {@code label} inside the token: sensitive, not extractable. */
    public void generateAesKey(String label) {
        String classpath;
        try {
            classpath = Path.of(SoftHsmKeyGen.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        run(conf, List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classpath,
                SoftHsmKeyGen.class.getName(), LIBRARY.toString(), Long.toString(slotId), PIN, label));
    }

    /** {@code pkcs11:object=<label>;slot-id=<slot>?module-path=<library>}. */
    public String reference(String label) {
        return "pkcs11:object=" + label + ";slot-id=" + slotId + "?module-path=" + LIBRARY;
    }

    /** The token's slot id. */
    public long slotId() {
        return slotId;
    }

    /** The directory holding the configuration and the tokens (delete its {@code tokens} to remove the token). */
    public Path directory() {
        return directory;
    }

    /** What a child process needs: {@code SOFTHSM2_CONF} and {@code MFAGATE_PKCS11_PIN}. */
    public Map<String, String> environment() {
        return Map.of("SOFTHSM2_CONF", conf.toString(), "MFAGATE_PKCS11_PIN", PIN);
    }

    /**
     * What a child process needs to find this token removed: {@link #environment()}, but with a
     * configuration of its own, written in {@code directory} (created), whose token directory is
     * empty. The token itself stays, for this JVM and for other processes.
     */
    public Map<String, String> environmentWithTokenRemoved(Path directory) {
        try {
            Path tokens = Files.createDirectories(directory.resolve("tokens"));
            Path removedConf = directory.resolve("softhsm2.conf");
            Files.writeString(removedConf, "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\n"
                    + "slots.removable = false\n", StandardCharsets.UTF_8);
            return Map.of("SOFTHSM2_CONF", removedConf.toString(), "MFAGATE_PKCS11_PIN", PIN);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot prepare " + directory, e);
        }
    }

    private static String run(Path conf, List<String> command) {
        try {
            ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
            pb.environment().put("SOFTHSM2_CONF", conf.toString());
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException(command.get(0) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("Cannot run " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private static void unavailable(String why) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(why + "; CI=true requires it");
        }
        Assumptions.abort(why + ": PKCS#11 tests skipped (they fail when CI=true)");
    }
}
