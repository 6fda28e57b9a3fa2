package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.mfagate.core.crypto.Keyring;
import dev.mfagate.core.seed.EnvSeeds;
import dev.mfagate.core.store.Store;
import dev.mfagate.gateway.cli.EnvironmentDefault;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.ArgSpec;

/**
 * The deployment files under {@code deploy/} and the example settings at the repository root, held
 * to what the build produces and what the code reads: jar paths, {@code mfagate} subcommands and
 * flags (the picocli model), environment variable names, ports and users. The systemd units are also
 * checked by {@code systemd-analyze verify} and scored by {@code systemd-analyze security --offline};
 * without systemd-analyze those cases skip with the reason, and fail under {@code CI=true}.
 *
 * <p>No Docker engine is needed: the Dockerfile and the compose file are parsed, not run.
 */
class DeploymentFilesTest {

    /** The exposure score (0 safest, 10 unsafe) each unit must stay under. */
    private static final double MAX_EXPOSURE = 2.5;

    private static final Path ROOT = repositoryRoot();
    private static final Path SYSTEMD = ROOT.resolve("deploy/systemd");
    private static final Path DOCKER = ROOT.resolve("deploy/docker");
    private static final String GATEWAY_UNIT = "mfagate.service";
    private static final String BOT_UNIT = "mfagate-bot.service";
    private static final String POSTGRES_DROP_IN = "mfagate.service.d/postgresql.conf.example";

    /** Where the build writes the two jars: {@code <module>/target/<finalName>.jar}. */
    private static final String GATEWAY_JAR = builtJar("gateway");
    private static final String BOT_JAR = builtJar("bot");

    /**
     * The bot's settings as {@code docs/bot.md} on the bot branch lists them; used only while the bot's
     * sources are not in this tree (then the test says so), otherwise the names are read from them.
     */
    private static final Set<String> BOT_ENV_DOCUMENTED = Set.of("ZULIP_SITE", "ZULIP_ORG_URL", "ZULIP_EMAIL",
            "ZULIP_BOT_EMAIL", "ZULIP_API_KEY", "ZULIP_BOT_TOKEN", "ZULIP_CONFIG", "MFAGATE_GATEWAY_URL",
            "MFAGATE_GATEWAY_TOKEN", "MFAGATE_BOT_EXPIRY_ACTION", "MFAGATE_BOT_AUDIT", "MFAGATE_BOT_AUDIT_CHANNEL",
            "MFAGATE_BOT_AUDIT_TOPIC", "MFAGATE_BOT_ADMIN_BIND", "MFAGATE_BOT_ADMIN_PORT",
            "MFAGATE_BOT_CLOCK_SKEW_THRESHOLD_MS", "MFAGATE_BOT_BACKOFF_BASE_MS", "MFAGATE_BOT_BACKOFF_MAX_MS",
            "MFAGATE_BOT_SEND_RATE", "MFAGATE_BOT_SEND_BURST", "MFAGATE_BOT_MEMBERSHIP_CACHE_MS",
            "MFAGATE_BOT_REQUEST_TIMEOUT_MS", "MFAGATE_BOT_POLL_TIMEOUT_MS", "MFAGATE_BOT_MAX_IN_FLIGHT",
            "MFAGATE_BOT_SHUTDOWN_GRACE_MS", "MFAGATE_LOG_FORMAT", "MFAGATE_LOG_LEVEL");
    private static final Set<String> BOT_FLAGS_DOCUMENTED = Set.of("--zuliprc", "--env-file", "--help", "--version");

    private static final Pattern ENV_NAME = Pattern.compile("(?:MFAGATE|ZULIP)_[A-Z0-9_]+");
    private static final Pattern JAR_RUN = Pattern.compile("-jar\\s+(\\S+\\.jar)((?:\\s+[^\\s'\"]+)*)");
    /**
     * The launcher as installed ({@code /opt/mfagate/bin/mfagate}, {@code .../mfagate-bot}): it runs the
     * jar of its name in the directory above {@code bin/} (see bin/mfagate), with the arguments that follow.
     */
    private static final Pattern LAUNCHER_RUN = Pattern.compile("(/opt/mfagate)/bin/(mfagate(?:-bot)?)\\b((?:\\s+[^\\s'\"]+)*)");

    /** The jar an exec line or entry point runs and its arguments: {@code java -jar X.jar ARGS} or the launcher. */
    private static Optional<Map.Entry<String, List<String>>> jarRun(String exec) {
        Matcher jar = JAR_RUN.matcher(exec);
        if (jar.find()) {
            return Optional.of(Map.entry(jar.group(1), splitArgs(jar.group(2))));
        }
        Matcher launcher = LAUNCHER_RUN.matcher(exec);
        if (launcher.find()) {
            return Optional.of(Map.entry(launcher.group(1) + "/" + launcher.group(2) + ".jar", splitArgs(launcher.group(3))));
        }
        return Optional.empty();
    }

    // ---- systemd ---------------------------------------------------------------------------------

