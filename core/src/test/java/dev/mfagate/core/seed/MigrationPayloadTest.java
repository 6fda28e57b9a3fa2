package dev.mfagate.core.seed;

import static dev.mfagate.core.seed.Rejections.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.CodedOutputStream;
import dev.mfagate.core.SecretBytes;
import dev.mfagate.core.seed.SeedImportException.Kind;
import dev.mfagate.core.totp.HmacAlgorithm;
import dev.mfagate.core.totp.TotpParameters;
import dev.mfagate.core.totp.TotpSeed;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MigrationPayloadTest {

    // Enum values of Google Authenticator's schema.
    static final int ALG_UNSPECIFIED = 0, ALG_SHA1 = 1, ALG_SHA256 = 2, ALG_SHA512 = 3, ALG_MD5 = 4;
    static final int DIGITS_UNSPECIFIED = 0, DIGITS_SIX = 1, DIGITS_EIGHT = 2;
    static final int TYPE_UNSPECIFIED = 0, TYPE_HOTP = 1, TYPE_TOTP = 2;

    private final Random random = new Random(77);

    /** One {@code OtpParameters} message. */
    static byte[] entry(byte[] secret, String name, String issuer, int algorithm, int digits, int type) {
        return message(out -> {
            out.writeByteArray(1, secret);
            out.writeString(2, name);
            out.writeString(3, issuer);
            out.writeEnum(4, algorithm);
            out.writeEnum(5, digits);
            out.writeEnum(6, type);
            out.writeInt64(7, 0);
        });
    }

    /** A {@code MigrationPayload} message with the fields in the order Google Authenticator writes them. */
    static byte[] payload(List<byte[]> entries, Integer version, int batchSize, int batchIndex, int batchId) {
        return message(out -> {
            for (byte[] entry : entries) {
                out.writeByteArray(1, entry);
            }
            if (version != null) {
                out.writeInt32(2, version);
            }
            out.writeInt32(3, batchSize);
            if (batchIndex != 0) {
                out.writeInt32(4, batchIndex);
            }
            out.writeInt32(5, batchId);
        });
    }

    static String uri(byte[] payload) {
        return "otpauth-migration://offline?data="
                + URLEncoder.encode(Base64.getEncoder().encodeToString(payload), StandardCharsets.UTF_8);
    }

    interface Writer {
        void write(CodedOutputStream out) throws IOException;
    }

    static byte[] message(Writer writer) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            writer.write(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private byte[] randomSecret(int sizeBytes) {
        byte[] secret = new byte[sizeBytes];
        random.nextBytes(secret);
        return secret;
    }

    private static String base64(byte[] payload) {
        return Base64.getEncoder().encodeToString(payload);
    }

    @Test
    void fromUri_threeEntryBatch_decodesEveryEntry() throws Exception {
        byte[] s1 = randomSecret(10), s2 = randomSecret(20), s3 = randomSecret(64);
        byte[] payload = payload(List.of(
                entry(s1, "alice@example.com", "GitHub", ALG_SHA1, DIGITS_SIX, TYPE_TOTP),
                entry(s2, "Example:bob", "", ALG_SHA256, DIGITS_EIGHT, TYPE_TOTP),
                entry(s3, "carol", "Bank", ALG_SHA512, DIGITS_UNSPECIFIED, TYPE_TOTP)), 1, 1, 0, 4242);

        MigrationPayload decoded = MigrationPayload.fromUri(uri(payload));

        List<TotpSeed> seeds = decoded.seeds();
        assertThat(seeds).hasSize(3);
        assertSeed(seeds.get(0), s1, HmacAlgorithm.SHA1, 6, "GitHub", "alice@example.com");
        // An empty issuer field falls back to the "ISSUER:" prefix of the name.
        assertSeed(seeds.get(1), s2, HmacAlgorithm.SHA256, 8, "Example", "bob");
        assertSeed(seeds.get(2), s3, HmacAlgorithm.SHA512, 6, "Bank", "carol");
        assertThat(decoded.version()).isEqualTo(1);
        assertThat(decoded.batchSize()).isEqualTo(1);
        assertThat(decoded.batchIndex()).isZero();
        assertThat(decoded.batchId()).isEqualTo(4242);
        assertThat(decoded.toString()).contains("3 seeds").doesNotContain(base64(payload).substring(0, 10));
    }

    @Test
    void decode_unspecifiedAlgorithmAndDigits_defaultToSha1AndSix() throws Exception {
        byte[] payload = payload(List.of(entry(randomSecret(16), "a", "b", ALG_UNSPECIFIED, DIGITS_UNSPECIFIED, TYPE_TOTP)), 1, 1, 0, 1);

        TotpSeed seed = MigrationPayload.decode(payload).seeds().get(0);

        assertThat(seed.parameters()).isEqualTo(TotpParameters.DEFAULT);
    }

    @Test
    void decode_unknownFields_areSkipped() throws Exception {
        byte[] secret = randomSecret(20);
        byte[] entryWithExtra = message(out -> {
            out.writeByteArray(1, secret);
            out.writeEnum(6, TYPE_TOTP);
            out.writeString(15, "future field");
            out.writeFixed32(16, 7);
        });
        byte[] payload = message(out -> {
            out.writeByteArray(1, entryWithExtra);
            out.writeInt32(2, 1);
            out.writeString(9, "unknown");
            out.writeFixed64(10, 1L);
        });

        assertThat(MigrationPayload.decode(payload).seeds().get(0).secret().equalsSecretBytes(SecretBytes.copyOf(secret))).isTrue();
    }

    @Test
    void fromUri_plusDecodedToSpaceOrUrlSafeBase64_isStillRead() throws Exception {
        // Find a payload whose base64 has a '+', so both repairs are exercised.
        byte[] payload;
        do {
            payload = payload(List.of(entry(randomSecret(20), "a", "b", ALG_SHA1, DIGITS_SIX, TYPE_TOTP)), 1, 1, 0, 1);
        } while (!base64(payload).contains("+"));
        String spaced = "otpauth-migration://offline?data=" + base64(payload).replace('+', ' ');
        String urlSafe = "otpauth-migration://offline?data=" + Base64.getUrlEncoder().withoutPadding().encodeToString(payload);

        assertThat(MigrationPayload.fromUri(spaced).seeds()).hasSize(1);
        assertThat(MigrationPayload.fromUri(urlSafe).seeds()).hasSize(1);
    }

    @Test
    void decode_everyPrefixCutBeforeVersion_isTruncated() {
        List<byte[]> entries = List.of(
                entry(randomSecret(20), "alice", "GitHub", ALG_SHA1, DIGITS_SIX, TYPE_TOTP),
                entry(randomSecret(20), "bob", "GitLab", ALG_SHA1, DIGITS_SIX, TYPE_TOTP));
        byte[] full = payload(entries, 1, 1, 0, 9);
        int entriesEnd = message(out -> {
            for (byte[] entry : entries) {
                out.writeByteArray(1, entry);
            }
        }).length;

        // Up to the end of the entries a cut is either inside a field or before the version field;
        // one byte further it is between the version's tag and its value.
        for (int cut = 0; cut <= entriesEnd + 1; cut++) {
            byte[] prefix = Arrays.copyOf(full, cut);
            SeedImportException e = assertRejected(() -> MigrationPayload.decode(prefix), Kind.TRUNCATED_MIGRATION, "truncated");
            assertThat(e.getMessage()).as("cut at %d", cut).contains("truncated");
        }
    }

    @Test
    void fromUri_truncatedPayload_isTruncatedAndHidesData() {
        byte[] full = payload(List.of(entry(randomSecret(32), "alice", "GitHub", ALG_SHA1, DIGITS_SIX, TYPE_TOTP)), 1, 1, 0, 9);
        byte[] cut = Arrays.copyOf(full, full.length / 2);

        assertRejected(() -> MigrationPayload.fromUri(uri(cut)), Kind.TRUNCATED_MIGRATION,
                "declares", base64(full));
    }

    @Test
    void fromUri_dataCutInsideBase64Group_isTruncated() {
        byte[] full = payload(List.of(entry(randomSecret(32), "alice", "GitHub", ALG_SHA1, DIGITS_SIX, TYPE_TOTP)), 1, 1, 0, 9);
        String data = base64(full).replace("=", "");
        String cut = data.substring(0, (data.length() / 4) * 4 + 1 - (data.length() % 4 == 1 ? 4 : 0));

        assertThat(cut.length() % 4).isEqualTo(1);
        assertRejected(() -> MigrationPayload.fromUri("otpauth-migration://offline?data=" + cut),
                Kind.TRUNCATED_MIGRATION, "ends in the middle of a base64 group", data);
    }

    @Test
    void decode_missingVersion_isTruncated() {
        byte[] payload = payload(List.of(entry(randomSecret(20), "a", "b", ALG_SHA1, DIGITS_SIX, TYPE_TOTP)), null, 1, 0, 1);

        assertRejected(() -> MigrationPayload.decode(payload), Kind.TRUNCATED_MIGRATION, "has no version field");
    }

    @Test
    void decode_unsupportedVersion_isBadMigration() {
        byte[] payload = payload(List.of(entry(randomSecret(20), "a", "b", ALG_SHA1, DIGITS_SIX, TYPE_TOTP)), 2, 1, 0, 1);

        assertRejected(() -> MigrationPayload.decode(payload), Kind.BAD_MIGRATION, "version 2 is not supported; must be 1");
    }

    @Test
    void decode_noEntries_isBadMigration() {
        assertRejected(() -> MigrationPayload.decode(payload(List.of(), 1, 1, 0, 1)), Kind.BAD_MIGRATION, "holds no entries");
    }

    @Test
    void decode_wrongWireType_isBadMigration() {
        byte[] payload = message(out -> {
            out.writeInt32(1, 5);
            out.writeInt32(2, 1);
        });

        assertRejected(() -> MigrationPayload.decode(payload), Kind.BAD_MIGRATION, "field 1 has wire type 0; expected 2");
    }

    @Test
    void decode_garbage_isBadMigration() {
        byte[] garbage = "this is not a protobuf message at all".getBytes(StandardCharsets.US_ASCII);

        SeedImportException e = assertRejected(() -> MigrationPayload.decode(garbage), Kind.BAD_MIGRATION, "");
        assertThat(e.getMessage()).containsAnyOf("not a valid protobuf", "wire type", "longer than");
    }

    @Test
    void decode_invalidUtf8Name_isBadMigration() {
        byte[] entry = message(out -> {
            out.writeByteArray(1, randomSecret(20));
            out.writeByteArray(2, new byte[] {(byte) 0xC3, (byte) 0x28});
            out.writeEnum(6, TYPE_TOTP);
        });

        assertRejected(() -> MigrationPayload.decode(payload(List.of(entry), 1, 1, 0, 1)), Kind.BAD_MIGRATION, "not UTF-8");
    }

    @Test
    void decode_batchIndexOutsideBatch_isBadMigration() {
        byte[] payload = payload(List.of(entry(randomSecret(20), "a", "b", ALG_SHA1, DIGITS_SIX, TYPE_TOTP)), 1, 2, 2, 1);

        assertRejected(() -> MigrationPayload.decode(payload), Kind.BAD_MIGRATION, "index must be from 0 to the size minus 1");
    }

    @Test
    void fromUri_notBase64_isBadMigration() {
        assertRejected(() -> MigrationPayload.fromUri("otpauth-migration://offline?data=%21%21%21%21"), Kind.BAD_MIGRATION,
                "data parameter is not base64");
    }

    @Test
    void fromUri_withoutData_isBadUri() {
        assertRejected(() -> MigrationPayload.fromUri("otpauth-migration://offline?other=1"), Kind.BAD_URI, "has no data parameter");
        assertRejected(() -> MigrationPayload.fromUri("otpauth-migration://online?data=AAAA"), Kind.BAD_URI, "offline?data=");
    }

    @Test
    void decode_hotpEntry_isNotTotp() {
        byte[] payload = payload(List.of(
                entry(randomSecret(20), "ok", "A", ALG_SHA1, DIGITS_SIX, TYPE_TOTP),
                entry(randomSecret(20), "counter", "B", ALG_SHA1, DIGITS_SIX, TYPE_HOTP)), 1, 1, 0, 1);

        assertRejected(() -> MigrationPayload.decode(payload), Kind.NOT_TOTP, "migration entry 2 of 2 ('B:counter'): type HOTP");
    }

    @Test
    void decode_unspecifiedType_isNotTotp() {
        byte[] payload = payload(List.of(entry(randomSecret(20), "x", "A", ALG_SHA1, DIGITS_SIX, TYPE_UNSPECIFIED)), 1, 1, 0, 1);

        assertRejected(() -> MigrationPayload.decode(payload), Kind.NOT_TOTP, "type 0 is not TOTP (2)");
    }

    @Test
    void decode_md5OrUnknownAlgorithm_isUnknownAlgorithm() {
        byte[] md5 = payload(List.of(entry(randomSecret(20), "x", "A", ALG_MD5, DIGITS_SIX, TYPE_TOTP)), 1, 1, 0, 1);
        byte[] nine = payload(List.of(entry(randomSecret(20), "x", "A", 9, DIGITS_SIX, TYPE_TOTP)), 1, 1, 0, 1);

        assertRejected(() -> MigrationPayload.decode(md5), Kind.UNKNOWN_ALGORITHM, "algorithm MD5 is not supported");
        assertRejected(() -> MigrationPayload.decode(nine), Kind.UNKNOWN_ALGORITHM, "algorithm 9 is not supported");
    }

    @Test
    void decode_severalBadEntries_namesEachOneAndKeepsNone() {
        byte[] payload = payload(List.of(entry(randomSecret(20), "ann@acme.example", "ACME", ALG_SHA1, DIGITS_SIX, TYPE_TOTP),
                entry(randomSecret(20), "bob@acme.example", "ACME", ALG_MD5, DIGITS_SIX, TYPE_TOTP),
                entry(randomSecret(20), "cy@acme.example", "Git", ALG_SHA1, 3, TYPE_TOTP)), 1, 1, 0, 1);
        String uri = "otpauth-migration://offline?data=" + URLEncoder.encode(base64(payload), StandardCharsets.UTF_8);

        SeedImportException e = org.junit.jupiter.api.Assertions.assertThrows(SeedImportException.class,
                () -> SeedImports.readText("the pasted text", uri));

        assertThat(e.kind()).isEqualTo(Kind.UNKNOWN_ALGORITHM);
        assertThat(e.problems()).containsExactly(
                "the pasted text line 1: migration entry 2 of 3 ('ACME:bob@acme.example'): algorithm MD5 is not supported;"
                        + " must be SHA1, SHA256 or SHA512",
                "the pasted text line 1: migration entry 3 of 3 ('Git:cy@acme.example'): digit count 3 is not supported;"
                        + " must be 1 (six) or 2 (eight)");
        assertThat(e.getMessage()).isEqualTo(String.join("; ", e.problems()));
    }

    @Test
    void problems_ofASingleProblem_isTheMessage() {
        byte[] payload = payload(List.of(entry(randomSecret(20), "x", "A", ALG_MD5, DIGITS_SIX, TYPE_TOTP)), 1, 1, 0, 1);

        SeedImportException e = org.junit.jupiter.api.Assertions.assertThrows(SeedImportException.class,
                () -> MigrationPayload.decode(payload));

        assertThat(e.problems()).containsExactly(e.getMessage());
    }

    @Test
    void decode_unknownDigitCount_isDigitsOutOfRange() {
        byte[] payload = payload(List.of(entry(randomSecret(20), "x", "A", ALG_SHA1, 3, TYPE_TOTP)), 1, 1, 0, 1);

        assertRejected(() -> MigrationPayload.decode(payload), Kind.DIGITS_OUT_OF_RANGE, "digit count 3 is not supported");
    }

    @Test
    void decode_secretSizes_areChecked() {
        byte[] tooShort = payload(List.of(entry(randomSecret(9), "x", "A", ALG_SHA1, DIGITS_SIX, TYPE_TOTP)), 1, 1, 0, 1);
        byte[] tooLong = payload(List.of(entry(randomSecret(129), "x", "A", ALG_SHA1, DIGITS_SIX, TYPE_TOTP)), 1, 1, 0, 1);

        assertRejected(() -> MigrationPayload.decode(tooShort), Kind.SECRET_TOO_SHORT, "secret is 9 bytes; must be at least 10");
        assertRejected(() -> MigrationPayload.decode(tooLong), Kind.SECRET_TOO_LONG, "secret is 129 bytes; must be at most 128");
    }

    private static void assertSeed(TotpSeed seed, byte[] secret, HmacAlgorithm algorithm, int digits, String issuer, String account) {
        assertThat(seed.secret().equalsSecretBytes(SecretBytes.copyOf(secret))).isTrue();
        assertThat(seed.parameters()).isEqualTo(new TotpParameters(algorithm, digits, Duration.ofSeconds(30)));
        assertThat(seed.issuer()).contains(issuer);
        assertThat(seed.accountName()).contains(account);
    }
}
