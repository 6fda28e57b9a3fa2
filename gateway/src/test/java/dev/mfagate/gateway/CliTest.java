package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.zxing.BarcodeFormat;
import com.google.zxing.client.j2se.MatrixToImageWriter;
import com.google.zxing.qrcode.QRCodeWriter;
import dev.mfagate.core.SecretBytes;
import dev.mfagate.core.totp.HmacAlgorithm;
import dev.mfagate.core.totp.TotpGenerator;
import dev.mfagate.core.totp.TotpParameters;
import dev.mfagate.core.totp.TotpSeed;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.codec.binary.Base32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The admin CLI's behaviour, run in this JVM ({@link InProcessCli}): seeds in and never out, tokens
 * shown once, one-line reasons and exit codes, and {@code serve} answering with the store's and the
 * environment's seeds. {@link CliIT} keeps what only a real process shows (its exit status, a real
 * pipe, the process environment, signals).
 */
class CliTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path tmp;
    Path data;
    InProcessCli cli;

    @BeforeEach
    void init() {
        data = tmp.resolve("data");
        cli = InProcessCli.in(data);
        InProcessCli.Result r = cli.run("init");
        assertThat(r.exitCode()).as(r.err()).isZero();
    }

    @AfterEach
    void exportAudit() {
        TestLogs.exportAudit(data, "CliTest");
    }

    static byte[] randomKey(int n) {
        byte[] k = new byte[n];
        RANDOM.nextBytes(k);
        SecretRegistry.seed(k);
        return k;
    }

    static String base32(byte[] key) {
        return new Base32().encodeToString(key).replace("=", "");
    }

    private List<String> labels() throws Exception {
        InProcessCli.Result r = cli.run("seed", "list");
        assertThat(r.exitCode()).isZero();
        return r.out().lines().skip(1).map(l -> l.split("\\s+")[0]).toList();
    }

    @Test
    void init_keysetMode0600_andSecondInitRefused() throws Exception {
        Path keyset = data.resolve("keyset.json");
        assertThat(Files.getPosixFilePermissions(keyset))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        byte[] before = Files.readAllBytes(keyset);
        InProcessCli.Result again = cli.run("init");
        assertThat(again.exitCode()).isNotZero();
        assertThat(again.errLines()).hasSize(1).first().asString().contains("already");
        assertThat(Files.readAllBytes(keyset)).isEqualTo(before);
    }

    @Test
    void seedAdd_lenientBase32FromStdin_listedWithoutSecret() throws Exception {
        byte[] key = randomKey(20);
        String b32 = base32(key);
        String lenient = b32.toLowerCase().replaceAll("(.{4})", "$1 ") + "\n";
        InProcessCli.Result r = cli.runWithStdin(lenient, "seed", "add", "Acme-AWS");
        assertThat(r.exitCode()).as(r.err()).isZero();
        InProcessCli.Result list = cli.run("seed", "list");
        assertThat(list.out()).contains("acme-aws").contains("SHA1").doesNotContain(b32).doesNotContain(b32.toLowerCase());
        assertThat(list.out() + list.err()).doesNotContain(b32.substring(0, 16));
    }

    @Test
    void seedAdd_otpauthUri_parametersHonoured() throws Exception {
        String uri = "otpauth://totp/ACME:ops%40acme.example?secret=" + base32(randomKey(32))
                + "&issuer=ACME&algorithm=SHA256&digits=8&period=60";
        InProcessCli.Result r = cli.runWithStdin(uri, "seed", "add", "acme-portal");
        assertThat(r.exitCode()).as(r.err()).isZero();
        String list = cli.run("seed", "list").out();
        assertThat(list).containsPattern("acme-portal\\s+SHA256\\s+8\\s+60s\\s+ACME");
    }

    @Test
    void seedAdd_secretNeverOnCommandLine_extraArgumentRejected() throws Exception {
        InProcessCli.Result r = cli.runWithStdin("", "seed", "add", "acme-aws", "JBSWY3DPEHPK3PXP");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(labels()).isEmpty();
    }

    static Stream<Arguments> badSeeds() {
        return Stream.of(
                //            what                         stdin                                                              message fragment
                Arguments.of("bad base32",                 "JBSWY3DP!HPK3PXP",                                               "base32"),
                Arguments.of("HOTP URI",                   "otpauth://hotp/x?secret=JBSWY3DPEHPK3PXPJBSW&counter=1",          "HOTP"),
                Arguments.of("unknown algorithm",          "otpauth://totp/x?secret=JBSWY3DPEHPK3PXPJBSW&algorithm=MD5",      "algorithm"),
                Arguments.of("digits out of range",        "otpauth://totp/x?secret=JBSWY3DPEHPK3PXPJBSW&digits=9",           "digits"),
                Arguments.of("empty input",                "",                                                               "empty"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSeeds")
    void seedAdd_badInput_oneLineReasonExit2NothingWritten(String what, String stdin, String fragment) throws Exception {
        InProcessCli.Result r = cli.runWithStdin(stdin, "seed", "add", "acme-aws");
        assertThat(r.exitCode()).as(what).isEqualTo(2);
        assertThat(r.errLines()).as(what).hasSize(1);
        assertThat(r.errLines().get(0)).startsWith("mfagate: ").containsIgnoringCase(fragment);
        assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(labels()).isEmpty();
    }

    @Test
    void seedAdd_duplicateLabel_exit2FirstSeedKept() throws Exception {
        assertThat(cli.runWithStdin(base32(randomKey(20)), "seed", "add", "acme-aws").exitCode()).isZero();
        InProcessCli.Result r = cli.runWithStdin(base32(randomKey(20)), "seed", "add", "acme-aws");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.errLines()).hasSize(1).first().asString().contains("acme-aws").contains("already");
    }

    /** A Google Authenticator export with the given secrets (SHA1, 6 digits, TOTP). */
    static String migrationUri(List<byte[]> secrets, boolean truncate) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(buf);
        int i = 0;
        for (byte[] s : secrets) {
            ByteArrayOutputStream p = new ByteArrayOutputStream();
            CodedOutputStream po = CodedOutputStream.newInstance(p);
            po.writeBytes(1, ByteString.copyFrom(s));
            po.writeString(2, "user" + i + "@example.com");
            po.writeString(3, "Issuer" + i++);
            po.writeEnum(4, 1);
            po.writeEnum(5, 1);
            po.writeEnum(6, 2);
            po.flush();
            out.writeByteArray(1, p.toByteArray());
        }
        out.writeInt32(2, 1);
        out.writeInt32(3, 1);
        out.writeInt32(4, 0);
        out.flush();
        byte[] payload = buf.toByteArray();
        if (truncate) {
            payload = java.util.Arrays.copyOf(payload, payload.length - 7);
        }
        return "otpauth-migration://offline?data=" + URLEncoder.encode(Base64.getEncoder().encodeToString(payload), StandardCharsets.UTF_8);
    }

    @Test
    void seedImport_migrationBatch_everyEntryImported() throws Exception {
        Path file = tmp.resolve("export.txt");
        Files.writeString(file, migrationUri(List.of(randomKey(20), randomKey(20), randomKey(20)), false) + "\n");
        InProcessCli.Result r = cli.run("seed", "import",
                "--label", "acme-aws", "--label", "acme-github", "--label", "beta-portal", file.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(labels()).containsExactlyInAnyOrder("acme-aws", "acme-github", "beta-portal");
    }

    /** A text file of {@code n} otpauth URIs and the arguments labelling them {@code prefix1} to {@code prefixN}. */
    private List<String> importArgs(String prefix, int n) throws Exception {
        Path file = tmp.resolve(prefix + n + ".txt");
        String secret = base32(randomKey(10));
        List<String> lines = new java.util.ArrayList<>();
        List<String> args = new java.util.ArrayList<>(List.of("seed", "import"));
        for (int i = 1; i <= n; i++) {
            lines.add("otpauth://totp/s" + i + "?secret=" + secret);
            args.add("--label");
            args.add(prefix + i);
        }
        Files.writeString(file, String.join("\n", lines));
        args.add(file.toString());
        return args;
    }

    @Test
    void seedImport_moreThanOneImportAdds_oneLineExit2NothingWritten() throws Exception {
        InProcessCli.Result r = cli.run(importArgs("acme-s", 1001).toArray(String[]::new));

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.errLines()).hasSize(1).first().asString().contains("at most 1000 seeds").contains("1001")
                .contains("nothing was imported");
        assertThat(labels()).isEmpty();
    }

    @Test
    void seedImport_pastTheTenantLimit_oneLineExit2NothingWritten_andEachImportedSeedAudited() throws Exception {
        assertThat(cli.run(importArgs("acme-s", 1000).toArray(String[]::new)).exitCode()).isZero();

        InProcessCli.Result r = cli.run(importArgs("acme-more", 1).toArray(String[]::new));

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.errLines()).hasSize(1).first().asString().contains("Tenant acme may hold at most 1000 seeds")
                .contains("nothing was imported");
        assertThat(labels()).hasSize(1000).doesNotContain("acme-more1");
        InProcessCli.Result audit = cli.run("audit", "export");
        assertThat(audit.exitCode()).as(audit.err()).isZero();
        List<String> audited = audit.out().lines().filter(l -> l.contains("\"seed-import\""))
                .map(l -> l.replaceAll(".*\"label\":\"([^\"]*)\".*", "$1")).toList();
        assertThat(audited).as("one entry per imported seed, with its label").hasSize(1000)
                .containsAll(List.of("acme-s1", "acme-s500", "acme-s1000"));
    }

    @Test
    void seedImport_truncatedMigration_exit2NothingWritten() throws Exception {
        Path file = tmp.resolve("export.txt");
        Files.writeString(file, migrationUri(List.of(randomKey(20), randomKey(20)), true));
        InProcessCli.Result r = cli.run("seed", "import", "--label", "a-b", "--label", "a-c", file.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.errLines()).hasSize(1).first().asString().containsIgnoringCase("truncated");
        assertThat(labels()).isEmpty();
    }

    @Test
    void seedImport_oneBadEntryInBatch_nothingWrittenAndEntryNamed() throws Exception {
        Path file = tmp.resolve("uris.txt");
        Files.writeString(file, String.join("\n",
                "otpauth://totp/A:a?secret=" + base32(randomKey(20)),
                "otpauth://totp/B:b?secret=" + base32(randomKey(20)) + "&digits=12",
                "otpauth://totp/C:c?secret=" + base32(randomKey(20))));
        InProcessCli.Result r = cli.run("seed", "import",
                "--label", "x-a", "--label", "x-b", "--label", "x-c", file.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.errLines()).hasSize(1).first().asString().contains("2").containsIgnoringCase("digits");
        assertThat(labels()).isEmpty();
    }

    @Test
    void seedImport_duplicateLabelAgainstStore_nothingWritten() throws Exception {
        assertThat(cli.runWithStdin(base32(randomKey(20)), "seed", "add", "x-b").exitCode()).isZero();
        Path file = tmp.resolve("uris.txt");
        Files.writeString(file, "otpauth://totp/A:a?secret=" + base32(randomKey(20)) + "\notpauth://totp/B:b?secret=" + base32(randomKey(20)));
        InProcessCli.Result r = cli.run("seed", "import", "--label", "x-a", "--label", "x-b", file.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.errLines()).hasSize(1).first().asString().contains("x-b");
        assertThat(labels()).containsExactly("x-b");
    }

    @Test
    void seedImport_qrImage_importedAndNoCodeImageRejected() throws Exception {
        byte[] key = randomKey(20);
        Path png = tmp.resolve("qr.png");
        var matrix = new QRCodeWriter().encode("otpauth://totp/ACME:ops?secret=" + base32(key) + "&issuer=ACME", BarcodeFormat.QR_CODE, 300, 300);
        MatrixToImageWriter.writeToPath(matrix, "PNG", png);
        InProcessCli.Result r = cli.run("seed", "import", "--label", "acme-qr", png.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(labels()).containsExactly("acme-qr");

        Path blank = tmp.resolve("blank.png");
        javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(200, 200, java.awt.image.BufferedImage.TYPE_INT_RGB), "png", blank.toFile());
        InProcessCli.Result bad = cli.run("seed", "import", "--label", "acme-blank", blank.toString());
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.errLines()).hasSize(1).first().asString().containsIgnoringCase("QR");
        assertThat(labels()).containsExactly("acme-qr");
    }

    @Test
    void seedImport_filesThatAreNotUtf8OrNotFiles_oneLineExit2_bomIgnored() throws Exception {
        String secret = base32(randomKey(20));
        Path latin1 = tmp.resolve("latin1.txt");
        byte[] uri = ("otpauth://totp/Soci\u00e9t\u00e9:ops?secret=" + secret + "\n").getBytes(StandardCharsets.ISO_8859_1);
        Files.write(latin1, uri);
        Path noise = tmp.resolve("noise.png");
        byte[] random = new byte[2000];
        new java.security.SecureRandom().nextBytes(random);
        random[0] = 0x00; // neither PNG's nor JPEG's magic bytes
        Files.write(noise, random);
        Path cut = tmp.resolve("cut.png");
        var matrix = new QRCodeWriter().encode("otpauth://totp/A:a?secret=" + secret, BarcodeFormat.QR_CODE, 300, 300);
        MatrixToImageWriter.writeToPath(matrix, "PNG", cut);
        Files.write(cut, java.util.Arrays.copyOf(Files.readAllBytes(cut), 120));
        for (String[] args : new String[][] {
                {"seed", "import", "--label", "acme-x", latin1.toString()},
                {"seed", "import", "--label", "acme-x", noise.toString()},
                {"seed", "import", "--label", "acme-x", cut.toString()},
                {"seed", "import", "--mapping", tmp.resolve("no-such-mapping.txt").toString(), latin1.toString()},
                {"seed", "import", "--label", "acme-x", tmp.toString()}}) {
            InProcessCli.Result r = cli.run(args);
            assertThat(r.exitCode()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(2);
            assertThat(r.errLines()).hasSize(1).first().asString().startsWith("mfagate: ").doesNotContain("unexpected")
                    .doesNotContain("Exception").doesNotContain(secret);
        }
        assertThat(cli.run("seed", "import", "--label", "acme-x", tmp.toString()).err()).contains("is a directory");
        assertThat(cli.run("seed", "import", "--label", "acme-x", cut.toString()).err())
                .contains("image cannot be read: the file is damaged or cut short");
        assertThat(labels()).isEmpty();

        Path bom = tmp.resolve("bom.txt");
        Files.writeString(bom, "\uFEFFotpauth://totp/A:a?secret=" + secret + "\n");
        InProcessCli.Result r = cli.run("seed", "import", "--label", "acme-bom", bom.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(labels()).containsExactly("acme-bom");
    }

    @Test
    void seedSensitive_labelWithoutSeed_onRefusedOffAllowed() throws Exception {
        InProcessCli.Result on = cli.run("seed", "sensitive", "acme-nosuch", "on");
        assertThat(on.exitCode()).isEqualTo(2);
        assertThat(on.err()).isEqualTo("mfagate: No seed has the label acme-nosuch; see mfagate seed list\n");
        assertThat(cli.run("seed", "sensitive", "acme-nosuch", "off").exitCode()).isZero();
        assertThat(cli.runWithStdin(base32(randomKey(20)), "seed", "add", "acme-aws").exitCode()).isZero();
        InProcessCli.Result real = cli.run("seed", "sensitive", "acme-aws", "on");
        assertThat(real.exitCode()).as(real.err()).isZero();
        assertThat(real.out()).contains("acme-aws is sensitive now");
    }

    @Test
    void keys_aSeedThatDoesNotOpen_oneLineNamingIt_keysetUnchanged() throws Exception {
        assertThat(cli.runWithStdin(base32(randomKey(20)), "seed", "add", "acme-one").exitCode()).isZero();
        assertThat(cli.runWithStdin(base32(randomKey(20)), "seed", "add", "acme-two").exitCode()).isZero();
        try (dev.mfagate.core.store.Store s = dev.mfagate.core.store.Store.open(data)) {
            s.database().jdbi().useHandle(h -> h.createUpdate("UPDATE seeds SET wrapped_key = :w WHERE label = 'acme-one'")
                    .bind("w", new byte[] {0, 17}).execute());
        }
        String keyset = Files.readString(data.resolve(dev.mfagate.core.store.Store.KEYSET_FILE_NAME));
        InProcessCli.Result rotate = cli.run("keys", "rotate");
        assertThat(rotate.exitCode()).isEqualTo(1);
        assertThat(rotate.errLines()).hasSize(1).first().asString().startsWith("mfagate: The stored ciphertext of seed 'acme-one'")
                .contains("nothing was changed").doesNotContain("unexpected");
        assertThat(Files.readString(data.resolve(dev.mfagate.core.store.Store.KEYSET_FILE_NAME))).isEqualTo(keyset);

        InProcessCli.Result tenant = cli.run("keys", "tenant", "set", "acme", "--provider", "keyset");
        assertThat(tenant.exitCode()).as(tenant.err()).isEqualTo(1);
        assertThat(tenant.errLines()).hasSize(1).first().asString().startsWith("mfagate: The stored ciphertext of seed 'acme-one'")
                .doesNotContain("unexpected");
        InProcessCli.Result list = cli.run("keys", "tenant", "list");
        assertThat(list.out()).doesNotContain("acme");
    }

    @Test
    void keys_badTargetOrMissingTenant_saysWhichFlagAndWhichTenant() {
        InProcessCli.Result to = cli.run("keys", "migrate", "--to", "bogus");
        assertThat(to.exitCode()).isEqualTo(2);
        assertThat(to.err()).isEqualTo("mfagate: Invalid --to; must be file, pkcs11:..., awskms:... or transit:...\n");
        // revoke without --yes: said before the confirmation is asked for (it asked first).
        for (String act : new String[] {"rotate", "retire", "revoke"}) {
            InProcessCli.Result r = cli.run("keys", "tenant", act, "nosuch");
            assertThat(r.exitCode()).as(act + ": " + r.err()).isEqualTo(2);
            assertThat(r.err()).isEqualTo("mfagate: No tenant nosuch; add it with `mfagate tenant add nosuch`\n");
        }
        assertThat(cli.run("tenant", "add", "acme").exitCode()).isZero();
        InProcessCli.Result noKey = cli.run("keys", "tenant", "revoke", "acme");
        assertThat(noKey.exitCode()).isEqualTo(1);
        assertThat(noKey.err()).startsWith("mfagate: Not revoking: tenant acme has no key of its own")
                .doesNotContain("--yes");
    }

    @Test
    void seedAdd_labelThatLooksLikeASecret_refusedBeforeTheSeedIsAskedFor() throws Exception {
        String secret = base32(randomKey(20));
        InProcessCli.Result r = cli.runWithStdin(secret, "seed", "add", "acme-" + secret);
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("mfagate: Invalid label (").contains("look like a pasted secret")
                .doesNotContainIgnoringCase(secret);
        assertThat(r.out()).doesNotContain("Seed (");
        assertThat(labels()).isEmpty();
    }

    @Test
    void seedRemove_existingAndMissing() throws Exception {
        assertThat(cli.runWithStdin(base32(randomKey(20)), "seed", "add", "acme-aws").exitCode()).isZero();
        assertThat(cli.run("seed", "remove", "acme-aws").exitCode()).isZero();
        assertThat(labels()).isEmpty();
        InProcessCli.Result again = cli.run("seed", "remove", "acme-aws");
        assertThat(again.exitCode()).isEqualTo(2);

        // A sensitive seed's mark outlives it, and the removal says so (it said nothing).
        assertThat(cli.runWithStdin(base32(randomKey(20)), "seed", "add", "acme-vault").exitCode()).isZero();
        assertThat(cli.run("seed", "sensitive", "acme-vault", "on").exitCode()).isZero();
        assertThat(cli.run("seed", "remove", "acme-vault").out()).isEqualTo("Removed acme-vault. Its sensitive mark stays for a seed"
                + " enrolled under it again; 'mfagate seed sensitive acme-vault off' clears it.\n");
    }

    @Test
    void tokens_createdOnceListedWithoutSecretRevoked() throws Exception {
        InProcessCli.Result created = cli.run("token", "create", "--name", "ops", "--labels", "acme-*", "--expires", "30d");
        assertThat(created.exitCode()).as(created.err()).isZero();
        String token = created.out().strip();
        assertThat(token).doesNotContain("\n").hasSizeGreaterThan(40);
        InProcessCli.Result list = cli.run("token", "list");
        assertThat(list.out()).contains("ops").contains("acme-*").contains("active").doesNotContain(token);
        assertThat(Files.readAllBytes(data.resolve("mfagate.db"))).asString(StandardCharsets.ISO_8859_1).doesNotContain(token);
        assertThat(cli.run("token", "revoke", "ops").exitCode()).isZero();
        assertThat(cli.run("token", "list").out()).contains("revoked");
    }

    static Stream<Arguments> farExpiries() {
        return Stream.of(
                //            command                                                                 what it must not leave behind
                Arguments.of(new String[] {"token", "create", "--name", "far", "--expires", "PT2562047788015215H"}, "far"),
                Arguments.of(new String[] {"token", "create", "--name", "far", "--expires", "999999999d"},          "far"),
                Arguments.of(new String[] {"grant", "user:9", "acme-*", "--expires", "PT2562047788015215H"},       "user:9"),
                Arguments.of(new String[] {"grant", "user:9", "acme-*", "--expires", "999999999d"},                "user:9"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("farExpiries")
    void expires_afterYear9999_oneLineReasonExit2NothingWritten(String[] args, String absent) throws Exception {
        InProcessCli.Result r = cli.run(args);
        assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
        assertThat(r.errLines()).hasSize(1).first().asString().startsWith("mfagate: Invalid --expires")
                .contains("must end by 9999-12-31T23:59:59Z");
        assertThat(cli.run("token", "list").out()).doesNotContain(absent);
        assertThat(cli.run("policy", "show").out()).doesNotContain(absent);
    }

    @Test
    void serve_withoutToken_refusesToStart() throws Exception {
        InProcessCli.Result r = cli.run("serve", "--port", "0");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.errLines()).hasSize(1).first().asString().contains("token create");
    }

    @Test
    void serve_withoutInit_refusesToStart() {
        InProcessCli.Result r = InProcessCli.in(tmp.resolve("none")).run("serve", "--port", "0");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.errLines()).hasSize(1).first().asString().contains("mfagate init");
    }

    private static JsonNode getTotp(InProcessCli.Server server, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl + path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        // Closed after the request: a kept-alive idle connection would hold up the server's graceful stop.
        HttpResponse<String> r;
        try (HttpClient client = HttpClient.newHttpClient()) {
            r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        SecretRegistry.codesIn(r.body());
        return JSON.readTree(r.body());
    }

    @Test
    void serve_metricsListener_metricsOnTheirOwnPortNotOnTheApi() throws Exception {
        String token = cli.run("token", "create", "--name", "ops").out().strip();
        try (InProcessCli.Server server = cli.serve("--port", "0", "--metrics-port", "0")) {
            java.util.regex.Matcher metricsLine = java.util.regex.Pattern
                    .compile("mfagate metrics on (http://127\\.0\\.0\\.1:[0-9]+/metrics)").matcher(server.out());
            assertThat(metricsLine.find()).as("serve prints where metrics are: %s", server.out()).isTrue();
            String url = metricsLine.group(1);
            try (HttpClient http = HttpClient.newHttpClient()) {
                HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(metrics.statusCode()).isEqualTo(200);
                assertThat(metrics.body()).contains("jvm_memory_used_bytes");
                HttpResponse<String> onApi = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl + "/metrics"))
                        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(onApi.statusCode()).as("the API port does not serve metrics").isEqualTo(404);
            }
        }
    }

    @Test
    void serve_portTaken_exit1NamingTheAddressAndPort() throws Exception {
        assertThat(cli.run("token", "create", "--name", "ops").exitCode()).isZero();
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            InProcessCli.Result r = cli.run("serve", "--host", "127.0.0.1", "--port", String.valueOf(port), "--metrics-port", "off");
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.errLines()).as(r.err()).anyMatch(line -> line.startsWith("mfagate: Cannot listen on 127.0.0.1:" + port + " (")
                    && line.contains("in use") && line.contains("--port"));
            assertThat(r.err()).doesNotContain("unexpected").doesNotContain("JavalinBindException");
        }
    }

    @Test
    void serve_hostNotOfThisMachine_exit1SayingToGiveAnotherHost() {
        assertThat(cli.run("token", "create", "--name", "ops").exitCode()).isZero();
        // 192.0.2.1 (TEST-NET-1, RFC 5737) is no address of this machine.
        InProcessCli.Result r = cli.run("serve", "--host", "192.0.2.1", "--port", "0", "--metrics-port", "off", "--allow-plain-http");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
        assertThat(r.errLines()).anyMatch(line -> line.startsWith("mfagate: Cannot listen on 192.0.2.1:0 (")
                && line.endsWith("); give a --host that is an address of this machine"));
        assertThat(r.err()).doesNotContain("--port,");
    }

    @Test
    void serve_badNetworkFlags_exit2NamingTheFlag() {
        assertThat(cli.run("token", "create", "--name", "ops").exitCode()).isZero();
        InProcessCli.Result port = cli.run("serve", "--port", "0", "--metrics-port", "nine");
        assertThat(port.exitCode()).isEqualTo(2);
        assertThat(port.err()).contains("--metrics-port").doesNotContain("Exception");
        InProcessCli.Result cap = cli.run("serve", "--port", "0", "--max-connections-per-address", "-1");
        assertThat(cap.exitCode()).isEqualTo(2);
        assertThat(cap.err()).contains("--max-connections-per-address");
    }

    @Test
    void serve_consoleFlagsIncompleteOrUnsafe_exit2NamingWhatToGive() throws Exception {
        assertThat(cli.run("token", "create", "--name", "ops").exitCode()).isZero();
        InProcessCli.Result noClient = cli.run("serve", "--port", "8089", "--oidc-issuer", "https://idp.example.com");
        assertThat(noClient.exitCode()).isEqualTo(2);
        assertThat(noClient.err()).contains("--oidc-client-id");

        InProcessCli.Result noSecret = cli.run("serve", "--port", "8089", "--oidc-issuer", "https://idp.example.com",
                "--oidc-client-id", "mfagate");
        assertThat(noSecret.exitCode()).isEqualTo(2);
        assertThat(noSecret.err()).contains("--oidc-client-secret-file").contains("MFAGATE_OIDC_CLIENT_SECRET");

        java.nio.file.Path secret = tmp.resolve("oidc-secret");
        java.nio.file.Files.writeString(secret, "not-really-secret-7c1\n");
        InProcessCli.Result plain = cli.run("serve", "--port", "8089", "--oidc-issuer", "https://idp.example.com",
                "--oidc-client-id", "mfagate", "--oidc-client-secret-file", secret.toString(),
                "--console-url", "http://mfa.example.com");
        assertThat(plain.exitCode()).isEqualTo(2);
        assertThat(plain.err()).contains("--console-url").contains("https").doesNotContain("not-really-secret");

        InProcessCli.Result anyPort = cli.run("serve", "--port", "0", "--oidc-issuer", "https://idp.example.com",
                "--oidc-client-id", "mfagate", "--oidc-client-secret-file", secret.toString());
        assertThat(anyPort.exitCode()).isEqualTo(2);
        assertThat(anyPort.err()).contains("--console-url");

        InProcessCli.Result orphan = cli.run("serve", "--port", "0", "--oidc-client-id", "mfagate");
        assertThat(orphan.exitCode()).isEqualTo(2);
        assertThat(orphan.err()).contains("--oidc-issuer");
    }

    @Test
    void keysRotate_codesUnchangedAndServeWorks() throws Exception {
        byte[] key = randomKey(20);
        TotpSeed seed = TotpSeed.of(SecretBytes.copyOf(key), TotpParameters.DEFAULT);
        assertThat(cli.runWithStdin(base32(key), "seed", "add", "acme-aws").exitCode()).isZero();
        String token = cli.run("token", "create", "--name", "ops").out().strip();
        String keysetBefore = Files.readString(data.resolve("keyset.json"));

        InProcessCli.Result rotated = cli.run("keys", "rotate");
        assertThat(rotated.exitCode()).as(rotated.err()).isZero();
        assertThat(Files.readString(data.resolve("keyset.json"))).isNotEqualTo(keysetBefore);

        try (InProcessCli.Server server = cli.serve("--port", "0")) {
            JsonNode body = getTotp(server, "/totp/acme/aws", token);
            Instant at = Instant.parse(body.get("timestamp").asText());
            assertThat(body.get("code").asText()).isEqualTo(TotpGenerator.codeAt(seed, at));
        }
    }

    @Test
    void serve_environmentSeed_servedReadOnly() throws Exception {
        byte[] key = randomKey(20);
        TotpSeed seed = TotpSeed.of(SecretBytes.copyOf(key), new TotpParameters(HmacAlgorithm.SHA1, 6, Duration.ofSeconds(30)));
        String token = cli.run("token", "create", "--name", "ops").out().strip();
        try (InProcessCli.Server server = cli.withEnv(Map.of("MFAGATE_SEED_ENVCO_VPN", base32(key))).serve("--port", "0")) {
            JsonNode body = getTotp(server, "/totp/envco/vpn", token);
            assertThat(body.get("code").asText()).isEqualTo(TotpGenerator.codeAt(seed, Instant.parse(body.get("timestamp").asText())));
        }
        assertThat(labels()).as("environment seeds are not written to the store").isEmpty();
    }

    @Test
    void serve_dotEnvFileSeed_servedWithOtpauthParameters() throws Exception {
        byte[] key = randomKey(32);
        TotpSeed seed = TotpSeed.of(SecretBytes.copyOf(key), new TotpParameters(HmacAlgorithm.SHA256, 8, Duration.ofSeconds(60)));
        Path env = tmp.resolve("gateway.env");
        Files.writeString(env, "# seeds for the twelve-factor deployment\nexport MFAGATE_SEED_ENVCO_GIT_HUB=\"otpauth://totp/x?secret="
                + base32(key) + "&algorithm=SHA256&digits=8&period=60\"\n");
        String token = cli.run("token", "create", "--name", "ops").out().strip();
        try (InProcessCli.Server server = cli.serve("--port", "0", "--env-file", env.toString())) {
            JsonNode body = getTotp(server, "/totp/envco/git-hub", token);
            assertThat(body.get("code").asText()).hasSize(8)
                    .isEqualTo(TotpGenerator.codeAt(seed, Instant.parse(body.get("timestamp").asText())));
        }
    }

    @Test
    void serve_badEnvironmentSeed_refusesNamingTheVariableNotTheValue() throws Exception {
        // An empty file rather than a missing one, which serve refuses with exit 2 before it looks at tokens.
        Path noSeeds = Files.writeString(tmp.resolve("no-seeds.env"), "");
        InProcessCli.Result r = cli.run("serve", "--port", "0", "--env-file", noSeeds.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        InProcessCli.Result bad = cli.withEnv(Map.of("MFAGATE_SEED_ENVCO_VPN", "NOT!BASE32SECRETVALUE")).run("serve", "--port", "0");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("MFAGATE_SEED_ENVCO_VPN");
        assertThat(bad.all()).doesNotContain("NOT!BASE32SECRETVALUE");
    }

    @Test
    void keysetFromEnvironment_sqliteStoreWithoutKeysetFile_opens() throws Exception {
        assertThat(cli.runWithStdin(base32(randomKey(20)), "seed", "add", "acme-aws").exitCode()).isZero();
        Path keyset = data.resolve("keyset.json");
        String keysetJson = Files.readString(keyset);
        Files.move(keyset, tmp.resolve("keyset-held-elsewhere.json"));
        assertThat(cli.run("seed", "list").exitCode()).as("no keyset at all").isEqualTo(1);

        InProcessCli.Result list = cli.withEnv(Map.of("MFAGATE_KEYSET", keysetJson)).run("seed", "list");
        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.out()).contains("acme-aws");
    }

    @Test
    void serveDemo_noTokenNeeded_demoCodeServedAndBannerShown() throws Exception {
        try (InProcessCli.Server server = InProcessCli.in(null).serve("--demo", "--port", "0")) {
            JsonNode body = getTotp(server, "/totp/client/demo", null);
            assertThat(body.get("code").asText()).matches("[0-9]{6}");
            assertThat(server.err()).contains("DEMO MODE");
        }
    }

    @Test
    void unknownCommand_exit2OneLine() {
        InProcessCli.Result r = InProcessCli.in(null).run("frobnicate");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.errLines()).singleElement().asString().startsWith("mfagate: ");
    }
}
