package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mfagate.core.Label;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.testing.SoftHsm;
import dev.mfagate.core.testing.TestSeeds;
import dev.mfagate.core.totp.TotpSeed;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.commons.codec.binary.Base32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key providers as an operator runs them, with the KEK in a SoftHSM2 token: init, serve (codes
 * equal {@code oathtool}'s), rotate, retire, migrate to the keyset file and back, {@code audit verify}
 * after each; a removed token, a wrong PIN and a wrong key label stop the command with a line naming
 * provider, key and what failed; a rotation killed with SIGKILL at each step leaves every seed
 * decryptable. Every output is kept for the secret scan and checked here for the PIN, the seeds and
 * the keyset's key material.
 *
 * <p>The commands run in this JVM ({@link InProcessCli}: the same command line, arguments and
 * environment), on this JVM's SoftHSM token ({@link SoftHsm#forThisJvm()}, a key of each test's own).
 * The shipped jar runs as a process only where the process boundary is what is tested: PKCS#11 logs
 * a whole process in, so a wrong PIN is only refused in a process that has not logged in yet; a
 * removed token is a process that finds no token; and a rotation is killed with SIGKILL.
 */
class KeyProvidersIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final List<String> outputs = new ArrayList<>();

    record Result(int exitCode, String out, String err) {
    }

    private List<String> command(Path data, List<String> jvmArgs, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-Xshare:auto"));
        cmd.addAll(MfagateProcess.sqliteTmpdir());
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-jar", MfagateProcess.jar().toString()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--data-dir", data.toString()));
        return cmd;
    }

    private ProcessBuilder builder(List<String> cmd, Map<String, String> env) {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("MFAGATE_") || k.startsWith("SOFTHSM2") || k.startsWith("VAULT_"));
        pb.environment().put("MFAGATE_LOG_FORMAT", "plain");
        pb.environment().putAll(env);
        return pb;
    }

    /** Runs the shipped jar as a process, for the steps whose subject is the process. */
    private Result runProcess(Path data, Map<String, String> env, String... args) throws Exception {
        Process p = builder(command(data, List.of(), args), env).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("mfagate " + String.join(" ", args) + " finished").isTrue();
        keep(String.join("-", List.of(args).subList(0, Math.min(2, args.length))), out + "\n" + err);
        return new Result(p.exitValue(), out, err);
    }

    /** Runs a command in this JVM with {@code env} (and nothing of the test process's own environment). */
    private Result run(Path data, Map<String, String> env, String stdin, String... args) {
        InProcessCli.Result r = InProcessCli.in(data).withEnv(env).runWithStdin(stdin, args);
        outputs.add(r.out() + "\n" + r.err());
        return new Result(r.exitCode(), r.out(), r.err());
    }

    private void keep(String what, String text) throws IOException {
        outputs.add(text);
        Files.writeString(TestLogs.newFile("keys-" + what, ".log"), text, StandardCharsets.UTF_8);
    }

    private static String base32(TotpSeed seed) {
        return new Base32().encodeAsString(seed.secret().toByteArray());
    }

    /** The PIN, which is all the in-process commands need of {@link SoftHsm#environment()}. */
    private static Map<String, String> pin() {
        return Map.of("MFAGATE_PKCS11_PIN", SoftHsm.PIN);
    }

    /** A new AES key of this test's own in {@code hsm}; returns its label. */
    private static String newTokenKey(SoftHsm hsm, String prefix) {
        String label = prefix + "-" + UUID.randomUUID();
        hsm.generateAesKey(label);
        return label;
    }

    private Map<Label, TotpSeed> addSeeds(Path data, Map<String, String> env, String... labels) {
        Map<Label, TotpSeed> seeds = new LinkedHashMap<>();
        for (String l : labels) {
            TotpSeed seed = TestSeeds.random();
            SecretRegistry.seed(seed);
            Result r = run(data, env, base32(seed), "seed", "add", l);
            assertThat(r.exitCode()).as(r.err()).isZero();
            seeds.put(Label.parse(l), seed);
        }
        return seeds;
    }

    /** Starts serve, asks for one code, compares it with oathtool's, stops. */
    private void serveAndCompare(Path data, Map<String, String> env, String token, TotpSeed seed) throws Exception {
        InProcessCli.Server server = InProcessCli.in(data).withEnv(env).serve("--port", "0");
        // The client is closed before the server stops: an idle keep-alive connection makes a graceful stop wait for it.
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl + "/totp/acme/aws"))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(resp.statusCode()).as(resp.body()).isEqualTo(200);
            SecretRegistry.codesIn(resp.body());
            JsonNode body = JSON.readTree(resp.body());
            assertThat(body.get("code").asText().equals(oathtool(seed, Instant.parse(body.get("timestamp").asText()))))
                    .as("the code equals oathtool's").isTrue();
        } finally {
            assertThat(server.stop()).as("serve stopped cleanly").isZero();
            outputs.add(server.out() + "\n" + server.err());
        }
    }

    private static String oathtool(TotpSeed seed, Instant at) throws Exception {
        Process p = new ProcessBuilder("oathtool", "--totp=SHA1", "--base32", "--digits=" + seed.parameters().digits(),
                "--time-step-size=" + seed.parameters().periodSeconds() + "s", "--now=@" + at.getEpochSecond(), "-")
                .redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write((base32(seed) + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        assertThat(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0).as("oathtool ran").isTrue();
        return out;
    }

    private void assertOk(Result r) {
        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
    }

    /** No output of any command holds the PIN, a seed, or key material of the keyset. */
    private void assertNoSecretsIn(List<String> secrets) {
        for (String text : outputs) {
            for (String secret : secrets) {
                assertThat(text.contains(secret)).as("an output holds a secret").isFalse();
            }
        }
    }

    /** The base64 key material ("value") of every key in a keyset file. */
    private static List<String> keyMaterial(Path keysetFile) throws IOException {
        List<String> values = new ArrayList<>();
        JsonNode root = JSON.readTree(keysetFile.toFile());
        for (String member : List.of("kek", "audit_mac")) {
            root.path(member).path("key").forEach(k -> values.add(k.at("/keyData/value").asText()));
        }
        return values;
    }

    @Test
    void pkcs11_initServeRotateRetireMigrateToFileAndBack_codesEqualOathtoolAndAuditVerifies() throws Exception {
        SoftHsm hsm = SoftHsm.forThisJvm();
        String kek = hsm.reference(newTokenKey(hsm, "mfagate-kek"));
        Map<String, String> env = pin();
        Path data = dir.resolve("data");

        Result init = run(data, env, null, "init", "--kek", kek);
        assertOk(init);
        assertThat(init.out()).contains("wrapped by " + kek);
        assertThat(data.resolve("keyset.json")).doesNotExist();
        TotpSeed seed = addSeeds(data, env, "acme-aws").get(Label.parse("acme-aws"));
        String token = run(data, env, null, "token", "create", "--name", "ops").out().strip();
        serveAndCompare(data, env, token, seed);

        assertOk(run(data, env, null, "keys", "rotate"));
        assertOk(run(data, env, null, "audit", "verify"));
        Result retired = run(data, env, null, "keys", "retire");
        assertOk(retired);
        assertThat(retired.out()).contains("Retired 1 older KEK");
        assertOk(run(data, env, null, "audit", "verify"));

        Result toFile = run(data, env, null, "keys", "migrate", "--to", "file");
        assertOk(toFile);
        assertThat(data.resolve("keyset.json")).exists();
        List<String> material = keyMaterial(data.resolve("keyset.json"));
        assertOk(run(data, Map.of(), null, "audit", "verify"));
        serveAndCompare(data, Map.of(), token, seed);

        Result back = run(data, env, null, "keys", "migrate", "--to", kek);
        assertOk(back);
        assertThat(data.resolve("keyset.json")).doesNotExist();
        assertThat(back.out()).contains("The old keyset file is now");
        assertOk(run(data, env, null, "audit", "verify"));
        serveAndCompare(data, env, token, seed);
        Result audit = run(data, env, null, "audit", "export");
        assertThat(audit.out()).contains("keys-rotate").contains("keys-retire").contains("keys-migrate");

        List<String> secrets = new ArrayList<>(material);
        secrets.addAll(List.of(SoftHsm.PIN, base32(seed)));
        assertNoSecretsIn(secrets);
    }

    @Test
    void pkcs11_wrongPinRemovedTokenWrongLabel_refusedNamingProviderKeyAndWhatFailed() throws Exception {
        SoftHsm hsm = SoftHsm.forThisJvm();
        String key = newTokenKey(hsm, "mfagate-kek");
        String reference = hsm.reference(key);
        Path data = dir.resolve("data");
        assertOk(run(data, pin(), null, "init", "--kek", reference));
        TotpSeed seed = addSeeds(data, pin(), "acme-aws").get(Label.parse("acme-aws"));
        assertOk(run(data, pin(), null, "token", "create", "--name", "ops"));

        // A process of its own: this JVM's login would let any PIN through.
        Map<String, String> wrongPin = new HashMap<>(hsm.environment());
        wrongPin.put("MFAGATE_PKCS11_PIN", "9999-not-the-pin");
        Result pin = runProcess(data, wrongPin, "serve", "--port", "0");
        assertThat(pin.exitCode()).isEqualTo(1);
        assertThat(pin.err()).contains(reference).contains("(key " + key + ")")
                .contains("logging in to the token failed: access denied").doesNotContain("9999-not-the-pin");

        Result label = run(data, pin(), null, "keys", "migrate", "--to", hsm.reference("no-such-key"));
        assertThat(label.exitCode()).isEqualTo(1);
        assertThat(label.err()).contains("object=no-such-key").contains("key not found").contains("nothing was changed");
        Result stillServes = run(data, pin(), null, "seed", "list");
        assertOk(stillServes);

        // A process whose SoftHSM finds no token where the keyset's KEK was: the token is removed for it.
        Result removed = runProcess(data, hsm.environmentWithTokenRemoved(dir.resolve("removed")), "serve", "--port", "0");
        assertThat(removed.exitCode()).isEqualTo(1);
        assertThat(removed.err()).contains(reference).contains("failed: unreachable");
        assertThat(removed.out()).doesNotContain("listening");

        assertNoSecretsIn(List.of(SoftHsm.PIN, "9999-not-the-pin", base32(seed)));
    }

    @Test
    void keysRotate_killedWithSigkillAtEachStep_everySeedStillDecryptsAndRotatingAgainCompletes() throws Exception {
        for (String step : List.of("keyset-saved", "rewrapping 2/3", "rewrapped")) {
            Path data = dir.resolve("data-" + step.replace(' ', '-').replace('/', '-'));
            assertOk(run(data, Map.of(), null, "init"));
            Map<Label, TotpSeed> seeds = addSeeds(data, Map.of(), "acme-aws", "acme-github", "beta-portal");

            // The shipped jar, killed: the subject of this test is a process that dies mid-rotation.
            Process p = builder(command(data, List.of("-Dmfagate.test.rotationPauseAt=" + step), "keys", "rotate"), Map.of())
                    .start();
            BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
            String line;
            StringBuilder seen = new StringBuilder();
            while ((line = err.readLine()) != null) {
                seen.append(line).append('\n');
                if (line.equals("keys: step " + step)) {
                    break;
                }
            }
            assertThat(line).as("reached step " + step + ": " + seen).isNotNull();
            p.destroyForcibly(); // SIGKILL: no shutdown hook, no rollback by the process
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            keep("rotate-killed", seen.toString());

            try (Store store = Store.open(data, Map.of())) {
                seeds.forEach((label, seed) -> assertThat(store.seeds().find(label).orElseThrow().secret()
                        .equalsSecretBytes(seed.secret())).as(label + " after a kill at " + step).isTrue());
            }
            assertOk(run(data, Map.of(), null, "keys", "rotate"));
            assertOk(run(data, Map.of(), null, "keys", "retire"));
            assertOk(run(data, Map.of(), null, "audit", "verify"));
            try (Store store = Store.open(data, Map.of())) {
                seeds.forEach((label, seed) -> assertThat(store.seeds().find(label).orElseThrow().secret()
                        .equalsSecretBytes(seed.secret())).as(label + " after completing").isTrue());
                assertThat(store.keyring().kek().keyIds()).hasSize(1);
            }
        }
    }
}