    @Test
    void systemdUnits_verify_reportNothing(@TempDir Path tmp) throws Exception {
        Path analyze = systemdAnalyze();
        for (Path dir : List.of(installedUnits(tmp.resolve("plain"), false), installedUnits(tmp.resolve("postgresql"), true))) {
            Run r = run(List.of(analyze.toString(), "verify", "--man=no", dir.resolve(GATEWAY_UNIT).toString(),
                    dir.resolve(BOT_UNIT).toString()), Map.of("SYSTEMD_UNIT_PATH", dir + ":"), null);
            List<String> aboutOurs = r.output().lines()
                    .filter(l -> l.contains("mfagate") || l.contains(dir.toString())).toList();
            assertThat(aboutOurs).as("systemd-analyze verify on %s must report nothing about our units", dir).isEmpty();
            assertThat(r.exitCode()).as("systemd-analyze verify exit code; output:%n%s", r.output()).isZero();
        }
    }

    @Test
    void systemdUnits_securityExposure_isBelowTarget(@TempDir Path tmp) throws Exception {
        Path analyze = systemdAnalyze();
        Map<String, Double> scores = new LinkedHashMap<>();
        for (boolean postgres : new boolean[] {false, true}) {
            Path dir = installedUnits(tmp.resolve(postgres ? "postgresql" : "plain"), postgres);
            for (String unit : postgres ? List.of(GATEWAY_UNIT) : List.of(GATEWAY_UNIT, BOT_UNIT)) {
                Run r = run(List.of(analyze.toString(), "security", "--offline=yes", "--no-pager",
                        dir.resolve(unit).toString()), Map.of("SYSTEMD_UNIT_PATH", dir + ":"), null);
                Matcher m = Pattern.compile("Overall exposure level for \\S+: ([0-9]+(?:\\.[0-9]+)?)").matcher(r.output());
                assertThat(m.find()).as("systemd-analyze security prints an overall exposure; output:%n%s", r.output()).isTrue();
                scores.put(unit + (postgres ? " + postgresql.conf" : ""), Double.parseDouble(m.group(1)));
            }
        }
        System.out.println("systemd-analyze security --offline=yes exposure: " + scores);
        assertThat(scores).allSatisfy((unit, score) -> assertThat(score)
                .as("exposure of %s (0 safest, 10 unsafe) must stay below %s; docs/deployment.md records it", unit, MAX_EXPOSURE)
                .isLessThan(MAX_EXPOSURE));
    }

    @Test
    void gatewayUnit_execStartPre_initialisesOnceThenLeavesTheStoreAlone(@TempDir Path tmp) throws Exception {
        Unit unit = Unit.read(SYSTEMD.resolve(GATEWAY_UNIT));
        List<String> pre = unit.all("ExecStartPre");
        assertThat(pre).as("one ExecStartPre (the conditional init)").hasSize(1);
        Matcher sh = Pattern.compile("^/bin/sh -c '(.*)'$").matcher(pre.get(0));
        assertThat(sh.matches()).as("ExecStartPre is /bin/sh -c '...': %s", pre.get(0)).isTrue();
        Path cache = Files.createDirectories(tmp.resolve("cache/mfagate"));
        // The launcher stands for java with the unit's JAVA_OPTS on this build's class path.
        String script = sh.group(1)
                .replace("/opt/mfagate/bin/mfagate", currentJava() + " $JAVA_OPTS -cp '" + System.getProperty("java.class.path")
                        + "' " + Main.class.getName());
        Path state = tmp.resolve("state");
        Files.createDirectories(tmp.resolve("logs/mfagate"));
        String javaOpts = unit.environment().get("JAVA_OPTS").replace("%C", tmp.resolve("cache").toString())
                .replace("%L", tmp.resolve("logs").toString()).replace("%%", "%");
        Map<String, String> env = Map.of("MFAGATE_DATA_DIR", state.toString(), "JAVA_OPTS", javaOpts);

        Run first = run(List.of("/bin/sh", "-c", script), env, tmp.toFile());
        assertThat(first.exitCode()).as("first start initialises the store; output:%n%s", first.output()).isZero();
        Path keyset = state.resolve(Store.KEYSET_FILE_NAME);
        assertThat(keyset).exists();
        assertThat(state.resolve(Store.DATABASE_FILE_NAME)).exists();
        byte[] keysetBytes = Files.readAllBytes(keyset);

        Run second = run(List.of("/bin/sh", "-c", script), env, tmp.toFile());
        assertThat(second.exitCode()).as("a restart finds the store and does nothing; output:%n%s", second.output()).isZero();
        assertThat(Files.readAllBytes(keyset)).as("the keyset is never rewritten").isEqualTo(keysetBytes);

        Files.delete(state.resolve(Store.DATABASE_FILE_NAME));
        Run half = run(List.of("/bin/sh", "-c", script), env, tmp.toFile());
        assertThat(half.exitCode()).as("half a store is left for serve to report, not re-initialised").isZero();
        assertThat(state.resolve(Store.DATABASE_FILE_NAME)).doesNotExist();
        assertThat(cache).isDirectory();
    }

