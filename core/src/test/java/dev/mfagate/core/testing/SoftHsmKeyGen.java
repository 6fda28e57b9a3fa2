package dev.mfagate.core.testing;

import java.security.KeyStore;
import java.security.Provider;
import java.security.Security;
import javax.crypto.KeyGenerator;

/**
 * Generates an AES-256 key inside a PKCS#11 token, as an HSM operator would: run in its own JVM by
 * {@link SoftHsm#generateAesKey}. Arguments: library, slot id, PIN, label. The key is a token object,
 * private, sensitive and not extractable, allowed to encrypt and decrypt.
 */
public final class SoftHsmKeyGen {

    private SoftHsmKeyGen() {
    }

    /** Entry point. */
    public static void main(String[] args) throws Exception {
        String settings = "--name=mfagate-test-keygen\nlibrary=" + args[0] + "\nslot=" + args[1] + "\n"
                + "attributes(generate,CKO_SECRET_KEY,CKK_AES) = { CKA_TOKEN=true CKA_PRIVATE=true CKA_SENSITIVE=true"
                + " CKA_EXTRACTABLE=false CKA_ENCRYPT=true CKA_DECRYPT=true }\n";
        Provider p = Security.getProvider("SunPKCS11").configure(settings);
        KeyStore store = KeyStore.getInstance("PKCS11", p);
        store.load(null, args[2].toCharArray());
        KeyGenerator generator = KeyGenerator.getInstance("AES", p);
        generator.init(256);
        store.setKeyEntry(args[3], generator.generateKey(), null, null);
    }
}
