package dev.mfagate.gateway.http;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
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
 * that converts them.
 */
public final class PemKeyStores {

    private static final Pattern KEY = Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    private PemKeyStores() {
    }

    /** A PKCS#12 key store holding the key and chain under alias {@code mfagate}, protected by {@code password}. */
    public static KeyStore load(Path certificateChain, Path privateKey, char[] password) throws IOException {
        Collection<? extends Certificate> chain;
        try {
            chain = CertificateFactory.getInstance("X.509").generateCertificates(
                    new ByteArrayInputStream(Files.readAllBytes(certificateChain)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("Cannot read the certificate chain " + certificateChain + ": not PEM X.509 certificates");
        }
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("No certificate in " + certificateChain);
        }
        String pem = Files.readString(privateKey, StandardCharsets.US_ASCII);
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
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("mfagate", key, password, chain.toArray(new Certificate[0]));
            return ks;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("The key in " + privateKey + " does not fit the certificate in " + certificateChain);
        }
    }
}