    @ParameterizedTest
    @ValueSource(strings = {GATEWAY_UNIT, BOT_UNIT})
    void systemdUnit_execLines_runTheBuiltJarWithExistingCommandsAndFlags(String name) throws IOException {
        Unit unit = Unit.read(SYSTEMD.resolve(name));
        boolean gateway = name.equals(GATEWAY_UNIT);
        List<String> execs = new ArrayList<>(unit.all("ExecStart"));
        execs.addAll(unit.all("ExecStartPre"));
        assertThat(unit.all("ExecStart")).hasSize(1);
        for (String exec : execs) {
            Map.Entry<String, List<String>> run = jarRun(exec).orElseThrow(() -> new AssertionError(name + " runs no jar: " + exec));
            assertThat(fileName(run.getKey())).as("jar in %s", exec).isEqualTo(fileName(gateway ? GATEWAY_JAR : BOT_JAR));
            List<String> args = run.getValue();
            if (gateway) {
                assertGatewayCommandExists(args, name);
            } else {
                assertBotFlagsExist(args, name);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {GATEWAY_UNIT, BOT_UNIT})
    void systemdUnit_settings_keepTheJvmWorkingAndStopCleanly(String name) throws IOException {
        Unit unit = Unit.read(SYSTEMD.resolve(name));
        assertThat(unit.first("MemoryDenyWriteExecute")).as("MemoryDenyWriteExecute breaks HotSpot's JIT").isEmpty();
        if (name.equals(GATEWAY_UNIT)) {
            assertThat(unit.first("SuccessExitStatus")).as("the JVM exits 143 after SIGTERM and its shutdown hooks").contains("143");
        } else {
            assertThat(unit.first("SuccessExitStatus")).as("the bot exits 0 after SIGTERM (BotProcessIT): no other code is a clean stop").isEmpty();
        }
        assertThat(unit.first("Restart")).contains("on-failure");
        Duration stop = Duration.ofSeconds(Long.parseLong(unit.first("TimeoutStopSec").orElse("0s").replaceAll("s$", "")));
        assertThat(stop).as("TimeoutStopSec covers the 10 s request grace plus draining the audit log")
                .isGreaterThanOrEqualTo(Duration.ofSeconds(30));
        assertThat(unit.first("CapabilityBoundingSet")).as("no capabilities at all").contains("");
        assertThat(unit.first("UMask")).contains("0077");
        assertThat(unit.first("LimitCORE")).as("no core dumps of key material").contains("0");
        assertThat(unit.first("ProtectSystem")).contains("strict");
        assertThat(unit.first("DynamicUser").isPresent() || unit.first("User").filter(u -> !u.equals("root")).isPresent())
                .as("a dedicated user or DynamicUser=yes").isTrue();
        Set<String> known = name.equals(GATEWAY_UNIT) ? gatewayEnvironmentNames() : botEnvironmentNames();
        assertThat(unknownNames(unit.environment().keySet(), known, name.equals(GATEWAY_UNIT)))
                .as("Environment= names in %s that the code does not read", name).isEmpty();
    }

    @Test
    void gatewayUnit_postgresDropIn_setsOnlyNamesTheCodeReads() throws IOException {
        Unit dropIn = Unit.read(SYSTEMD.resolve(POSTGRES_DROP_IN));
        assertThat(unknownNames(dropIn.environment().keySet(), gatewayEnvironmentNames(), true)).isEmpty();
        assertThat(dropIn.environment()).containsKeys("MFAGATE_DATA_DIR", "MFAGATE_DATABASE_URL");
        assertThat(dropIn.environment().get("MFAGATE_DATABASE_URL")).doesNotContainIgnoringCase("password=");
    }

    // ---- Dockerfile --------------------------------------------------------------------------------

    @Test
    void dockerfile_buildStage_producesTheJarsTheBuildMakes() throws IOException {
        Dockerfile df = Dockerfile.read(DOCKER.resolve("Dockerfile"));
        Stage build = df.stage("build");
        assertThat(build.from()).matches("eclipse-temurin:(2[1-9]|[3-9][0-9])-jdk.*");
        String run = String.join("\n", build.all("RUN"));
        assertThat(run).contains("./mvnw").contains("-pl gateway,bot").doesNotContain(" install");
        Matcher jars = Pattern.compile("[\\w./-]*target/[\\w.-]+\\.jar").matcher(Files.readString(DOCKER.resolve("Dockerfile")));
        Set<String> named = new TreeSet<>();
        while (jars.find()) {
            named.add(jars.group());
        }
        assertThat(named).as("build outputs the Dockerfile names").containsExactlyInAnyOrder(GATEWAY_JAR, BOT_JAR);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gateway", "bot"})
    void dockerfile_runtimeStage_runsTheCopiedJarAsANumericNonRootUser(String stageName) throws IOException {
        Dockerfile df = Dockerfile.read(DOCKER.resolve("Dockerfile"));
        Stage stage = df.stage(stageName);
        boolean gateway = stageName.equals("gateway");
        assertThat(stage.from()).matches("eclipse-temurin:(2[1-9]|[3-9][0-9])-jre.*");

        String entrypoint = String.join(" ", stage.jsonArray("ENTRYPOINT"));
        String jar = jarRun(entrypoint).orElseThrow(() -> new AssertionError("ENTRYPOINT runs no jar: " + entrypoint)).getKey();
        assertThat(fileName(jar)).isEqualTo(fileName(gateway ? GATEWAY_JAR : BOT_JAR));
        assertThat(stage.all("COPY")).as("the stage copies the jar it runs from the build stage")
                .anyMatch(c -> c.startsWith("--from=build") && c.endsWith(" " + jar)
                        && c.contains("/" + fileName(gateway ? GATEWAY_JAR : BOT_JAR) + " "));

        String user = stage.last("USER").orElseThrow(() -> new AssertionError("stage " + stageName + " sets no USER"));
        assertThat(user).as("USER is numeric uid:gid").matches("[0-9]+:[0-9]+");
        assertThat(Integer.parseInt(user.split(":")[0])).as("USER is not root").isPositive();

        Map<String, String> env = stage.env();
        Set<String> known = gateway ? gatewayEnvironmentNames() : botEnvironmentNames();
        assertThat(unknownNames(env.keySet(), known, gateway)).as("ENV names the code does not read").isEmpty();
        String health = stage.last("HEALTHCHECK").orElseThrow(() -> new AssertionError("no HEALTHCHECK in " + stageName));
        assertThat(health).contains("/healthz");
        if (gateway) {
            assertThat(stage.last("EXPOSE")).as("EXPOSE is the port the gateway listens on").contains(env.get("MFAGATE_PORT"));
            assertThat(health).contains("${MFAGATE_PORT}");
            assertThat(stage.last("VOLUME").orElseThrow()).contains(env.get("MFAGATE_DATA_DIR"));
            assertThat(entrypoint + " " + env.getOrDefault("JAVA_OPTS", ""))
                    .as("SQLite's native library is loaded from the image, not unpacked into a noexec /tmp")
                    .contains("-Dorg.sqlite.lib.path=");
            List<String> cmd = stage.jsonArray("CMD");
            assertGatewayCommandExists(cmd, "Dockerfile CMD");
            assertThat(cmd).first().isEqualTo("serve");
        } else {
            assertThat(env).containsKey("MFAGATE_BOT_ADMIN_PORT");
            assertThat(health).contains("${MFAGATE_BOT_ADMIN_PORT}");
        }
    }

    // ---- docker compose ----------------------------------------------------------------------------

    @Test
    void compose_services_runReadOnlyWithoutCapabilitiesOrPrivilegeGain() throws IOException {
        JsonNode services = compose().path("services");
        assertThat(services.fieldNames()).toIterable().contains("gateway", "bot", "postgres");
        for (var it = services.fields(); it.hasNext(); ) {
            var e = it.next();
            JsonNode s = e.getValue();
            String name = e.getKey();
            assertThat(s.path("read_only").asBoolean()).as("%s: read_only", name).isTrue();
            assertThat(texts(s.path("cap_drop"))).as("%s: cap_drop", name).contains("ALL");
            assertThat(s.has("cap_add")).as("%s: cap_add", name).isFalse();
            assertThat(texts(s.path("security_opt"))).as("%s: security_opt", name).contains("no-new-privileges:true");
            assertThat(texts(s.path("tmpfs"))).as("%s: tmpfs /tmp", name).anyMatch(t -> t.equals("/tmp") || t.startsWith("/tmp:"));
            assertThat(s.path("privileged").asBoolean(false)).isFalse();
            assertThat(s.path("ulimits").path("core").asText()).as("%s: no core dumps", name).isEqualTo("0");
            String user = s.path("user").asText();
            assertThat(user).as("%s: numeric non-root user", name).matches("[1-9][0-9]*:[0-9]+");
        }
        assertThat(texts(services.path("postgres").path("profiles"))).as("PostgreSQL is optional").containsExactly("postgres");
    }

    @ParameterizedTest
    @ValueSource(strings = {"gateway", "bot"})
    void compose_service_buildsTheDockerfileStageAndMatchesItsUser(String name) throws IOException {
        JsonNode s = compose().path("services").path(name);
        Dockerfile df = Dockerfile.read(DOCKER.resolve("Dockerfile"));
        assertThat(DOCKER.resolve(s.path("build").path("context").asText()).normalize()).isEqualTo(ROOT);
        assertThat(ROOT.resolve(s.path("build").path("dockerfile").asText()).normalize()).isEqualTo(DOCKER.resolve("Dockerfile"));
        String target = s.path("build").path("target").asText();
        assertThat(target).isEqualTo(name);
        assertThat(s.path("user").asText()).isEqualTo(df.stage(target).last("USER").orElseThrow());
        Set<String> known = name.equals("gateway") ? gatewayEnvironmentNames() : botEnvironmentNames();
        assertThat(unknownNames(fieldNames(s.path("environment")), known, name.equals("gateway")))
                .as("%s environment names the code does not read", name).isEmpty();
        Set<String> declared = fieldNames(compose().path("secrets"));
        assertThat(texts(s.path("secrets"))).as("secrets are declared").allMatch(declared::contains);
    }

    /**
     * Where the deployment files set {@code JAVA_OPTS}, it adds properties and file places only: the
     * launcher sets the collector, the heap and exit on out-of-memory itself, as measured, and for the
     * gateway a collector or a heap layout named in {@code JAVA_OPTS} also makes it run without its AOT cache.
     */
    @Test
    void deploymentJavaOpts_leaveTheLaunchersJvmDefaultsAlone() throws IOException {
        Map<String, String> javaOpts = new LinkedHashMap<>();
        for (var it = compose().path("services").fields(); it.hasNext(); ) {
            var e = it.next();
            JsonNode v = e.getValue().path("environment").path("JAVA_OPTS");
            if (!v.isMissingNode()) {
                javaOpts.put("compose service " + e.getKey(), v.asText());
            }
        }
        Dockerfile df = Dockerfile.read(DOCKER.resolve("Dockerfile"));
        for (String stage : List.of("gateway", "bot")) {
            String v = df.stage(stage).env().get("JAVA_OPTS");
            if (v != null) {
                javaOpts.put("Dockerfile stage " + stage, v);
            }
        }
        for (String unit : List.of(GATEWAY_UNIT, BOT_UNIT)) {
            String v = Unit.read(SYSTEMD.resolve(unit)).environment().get("JAVA_OPTS");
            if (v != null) {
                javaOpts.put(unit, v);
            }
        }
        assertThat(javaOpts).as("the compose file's bot and the units set JAVA_OPTS").containsKeys("compose service bot", GATEWAY_UNIT);
        Pattern launcherOwned = Pattern.compile("-XX:[+-]Use\\w*GC|-Xm[sxn]\\S*|-XX:(Max|Min)?(Heap|New)Size=\\S*|-XX:[+-]ExitOnOutOfMemoryError");
        javaOpts.forEach((where, value) -> assertThat(Arrays.stream(value.trim().split("\\s+")))
                .as("%s: JAVA_OPTS '%s' sets what the launcher sets", where, value)
                .noneMatch(flag -> launcherOwned.matcher(flag).matches()));
    }

    @Test
    void compose_gateway_portsAndHealthAllowListFitTogether() throws IOException {
        JsonNode services = compose().path("services");
        JsonNode gateway = services.path("gateway");
        String port = gateway.path("environment").path("MFAGATE_PORT").asText();
        assertThat(port).as("compose sets the gateway port").isNotEmpty();
        Stage stage = Dockerfile.read(DOCKER.resolve("Dockerfile")).stage("gateway");
        assertThat(stage.last("EXPOSE")).contains(port);
        assertThat(texts(gateway.path("ports"))).as("published ports end in the container port")
                .isNotEmpty().allMatch(p -> p.endsWith(":" + port));
        assertThat(gateway.path("environment").path("MFAGATE_TLS_CERT").asText()).startsWith("/run/secrets/");
        assertThat(texts(gateway.path("volumes"))).contains("gateway-data:" + stage.env().get("MFAGATE_DATA_DIR"));

        JsonNode bot = services.path("bot");
        URI url = URI.create(bot.path("environment").path("MFAGATE_GATEWAY_URL").asText());
        assertThat(url.getHost()).as("the bot reaches the gateway by its service name").isEqualTo("gateway");
        assertThat(url.getPort()).isEqualTo(Integer.parseInt(port));
        assertThat(url.getScheme()).as("TLS is configured, so the bot speaks https").isEqualTo("https");
        assertBotFlagsExist(texts(bot.path("command")), "compose bot command");

        // The allow-list in .env.example admits the health check and the bot's fixed address.
        Path envFile = DOCKER.resolve(gateway.path("env_file").asText()).normalize();
        assertThat(envFile).isEqualTo(ROOT.resolve(".env"));
        String allow = settings(ROOT.resolve(".env.example")).get("MFAGATE_ALLOW_CIDR");
        String botAddress = bot.path("networks").path("mfagate").path("ipv4_address").asText();
        assertThat(Arrays.asList(allow.split(","))).contains("127.0.0.1/32", botAddress + "/32");
        assertThat(Files.readString(DOCKER.resolve(".gitignore"))).contains("/secrets/");
        assertThat(Files.readString(DOCKER.resolve("Dockerfile.dockerignore"))).contains("deploy/docker/secrets/", ".env");
    }

    // ---- example settings --------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {".env.example", "deploy/systemd/mfagate.env.example", "deploy/bot.env.example"})
    void exampleSettings_nameOnlyVariablesTheCodeReads(String file) throws IOException {
        boolean gateway = !file.contains("bot");
        Map<String, String> settings = settings(ROOT.resolve(file));
        assertThat(settings).isNotEmpty();
        assertThat(unknownNames(settings.keySet(), gateway ? gatewayEnvironmentNames() : botEnvironmentNames(), gateway))
                .as("names in %s that the code does not read", file).isEmpty();
        if (!gateway) {
            assertThat(settings.keySet()).as("the bot's file never holds seeds").noneMatch(k -> k.startsWith(EnvSeeds.PREFIX));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {".env.example", "zuliprc.example", "deploy/systemd/mfagate.env.example", "deploy/bot.env.example",
            "deploy/systemd/mfagate.service.d/postgresql.conf.example", "deploy/docker/docker-compose.yml"})
    void exampleFiles_holdOnlyObviouslyFakeSecrets(String file) throws IOException {
        // MFAGATE_RATE_LIMIT_TOKEN is a limit per token, not a token.
        Pattern secretName = Pattern.compile("(?i)(_API_KEY|^key|(?<!RATE_LIMIT_)TOKEN|PASSWORD$|SECRET|^" + EnvSeeds.PREFIX + ".*|^"
                + Keyring.ENVIRONMENT_VARIABLE + ")$");
        Pattern assignment = Pattern.compile("^[#;\\s]*(?:export\\s+)?([A-Za-z_][A-Za-z0-9_]*)\\s*[=:]\\s*(.*)$");
        // A URL's password parameter; Java's -Djavax.net.ssl.trustStorePassword guards no secret.
        Pattern passwordParameter = Pattern.compile("(?i)(?<![a-z])password=([^&\\s\"']+)");
        List<String> real = new ArrayList<>();
        for (String line : Files.readAllLines(ROOT.resolve(file))) {
            Matcher a = assignment.matcher(line);
            if (a.matches() && secretName.matcher(a.group(1)).find() && !a.group(2).isBlank()
                    && !a.group(2).toLowerCase(Locale.ROOT).contains("example") && !a.group(2).startsWith("/")) {
                real.add(line);
            }
            Matcher p = passwordParameter.matcher(line);
            while (p.find()) {
                if (!p.group(1).toLowerCase(Locale.ROOT).contains("example")) {
                    real.add(line);
                }
            }
        }
        assertThat(real).as("secret values in %s must say 'example' (obviously fake)", file).isEmpty();
    }

    // ---- what the code reads ---------------------------------------------------------------------

    /**
     * The variables the gateway reads: the {@link EnvironmentDefault} variables of every command's options,
     * the logging settings of {@link LogConfiguration}, the keyset variable, and seed variables.
     */
    static Set<String> gatewayEnvironmentNames() throws IOException {
        Set<String> names = new TreeSet<>();
        collectEnvDefaults(InProcessCli.in(null).commandLine(), names);
        // The logging settings (LogConfiguration, which sets Logback up in code).
        names.add(LogConfiguration.FORMAT);
        names.add(LogConfiguration.LEVEL);
        names.add(LogConfiguration.AUDIT);
        names.add(Keyring.ENVIRONMENT_VARIABLE);
        // The launcher's own settings (MFAGATE_AOT_DIR, MFAGATE_JAR, ...), read by bin/mfagate before the JVM starts.
        Matcher launcherVar = Pattern.compile("\\$\\{(MFAGATE_[A-Z0-9_]+)").matcher(
                Files.readString(Path.of("..", "bin", "mfagate")));
        while (launcherVar.find()) {
            names.add(launcherVar.group(1));
        }
        assertThat(names).as("sanity: names found in the code").contains("MFAGATE_DATA_DIR", "MFAGATE_PORT", "MFAGATE_LOG_FORMAT");
        return names;
    }

    private static void collectEnvDefaults(CommandLine cl, Set<String> names) {
        collectEnvDefaults(cl.getCommandSpec(), names);
        cl.getSubcommands().values().forEach(sub -> collectEnvDefaults(sub, names));
    }

    private static void collectEnvDefaults(CommandSpec spec, Set<String> names) {
        for (ArgSpec arg : spec.args()) {
            if (arg.userObject() instanceof Field f && f.isAnnotationPresent(EnvironmentDefault.class)) {
                names.add(f.getAnnotation(EnvironmentDefault.class).value());
            }
        }
        spec.mixins().values().forEach(mixin -> collectEnvDefaults(mixin, names));
    }

    /** The bot's variables: read from its sources when they are in this tree, else its documented list. */
    static Set<String> botEnvironmentNames() throws IOException {
        Set<String> fromSources = scanBotSources(Pattern.compile("\"((?:MFAGATE|ZULIP)_[A-Z0-9_]+)\"|\\$\\{(MFAGATE_[A-Z0-9_]+)"));
        return fromSources.isEmpty() ? BOT_ENV_DOCUMENTED : fromSources;
    }

    private static Set<String> botFlags() throws IOException {
        Set<String> fromSources = scanBotSources(Pattern.compile("names\\s*=\\s*\"(--[a-z-]+)\""));
        if (fromSources.isEmpty()) {
            return BOT_FLAGS_DOCUMENTED;
        }
        fromSources.addAll(Set.of("--help", "--version"));
        return fromSources;
    }

    private static Set<String> scanBotSources(Pattern pattern) throws IOException {
        Set<String> found = new TreeSet<>();
        Path main = ROOT.resolve("bot/src/main");
        if (!Files.isDirectory(main.resolve("java"))) {
            System.out.println("bot sources not in this tree: checking against the bot's documented settings and flags");
            return found;
        }
        try (Stream<Path> files = Files.walk(main)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java") || p.toString().endsWith(".xml")).toList()) {
                Matcher m = pattern.matcher(Files.readString(f));
                while (m.find()) {
                    found.add(m.group(1) != null ? m.group(1) : m.group(2));
                }
            }
        }
        return found;
    }

    /** Names matching {@code MFAGATE_*} or {@code ZULIP_*} that are not known (others, such as JAVA_OPTS, are not ours). */
    private static Set<String> unknownNames(Set<String> names, Set<String> known, boolean gateway) {
        Set<String> unknown = new TreeSet<>();
        for (String n : names) {
            boolean seed = gateway && n.startsWith(EnvSeeds.PREFIX) && n.length() > EnvSeeds.PREFIX.length();
            if (ENV_NAME.matcher(n).matches() && !known.contains(n) && !seed) {
                unknown.add(n);
            }
        }
        return unknown;
    }

    private static void assertGatewayCommandExists(List<String> args, String where) {
        CommandLine cl = InProcessCli.in(null).commandLine();
        int i = 0;
        while (i < args.size() && cl.getSubcommands().containsKey(args.get(i))) {
            cl = cl.getSubcommands().get(args.get(i));
            i++;
        }
        assertThat(i).as("%s names an mfagate subcommand: %s", where, args).isPositive();
        for (String a : args.subList(i, args.size())) {
            if (a.startsWith("-")) {
                String flag = a.split("=", 2)[0];
                assertThat(cl.getCommandSpec().findOption(flag))
                        .as("%s: 'mfagate %s' has no option %s", where, cl.getCommandName(), flag).isNotNull();
            }
        }
    }

    private static void assertBotFlagsExist(List<String> args, String where) throws IOException {
        Set<String> flags = botFlags();
        for (String a : args) {
            if (a.startsWith("--")) {
                assertThat(flags).as("%s: the bot has no flag %s", where, a).contains(a.split("=", 2)[0]);
            }
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------

    private static Path repositoryRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isRegularFile(p.resolve("mvnw"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new AssertionError("no mvnw above " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    private static String builtJar(String module) {
        try {
            Matcher m = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(Files.readString(ROOT.resolve(module + "/pom.xml")));
            if (!m.find()) {
                throw new AssertionError(module + "/pom.xml sets no finalName");
            }
            return module + "/target/" + m.group(1) + ".jar";
        } catch (IOException e) {
            throw new AssertionError("cannot read " + module + "/pom.xml", e);
        }
    }

    private static String fileName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static List<String> splitArgs(String s) {
        return Arrays.stream(s.strip().split("\\s+")).filter(a -> !a.isEmpty()).toList();
    }

    private static JsonNode compose() throws IOException {
        return new ObjectMapper(new YAMLFactory()).readTree(DOCKER.resolve("docker-compose.yml").toFile());
    }

    private static List<String> texts(JsonNode node) {
        List<String> out = new ArrayList<>();
        node.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> out = new TreeSet<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }

    /** {@code NAME=value} lines of an env file, including commented-out examples ({@code # NAME=value}). */
    private static Map<String, String> settings(Path file) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        Pattern line = Pattern.compile("^#?\\s*([A-Z][A-Z0-9_]*)=(.*)$");
        for (String l : Files.readAllLines(file)) {
            Matcher m = line.matcher(l.strip());
            if (m.matches()) {
                out.putIfAbsent(m.group(1), m.group(2));
            }
        }
        return out;
    }

    private static Path systemdAnalyze() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, "systemd-analyze");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        for (String p : List.of("/usr/bin/systemd-analyze", "/bin/systemd-analyze")) {
            if (Files.isExecutable(Path.of(p))) {
                return Path.of(p);
            }
        }
        String reason = "systemd-analyze not found; install systemd to check the units";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(reason + " (CI=true, so this check may not be skipped)");
        }
        Assumptions.abort(reason + "; skipping on this developer machine");
        throw new AssertionError("unreachable");
    }

    /**
     * Copies both units to {@code dir} as they would be installed, with {@code /usr/bin/java}
     * pointing at the running JVM and {@code /opt/mfagate/bin/} at this tree's launchers (verify requires executables to exist), optionally with the
     * PostgreSQL drop-in.
     */
    private static Path installedUnits(Path dir, boolean postgres) throws IOException {
        Files.createDirectories(dir);
        for (String unit : List.of(GATEWAY_UNIT, BOT_UNIT)) {
            Files.writeString(dir.resolve(unit), Files.readString(SYSTEMD.resolve(unit)).replace("/usr/bin/java", currentJava())
                    .replace("/opt/mfagate/bin/", Path.of("..", "bin").toAbsolutePath().normalize() + "/"));
        }
        if (postgres) {
            Path dropIns = Files.createDirectories(dir.resolve(GATEWAY_UNIT + ".d"));
            Files.copy(SYSTEMD.resolve(POSTGRES_DROP_IN), dropIns.resolve("postgresql.conf"));
        }
        return dir;
    }

    private static String currentJava() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private record Run(int exitCode, String output) {
    }

    private static Run run(List<String> command, Map<String, String> env, java.io.File dir) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("MFAGATE_"));
        pb.environment().putAll(env);
        if (dir != null) {
            pb.directory(dir);
        }
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** A systemd unit or drop-in: every {@code Key=value} line, in order (keys may repeat). */
    private record Unit(List<Map.Entry<String, String>> lines) {

        static Unit read(Path file) throws IOException {
            List<Map.Entry<String, String>> lines = new ArrayList<>();
            for (String l : Files.readAllLines(file)) {
                String t = l.strip();
                int eq = t.indexOf('=');
                if (t.isEmpty() || t.startsWith("#") || t.startsWith(";") || t.startsWith("[") || eq < 0) {
                    continue;
                }
                lines.add(Map.entry(t.substring(0, eq), t.substring(eq + 1)));
            }
            return new Unit(lines);
        }

        List<String> all(String key) {
            return lines.stream().filter(e -> e.getKey().equals(key)).map(Map.Entry::getValue).toList();
        }

        Optional<String> first(String key) {
            return all(key).stream().findFirst();
        }

        /** {@code Environment=} assignments: {@code NAME=value} words, optionally double-quoted. */
        Map<String, String> environment() {
            Map<String, String> env = new LinkedHashMap<>();
            Pattern word = Pattern.compile("\"([^\"]*)\"|(\\S+)");
            for (String v : all("Environment")) {
                Matcher m = word.matcher(v);
                while (m.find()) {
                    String w = m.group(1) != null ? m.group(1) : m.group(2);
                    int eq = w.indexOf('=');
                    if (eq > 0) {
                        env.put(w.substring(0, eq), w.substring(eq + 1));
                    }
                }
            }
            return env;
        }
    }

    /** A Dockerfile as stages of instructions (continuations joined, comments dropped). */
    private record Dockerfile(List<Stage> stages) {

        static Dockerfile read(Path file) throws IOException {
            List<String> instructions = new ArrayList<>();
            StringBuilder current = new StringBuilder();
            for (String l : Files.readAllLines(file)) {
                String t = l.strip();
                if (t.startsWith("#") || (t.isEmpty() && current.isEmpty())) {
                    continue;
                }
                if (t.endsWith("\\")) {
                    current.append(t, 0, t.length() - 1).append(' ');
                    continue;
                }
                current.append(t);
                instructions.add(current.toString().strip());
                current.setLength(0);
            }
            List<Stage> stages = new ArrayList<>();
            for (String ins : instructions) {
                String[] kv = ins.split("\\s+", 2);
                String keyword = kv[0].toUpperCase(Locale.ROOT);
                String rest = kv.length > 1 ? kv[1].strip() : "";
                if (keyword.equals("FROM")) {
                    Matcher m = Pattern.compile("(?i)(\\S+)(?:\\s+AS\\s+(\\S+))?").matcher(rest);
                    assertThat(m.matches()).as("FROM %s", rest).isTrue();
                    stages.add(new Stage(m.group(2) == null ? "" : m.group(2), m.group(1), new ArrayList<>()));
                } else if (!stages.isEmpty()) {
                    stages.get(stages.size() - 1).instructions().add(Map.entry(keyword, rest));
                }
            }
            return new Dockerfile(stages);
        }

        Stage stage(String name) {
            return stages.stream().filter(s -> s.name().equals(name)).findFirst()
                    .orElseThrow(() -> new AssertionError("Dockerfile has no stage " + name));
        }
    }

    private record Stage(String name, String from, List<Map.Entry<String, String>> instructions) {

        List<String> all(String keyword) {
            return instructions.stream().filter(e -> e.getKey().equals(keyword)).map(Map.Entry::getValue).toList();
        }

        Optional<String> last(String keyword) {
            List<String> all = all(keyword);
            return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
        }

        List<String> jsonArray(String keyword) {
            String v = last(keyword).orElseThrow(() -> new AssertionError("stage " + name + " has no " + keyword));
            try {
                List<String> out = new ArrayList<>();
                new ObjectMapper().readTree(v).forEach(n -> out.add(n.asText()));
                return out;
            } catch (IOException e) {
                throw new AssertionError(keyword + " of stage " + name + " is not a JSON array: " + v, e);
            }
        }

        /** {@code ENV NAME=value ...}; values may be double-quoted. */
        Map<String, String> env() {
            Map<String, String> env = new LinkedHashMap<>();
            Pattern pair = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|\\S*)");
            for (String v : all("ENV")) {
                Matcher m = pair.matcher(v);
                while (m.find()) {
                    String value = m.group(2);
                    env.put(m.group(1), value.startsWith("\"") ? value.substring(1, value.length() - 1) : value);
                }
            }
            return env;
        }
    }
}
