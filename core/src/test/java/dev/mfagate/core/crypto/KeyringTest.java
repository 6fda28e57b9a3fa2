package dev.mfagate.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyringTest {

    private static final byte[] DATA = "entry 42".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    @Test
    void createFile_newPath_writesKeysetWithMode0600() throws Exception {
        Path file = dir.resolve("keyset.json");

        Keyring.createFile(file);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.readString(file)).contains("\"format\" : \"mfagate-keyset/1\"", "\"kek\"", "\"audit_mac\"");
        assertThat(listDir()).containsExactly("keyset.json");
    }

    @Test
    void createFile_existingFile_refusesAndLeavesItUntouched() throws Exception {
        Path file = dir.resolve("keyset.json");
        Files.writeString(file, "precious");

        assertThatThrownBy(() -> Keyring.createFile(file))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Refusing to overwrite")
                .hasMessageContaining("already exists");
        assertThat(Files.readString(file)).isEqualTo("precious");
        assertThat(listDir()).containsExactly("keyset.json");
    }

    @Test
    void openFile_createdKeyset_hasSameKeys() {
        Path file = dir.resolve("keyset.json");
        Keyring created = Keyring.createFile(file);

        Keyring opened = Keyring.openFile(file);

        assertThat(opened.kek().keyIds()).isEqualTo(created.kek().keyIds());
        assertThat(opened.auditMac().verifyMac(created.auditMac().computeMac(DATA), DATA)).isTrue();
    }

    // Root reads any mode, and the tests may run as root: the refusal is built from the file as it is,
    // with the user the operating system refused.
    @Test
    void unreadable_modeDeniesTheOwner_namesModeOwnerUserAndChmod() throws Exception {
        Path file = dir.resolve("keyset.json");
        Keyring.createFile(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
        String owner = Files.getOwner(file).getName();

        assertThat(FileKeyring.unreadable(file, owner)).isInstanceOf(IllegalStateException.class)
                .hasMessage("Keyset file " + file.toAbsolutePath() + " cannot be read by user " + owner
                        + " (permission denied: mode 0000, owner " + owner + "); chmod 0600 " + file.toAbsolutePath());
    }

    @Test
    void unreadable_ownedByAnotherUser_namesBothAndChownOrRunAsOwner() throws Exception {
        Path file = dir.resolve("keyset.json");
        Keyring.createFile(file);
        String owner = Files.getOwner(file).getName();

        assertThat(FileKeyring.unreadable(file, "mfagate-svc")).hasMessage("Keyset file " + file.toAbsolutePath()
                + " cannot be read by user mfagate-svc (permission denied: mode 0600, owner " + owner + "); run mfagate as "
                + owner + ", or chown mfagate-svc " + file.toAbsolutePath() + " and chmod 0600 " + file.toAbsolutePath());
    }

    @Test
    void openFile_readableByGroup_refusesNamingModeAndFix() throws Exception {
        Path file = dir.resolve("keyset.json");
        Keyring.createFile(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));

        assertThatThrownBy(() -> Keyring.openFile(file))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("mode 0640")
                .hasMessageContaining("chmod 600");
    }

    @Test
    void openFile_missing_saysItDoesNotExist() {
        assertThatThrownBy(() -> Keyring.openFile(dir.resolve("keyset.json")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void openFile_notAKeyset_refusesWithoutEchoingContent() throws Exception {
        Path file = dir.resolve("keyset.json");
        Files.writeString(file, "{\"kek\": \"SUPERSECRETVALUE\"");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

        assertThatThrownBy(() -> Keyring.openFile(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not valid JSON")
                .message().doesNotContain("SUPERSECRETVALUE");
    }

    @Test
    void openFile_keysetInLenientOrTrailingJson_refusesAsNotValidJson() throws Exception {
        Path good = dir.resolve("good.json");
        Keyring.createFile(good);
        String json = Files.readString(good);
        String[] broken = {
            json + " {}",                                                   // a second value after the document
            "// comment\n" + json,                                          // comments are not JSON
            json.replaceFirst("\"format\"", "'format'"),                    // single-quoted name
            json.replaceFirst("\"format\"", "format"),                      // unquoted name
        };
        for (String text : broken) {
            Path file = dir.resolve("keyset.json");
            Files.deleteIfExists(file);
            Files.writeString(file, text);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

            assertThatThrownBy(() -> Keyring.openFile(file))
                    .as(text.substring(0, Math.min(40, text.length())))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is not valid JSON");
        }
    }

    @Test
    void openFile_formatNotAString_refusesAsNotAnMfagateKeyset() throws Exception {
        Path file = dir.resolve("keyset.json");
        Keyring.createFile(dir.resolve("good.json"));
        String json = Files.readString(dir.resolve("good.json"));
        Files.writeString(file, json.replaceFirst("\"mfagate-keyset/1\"", "[\"mfagate-keyset/1\"]"));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

        assertThatThrownBy(() -> Keyring.openFile(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("it is not an mfagate keyset");
    }

    @Test
    void fromEnvironment_jsonOrBase64_holdsTheFilesKeys() throws Exception {
        Path file = dir.resolve("keyset.json");
        Keyring fromFile = Keyring.createFile(file);
        byte[] json = Files.readAllBytes(file);

        for (String value : new String[] {
                new String(json, StandardCharsets.UTF_8),
                Base64.getEncoder().encodeToString(json),
                Base64.getUrlEncoder().withoutPadding().encodeToString(json)}) {
            Keyring fromEnv = Keyring.fromEnvironment(Map.of(Keyring.ENVIRONMENT_VARIABLE, value));

            assertThat(fromEnv.kek().keyIds()).isEqualTo(fromFile.kek().keyIds());
            assertThat(fromEnv.kek().unwrap(fromFile.kek().wrap(DATA, DATA), DATA)).isEqualTo(DATA);
            assertThat(fromEnv.auditMac().verifyMac(fromFile.auditMac().computeMac(DATA), DATA)).isTrue();
            assertThat(fromEnv.description()).isEqualTo("environment variable MFAGATE_KEYSET");
        }
    }

    @Test
    void fromEnvironment_variableMissing_namesIt() {
        assertThatThrownBy(() -> Keyring.fromEnvironment(Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("MFAGATE_KEYSET is not set");
    }

    @Test
    void fromEnvironment_garbage_refusesWithoutEchoingValue() {
        for (String value : new String[] {"SUPERSECRETVALUE!", "e30K", "{\"format\":\"other\",\"x\":\"SUPERSECRETVALUE\"}"}) {
            assertThatThrownBy(() -> Keyring.fromEnvironment(Map.of(Keyring.ENVIRONMENT_VARIABLE, value)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("MFAGATE_KEYSET")
                    .message().doesNotContain("SUPERSECRETVALUE").doesNotContain("e30K");
        }
    }

    @Test
    void fromEnvironment_rotate_isUnsupportedAndSaysWhy() throws Exception {
        Path file = dir.resolve("keyset.json");
        Keyring.createFile(file);
        Keyring fromEnv = Keyring.fromEnvironment(Map.of(Keyring.ENVIRONMENT_VARIABLE, Files.readString(file)));

        assertThat(fromEnv.supportsRotation()).isFalse();
        assertThatThrownBy(fromEnv::addPrimaryKek)
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("read-only");
    }

    @Test
    void auditMac_computeMac_isTinkPrefixedHmacSha256() {
        Keyring keyring = Keyring.createFile(dir.resolve("keyset.json"));

        byte[] mac = keyring.auditMac().computeMac(DATA);

        assertThat(mac).hasSize(5 + 32);
        assertThat(mac[0]).isEqualTo((byte) 1);
    }

    @Test
    void auditMac_verifyMac_acceptsOnlyTheExactDataAndTag() {
        ChainMac mac = Keyring.createFile(dir.resolve("keyset.json")).auditMac();
        byte[] tag = mac.computeMac(DATA);
        byte[] flipped = tag.clone();
        flipped[tag.length - 1] ^= 1;

        assertThat(mac.verifyMac(tag, DATA)).isTrue();
        assertThat(mac.verifyMac(tag, "entry 43".getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(mac.verifyMac(flipped, DATA)).isFalse();
        assertThat(mac.verifyMac(new byte[3], DATA)).isFalse();
        assertThat(mac.verifyMac(null, DATA)).isFalse();
        assertThat(mac.verifyMac(tag, null)).isFalse();
    }

    @Test
    void auditMac_otherInstallation_rejectsTag() {
        ChainMac ours = Keyring.createFile(dir.resolve("a.json")).auditMac();
        ChainMac theirs = Keyring.createFile(dir.resolve("b.json")).auditMac();

        assertThat(theirs.verifyMac(ours.computeMac(DATA), DATA)).isFalse();
    }

    @Test
    void addPrimaryKekThenRetire_fileKeepsMode0600AndEndsWithOnlyTheNewKek() throws Exception {
        Path file = dir.resolve("keyset.json");
        Keyring keyring = Keyring.createFile(file);
        String oldId = keyring.kek().primaryKeyId();
        byte[] macBefore = keyring.auditMac().computeMac(DATA);

        keyring.addPrimaryKek();
        Kek during = Keyring.openFile(file).kek();
        keyring.retireNonPrimaryKeks();
        Kek after = Keyring.openFile(file).kek();

        assertThat(during.keyIds()).hasSize(2).contains(oldId);
        assertThat(during.primaryKeyId()).isNotEqualTo(oldId);
        assertThat(after.keyIds()).containsExactly(during.primaryKeyId());
        assertThat(keyring.kek().keyIds()).containsExactly(during.primaryKeyId());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(listDir()).containsExactly("keyset.json");
        assertThat(Keyring.openFile(file).auditMac().verifyMac(macBefore, DATA)).as("audit MAC key kept").isTrue();
    }

    @Test
    void refresh_fileRotatedByAnotherProcess_picksUpTheNewKeys() {
        Path file = dir.resolve("keyset.json");
        Keyring.createFile(file);
        Keyring gateway = Keyring.openFile(file);
        Keyring cli = Keyring.openFile(file);

        assertThat(gateway.refresh()).as("unchanged file").isFalse();
        cli.addPrimaryKek();
        cli.retireNonPrimaryKeks();

        assertThat(gateway.refresh()).isTrue();
        assertThat(gateway.kek().keyIds()).isEqualTo(cli.kek().keyIds());
    }

    @Test
    void kek_toString_showsIdsOnly() {
        Kek kek = Keyring.createFile(dir.resolve("keyset.json")).kek();

        assertThat(kek.toString()).isEqualTo("Kek[primary=" + kek.primaryKeyId() + ", keys=1]");
    }

    private Stream<String> listDirStream() throws Exception {
        return Files.list(dir).map(p -> p.getFileName().toString()).sorted();
    }

    private java.util.List<String> listDir() throws Exception {
        try (Stream<String> s = listDirStream()) {
            return s.toList();
        }
    }
}
