package dev.mfagate.gateway.http;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the in-memory key store Jetty's TLS needs from PEM files, the form operators have
 * (Let's Encrypt, an internal CA). Written here rather than taken from a library because the JDK
 * already parses X.509 chains and PKCS#8 keys: this is only the PEM armour around them.
 * Encrypted keys and PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) files are refused with the command
 * that converts them, and a key that is not the certificate's is refused before anything listens.
 */
public final class PemKeyStores {

    private static final Pattern KEY = Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    private PemKeyStores() {
    }

    /**
     * A PKCS#12 key store holding the key and chain under alias {@code mfagate}, protected by {@code password}.
     *
     * @throws IllegalArgumentException with one plain line naming the file, if a file cannot be read
     *     or parsed, or if the key is not the one the first certificate was issued for
     */
    public static KeyStore load(Path certificateChain, Path privateKey, char[] password) {
        Collection<? extends Certificate> chain;
        try {
            chain = CertificateFactory.getInstance("X.509").generateCertificates(
                    new ByteArrayInputStream(read(certificateChain, "--tls-cert", "certificate chain")));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("Cannot read the certificate chain " + certificateChain + ": not PEM X.509 certificates");
        }
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("No certificate in " + certificateChain);
        }
        String pem = new String(read(privateKey, "--tls-key", "private key"), StandardCharsets.US_ASCII);
        if (pem.contains("BEGIN RSA PRIVATE KEY") || pem.contains("BEGIN EC PRIVATE KEY") || pem.contains("ENCRYPTED")) {
            throw new IllegalArgumentException("The key " + privateKey + " must be unencrypted PKCS#8 (BEGIN PRIVATE KEY); convert it with"
                    + " 'openssl pkcs8 -topk8 -nocrypt -in OLD -out NEW'");
        }
        Matcher m = KEY.matcher(pem);
        if (!m.find()) {
            throw new IllegalArgumentException("No PEM private key (BEGIN PRIVATE KEY) in " + privateKey);
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(1));
        PrivateKey key = null;
        for (String alg : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                key = KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
                break;
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        java.util.Arrays.fill(der, (byte) 0);
        if (key == null) {
            throw new IllegalArgumentException("The key in " + privateKey + " is not an RSA, EC or Ed25519 PKCS#8 key");
        }
        requireMatch(key, chain.iterator().next().getPublicKey(), privateKey, certificateChain);
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("mfagate", key, password, chain.toArray(new Certificate[0]));
            return ks;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("The key in " + privateKey + " does not fit the certificate in " + certificateChain);
        }
    }

    /**
     * Refuses a key that is not the certificate's: the key store takes any pair, and Jetty would then
     * listen and fail every handshake. A random challenge signed with the key must verify under the
     * certificate's public key, which holds for every algorithm without deriving one key from the other.
     */
    private static void requireMatch(PrivateKey key, PublicKey certified, Path privateKey, Path certificateChain) {
        if (!key.getAlgorithm().equals(certified.getAlgorithm())) {
            throw new IllegalArgumentException("The key in " + privateKey + " is an " + key.getAlgorithm()
                    + " key but the certificate in " + certificateChain + " is for an " + certified.getAlgorithm()
                    + " key; give the key the certificate was issued for");
        }
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm();
        };
        byte[] challenge = new byte[32];
        new SecureRandom().nextBytes(challenge);
        boolean matches;
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certified);
            verifier.update(challenge);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            // Keys of the same algorithm on different curves or sizes end here rather than in a false verify.
            matches = false;
        }
        if (!matches) {
            throw new IllegalArgumentException("The key in " + privateKey + " does not match the certificate in "
                    + certificateChain + "; give the key the certificate was issued for");
        }
    }

    /** The bytes of {@code file}, or one line naming it and the flag that gave it. */
    private static byte[] read(Path file, String option, String what) {
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException("The TLS " + what + " " + file + " is a directory, not a PEM file (" + option + ")");
        }
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("No TLS " + what + " file " + file + " (" + option + ")");
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException("Cannot read the TLS " + what + " " + file + ": permission denied (" + option + ")");
        } catch (FileSystemException e) {
            String reason = e.getReason() == null ? "the system refused" : e.getReason();
            throw new IllegalArgumentException("Cannot read the TLS " + what + " " + file + ": " + reason + " (" + option + ")");
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read the TLS " + what + " " + file + " (" + option + ")");
        }
    }
}
