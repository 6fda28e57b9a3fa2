package dev.mfagate.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mfagate.gateway.InProcessCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS from PEM files: a certificate with its own key loads, a key that is not the certificate's
 * (another key of the same kind, or an EC key for an RSA certificate) is refused before anything
 * listens, and a file that cannot be read is named in one plain line, never an exception's class.
 * The files are made with openssl, as operators make theirs.
 */
class PemKeyStoresTest {

    private static final char[] PASSWORD = "test".toCharArray();

    @TempDir
    Path dir;

    @Test
    void load_certificateWithItsOwnKey_loaded() throws Exception {
        Path[] ec = certificate("ec", "ec");
        Path[] rsa = certificate("rsa", "rsa");

        assertThat(PemKeyStores.load(ec[0], ec[1], PASSWORD).isKeyEntry("mfagate")).isTrue();
        KeyStore ks = PemKeyStores.load(rsa[0], rsa[1], PASSWORD);
        assertThat(ks.getCertificate("mfagate").getPublicKey().getAlgorithm()).isEqualTo("RSA");
    }

    @Test
    void load_anotherCertificatesKeyOfTheSameKind_refusedNamingBothFiles() throws Exception {
        Path[] a = certificate("a", "ec");
        Path[] b = certificate("b", "ec");

        assertThatThrownBy(() -> PemKeyStores.load(a[0], b[1], PASSWORD))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("The key in " + b[1] + " does not match the certificate in " + a[0]
                        + "; give the key the certificate was issued for");
    }

    @Test
    void load_ecKeyForAnRsaCertificate_refusedNamingBothKinds() throws Exception {
        Path[] rsa = certificate("rsa", "rsa");
        Path[] ec = certificate("ec", "ec");

        assertThatThrownBy(() -> PemKeyStores.load(rsa[0], ec[1], PASSWORD))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("The key in " + ec[1] + " is an EC key but the certificate in " + rsa[0]
                        + " is for an RSA key; give the key the certificate was issued for");
    }

    @Test
    void load_missingFileOrDirectory_oneLineNamingTheFileAndFlag() throws Exception {
        Path[] ec = certificate("ec", "ec");
        Path missing = dir.resolve("nonexist.pem");

        //        certificate     key          message
        for (Object[] bad : new Object[][] {
                {missing,         ec[1],       "No TLS certificate chain file " + missing + " (--tls-cert)"},
                {ec[0],           missing,     "No TLS private key file " + missing + " (--tls-key)"},
                {dir,             ec[1],       "The TLS certificate chain " + dir + " is a directory, not a PEM file (--tls-cert)"},
                {ec[0],           dir,         "The TLS private key " + dir + " is a directory, not a PEM file (--tls-key)"}}) {
            assertThatThrownBy(() -> PemKeyStores.load((Path) bad[0], (Path) bad[1], PASSWORD))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage((String) bad[2]);
        }
    }

    @Test
    void serve_keyNotTheCertificates_exit2OneLineNeverListening() throws Exception {
        Path[] a = certificate("a", "ec");
        Path[] b = certificate("b", "rsa");
        InProcessCli cli = InProcessCli.in(dir.resolve("data"));
        assertThat(cli.run("init").exitCode()).isZero();
        assertThat(cli.run("token", "create", "--name", "ci").exitCode()).isZero();

        for (List<Path> pair : List.of(List.of(a[0], b[1]), List.of(b[0], dir.resolve("nonexist.pem")))) {
            InProcessCli.Result r = cli.run("serve", "--port", "0", "--tls-cert", pair.get(0).toString(),
                    "--tls-key", pair.get(1).toString());

            assertThat(r.exitCode()).as(r.all()).isEqualTo(2);
            assertThat(r.out()).doesNotContain("listening");
            assertThat(r.err().strip()).startsWith("mfagate: ").contains(pair.get(1).toString()).doesNotContain("\n")
                    .doesNotContain("Exception");
        }
    }

    /** A self-signed certificate and its PKCS#8 key ({@code ec}: P-256, {@code rsa}: 2048 bits), made with openssl. */
    private Path[] certificate(String name, String kind) throws Exception {
        boolean haveOpenssl = Files.isExecutable(Path.of("/usr/bin/openssl"));
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            assertThat(haveOpenssl).as("openssl is needed to make the test certificates").isTrue();
        }
        assumeTrue(haveOpenssl, "openssl not installed; TLS test skipped on this developer machine");
        Path cert = dir.resolve(name + "-cert.pem");
        Path key = dir.resolve(name + "-key.pem");
        List<String> newKey = kind.equals("ec") ? List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256")
                : List.of("-newkey", "rsa:2048");
        List<String> command = new java.util.ArrayList<>(List.of("openssl", "req", "-x509"));
        command.addAll(newKey);
        command.addAll(List.of("-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-days", "1",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0).as("openssl made a certificate").isTrue();
        return new Path[] {cert, key};
    }
}
