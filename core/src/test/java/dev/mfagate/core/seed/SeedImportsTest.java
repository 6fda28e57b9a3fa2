package dev.mfagate.core.seed;

import static dev.mfagate.core.seed.MigrationPayloadTest.entry;
import static dev.mfagate.core.seed.MigrationPayloadTest.payload;
import static dev.mfagate.core.seed.MigrationPayloadTest.uri;
import static dev.mfagate.core.seed.Rejections.assertRejected;
import static dev.mfagate.core.seed.Rejections.randomBase32;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.core.seed.SeedImportException.Kind;
import dev.mfagate.core.totp.HmacAlgorithm;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SeedImportsTest {

    private final Random random = new Random(4);

    private byte[] secret() {
        byte[] secret = new byte[20];
        random.nextBytes(secret);
        return secret;
    }

    private String part(int index, int size, int batchId, String name) {
        return uri(payload(List.of(entry(secret(), name, "Issuer", 1, 1, 2)), 1, size, index, batchId));
    }

    @Test
    void readText_linesOfSecretsAndUris_numbersEntriesInOrder() throws Exception {
        String text = """
                # exported by hand
                %s

                otpauth://totp/GitHub:alice?secret=%s&algorithm=SHA256
                %s
                """.formatted(randomBase32(random, 10), randomBase32(random, 20), part(0, 1, 1, "bob"));

        List<ImportedEntry> entries = SeedImports.readText("seeds.txt", text);

        assertThat(entries).extracting(ImportedEntry::index).containsExactly(1, 2, 3);
        assertThat(entries).extracting(ImportedEntry::source)
                .containsExactly("seeds.txt line 2", "seeds.txt line 4", "seeds.txt line 5, migration entry 1");
        assertThat(entries.get(0).issuer()).isEmpty();
        assertThat(entries.get(1).issuer()).contains("GitHub");
        assertThat(entries.get(1).accountName()).contains("alice");
        assertThat(entries.get(1).seed().parameters().algorithm()).isEqualTo(HmacAlgorithm.SHA256);
        assertThat(entries.get(2).mappingKey()).isEqualTo("Issuer:bob");
    }

    @Test
    void read_allPartsOfMultiPartExportInAnyOrder_importsEveryEntry() throws Exception {
        List<ImportInput> inputs = List.of(
                ImportInput.text("qr3", part(2, 3, 77, "c")),
                ImportInput.text("qr1", part(0, 3, 77, "a")),
                ImportInput.text("qr2", part(1, 3, 77, "b")));

        List<ImportedEntry> entries = SeedImports.read(inputs);

        assertThat(entries).extracting(ImportedEntry::mappingKey).containsExactly("Issuer:c", "Issuer:a", "Issuer:b");
    }

    @Test
    void read_multiPartExportMissingAPart_isBadMigration() {
        List<ImportInput> inputs = List.of(
                ImportInput.text("qr1", part(0, 3, 77, "a")),
                ImportInput.text("qr3", part(2, 3, 77, "c")));

        assertRejected(() -> SeedImports.read(inputs), Kind.BAD_MIGRATION,
                "export batch 77 has 3 QR codes but part(s) [2] were not given");
    }

    @Test
    void read_multiPartExportPartGivenTwice_isBadMigration() {
        List<ImportInput> inputs = List.of(
                ImportInput.text("first", part(0, 2, 5, "a")),
                ImportInput.text("again", part(0, 2, 5, "a")));

        assertRejected(() -> SeedImports.read(inputs), Kind.BAD_MIGRATION, "part 1 of 2 of export batch 5 was already given by first line 1");
    }

    @Test
    void read_multiPartExportDisagreeingOnSize_isBadMigration() {
        List<ImportInput> inputs = List.of(
                ImportInput.text("a", part(0, 2, 5, "a")),
                ImportInput.text("b", part(1, 3, 5, "b")));

        assertRejected(() -> SeedImports.read(inputs), Kind.BAD_MIGRATION, "says it has 3 parts, but an earlier part said 2");
    }

    @Test
    void readText_badLine_namesSourceAndLineNotSecret() {
        String good = randomBase32(random, 20);
        String bad = randomBase32(random, 20).substring(0, 31) + "0";

        assertRejected(() -> SeedImports.readText("stdin", good + "\n" + bad + "\n"), Kind.BAD_BASE32,
                "stdin line 2: secret is not base32: character 32", good, bad);
    }

    @Test
    void readText_truncatedExport_namesLine() {
        byte[] full = payload(List.of(entry(secret(), "a", "b", 1, 1, 2)), 1, 1, 0, 1);
        String cut = uri(java.util.Arrays.copyOf(full, full.length - 8));

        assertRejected(() -> SeedImports.readText("export.txt", cut), Kind.TRUNCATED_MIGRATION, "export.txt line 1: ");
    }

    @Test
    void readText_onlyCommentsAndBlanks_isEmptyInput() {
        assertRejected(() -> SeedImports.readText("stdin", "# nothing\n\n   \n"), Kind.EMPTY_INPUT, "no seed found in 1 input(s)");
        assertRejected(() -> SeedImports.read(List.of()), Kind.EMPTY_INPUT, "no seed found");
    }

    @Test
    void toString_textInput_showsSourceOnly() {
        String secret = randomBase32(random, 20);

        assertThat(ImportInput.text("stdin", secret).toString()).isEqualTo("ImportInput[text stdin]");
    }
}
