package dev.mfagate.core.seed;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import dev.mfagate.core.SecretBytes;
import dev.mfagate.core.seed.SeedImportException.Kind;
import dev.mfagate.core.totp.HmacAlgorithm;
import dev.mfagate.core.totp.TotpParameters;
import dev.mfagate.core.totp.TotpSeed;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One QR code of a Google Authenticator export: {@code otpauth-migration://offline?data=BASE64},
 * where {@code data} is a percent-encoded, standard base64 {@code MigrationPayload} protobuf.
 *
 * <p>The payload is read with protobuf-java's {@link CodedInputStream}, without generated classes.
 * The schema, as Google Authenticator writes it:
 * <pre>{@code
 * message MigrationPayload {
 *   repeated OtpParameters otp_parameters = 1;
 *   int32 version = 2;      // 1; required here, as it is written after the entries and so shows truncation
 *   int32 batch_size = 3;   // number of QR codes in the export
 *   int32 batch_index = 4;  // 0-based position of this QR code
 *   int32 batch_id = 5;     // shared by every QR code of one export
 *   message OtpParameters {
 *     bytes secret = 1;     // raw bytes, not base32
 *     string name = 2;      // account name, may carry an "ISSUER:" prefix
 *     string issuer = 3;
 *     Algorithm algorithm = 4;  // 0 unspecified -> SHA1, 1 SHA1, 2 SHA256, 3 SHA512, 4 MD5 -> rejected
 *     DigitCount digits = 5;    // 0 unspecified -> 6, 1 SIX, 2 EIGHT
 *     OtpType type = 6;         // 1 HOTP -> rejected, 2 TOTP; 0 unspecified -> rejected
 *     int64 counter = 7;        // HOTP only, ignored
 *   }
 * }
 * }</pre>
 * The period is always 30 seconds: the format has no field for it. Unknown fields are skipped, as
 * protobuf readers do; a field of the wrong wire type is rejected. A payload that ends early is
 * {@link Kind#TRUNCATED_MIGRATION}; any other malformation is {@link Kind#BAD_MIGRATION}. An entry
 * of unspecified type is rejected rather than guessed, like Aegis does.
 *
 * <p>Immutable once decoded; the seeds it returns hold secrets and belong to the caller, who should
 * destroy them when done. Checking that every QR code of a multi-part export was given is
 * {@link SeedImports}' job.
 */
public final class MigrationPayload {

    /** The URI scheme with its separator, {@code otpauth-migration://}. */
    public static final String SCHEME = "otpauth-migration://";

    /** The one version of the format Google Authenticator has written so far. */
    public static final int SUPPORTED_VERSION = 1;

    /** A QR code holds under 3 KB; this leaves room for escaping and still bounds the work. */
    static final int MAX_URI_LENGTH = 64 * 1024;

    private final List<TotpSeed> seeds;
    private final int version;
    private final int batchSize;
    private final int batchIndex;
    private final int batchId;

    private MigrationPayload(List<TotpSeed> seeds, int version, int batchSize, int batchIndex, int batchId) {
        this.seeds = List.copyOf(seeds);
        this.version = version;
        this.batchSize = batchSize;
        this.batchIndex = batchIndex;
        this.batchId = batchId;
    }

    /** Whether {@code text} starts with {@link #SCHEME}, in any case. */
    public static boolean isMigrationUri(String text) {
        return text.regionMatches(true, 0, SCHEME, 0, SCHEME.length());
    }

    /**
     * Decodes {@code otpauth-migration://offline?data=...}. The {@code data} value is
     * percent-decoded without turning {@code +} into a space (it is base64); spaces that an earlier
     * form decoder made of {@code +} are turned back.
     */
    public static MigrationPayload fromUri(String uri) throws SeedImportException {
        Objects.requireNonNull(uri, "uri");
        String trimmed = uri.strip();
        if (trimmed.length() > MAX_URI_LENGTH) {
            throw new SeedImportException(Kind.BAD_MIGRATION, "otpauth-migration URI is " + trimmed.length()
                    + " characters; must be at most " + MAX_URI_LENGTH);
        }
        if (!isMigrationUri(trimmed)) {
            throw new SeedImportException(Kind.BAD_URI, "URI does not start with " + SCHEME);
        }
        int control = UriText.firstControlCharacter(trimmed);
        if (control > 0) {
            throw new SeedImportException(Kind.BAD_URI, "otpauth-migration URI has a control character at position " + control);
        }
        String rest = trimmed.substring(SCHEME.length());
        int question = rest.indexOf('?');
        String host = question < 0 ? rest : rest.substring(0, question);
        if (!host.equalsIgnoreCase("offline")) {
            throw new SeedImportException(Kind.BAD_URI, "otpauth-migration URI must look like "
                    + SCHEME + "offline?data=...");
        }
        Map<String, String> parameters = UriText.queryParameters(question < 0 ? "" : rest.substring(question + 1));
        String data = parameters.get("data");
        if (data == null || data.isEmpty()) {
            throw new SeedImportException(Kind.BAD_URI, "otpauth-migration URI has no data parameter");
        }
        String base64 = UriText.percentDecode(data, false, "data parameter").replace(' ', '+');
        String unpadded = base64.replaceAll("=+$", "");
        if (unpadded.length() % 4 == 1) {
            throw new SeedImportException(Kind.TRUNCATED_MIGRATION, "data parameter ends in the middle of a"
                    + " base64 group; the export looks truncated");
        }
        byte[] payload;
        try {
            Base64.Decoder decoder = base64.indexOf('-') >= 0 || base64.indexOf('_') >= 0
                    ? Base64.getUrlDecoder() : Base64.getDecoder();
            payload = decoder.decode(base64);
        } catch (IllegalArgumentException e) {
            // The decoder's message quotes the offending character; the payload holds secrets.
            throw new SeedImportException(Kind.BAD_MIGRATION, "data parameter is not base64");
        }
        try {
            return decode(payload);
        } finally {
            Arrays.fill(payload, (byte) 0);
        }
    }

    /** Decodes the protobuf bytes of a {@code MigrationPayload}; the caller keeps ownership of {@code payload}. */
    public static MigrationPayload decode(byte[] payload) throws SeedImportException {
        Objects.requireNonNull(payload, "payload");
        List<RawEntry> entries = new ArrayList<>();
        Reader reader = new Reader(payload);
        try {
            Integer version = null;
            int batchSize = 0;
            int batchIndex = 0;
            int batchId = 0;
            for (int tag = reader.in.readTag(); tag != 0; tag = reader.in.readTag()) {
                int field = WireFormat.getTagFieldNumber(tag);
                switch (field) {
                    case 1 -> {
                        reader.expect(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED, "payload");
                        entries.add(reader.entry(entries.size() + 1));
                    }
                    case 2 -> version = reader.int32(tag, "version");
                    case 3 -> batchSize = reader.int32(tag, "batch_size");
                    case 4 -> batchIndex = reader.int32(tag, "batch_index");
                    case 5 -> batchId = reader.int32(tag, "batch_id");
                    default -> reader.skip(tag, "payload");
                }
            }
            if (version == null) {
                throw new SeedImportException(Kind.TRUNCATED_MIGRATION, "export payload has no version field,"
                        + " which is written after the entries; the payload looks truncated");
            }
            if (version != SUPPORTED_VERSION) {
                throw new SeedImportException(Kind.BAD_MIGRATION, "export payload version " + version
                        + " is not supported; must be " + SUPPORTED_VERSION);
            }
            if (batchSize < 0 || batchIndex < 0 || (batchSize > 0 && batchIndex >= batchSize)) {
                throw new SeedImportException(Kind.BAD_MIGRATION, "export payload is part " + batchIndex
                        + " of a batch of " + batchSize + "; the index must be from 0 to the size minus 1");
            }
            if (entries.isEmpty()) {
                throw new SeedImportException(Kind.BAD_MIGRATION, "export payload holds no entries");
            }
            // Every entry is checked, so a refusal names each bad one, not only the first.
            List<TotpSeed> seeds = new ArrayList<>(entries.size());
            List<SeedImportException> bad = new ArrayList<>();
            for (RawEntry entry : entries) {
                try {
                    seeds.add(entry.toSeed(entries.size()));
                } catch (SeedImportException e) {
                    bad.add(e);
                }
            }
            if (!bad.isEmpty()) {
                seeds.forEach(TotpSeed::destroy);
                if (bad.size() == 1) {
                    throw bad.getFirst();
                }
                throw new SeedImportException(bad.getFirst().kind(), bad.stream().map(Exception::getMessage).toList());
            }
            return new MigrationPayload(seeds, version, Math.max(batchSize, 1), batchIndex, batchId);
        } catch (InvalidProtocolBufferException e) {
            if (reader.endedEarly(e)) {
                throw new SeedImportException(Kind.TRUNCATED_MIGRATION, "export payload ends in the middle of a field;"
                        + " the payload looks truncated");
            }
            throw new SeedImportException(Kind.BAD_MIGRATION, "export payload is not a valid protobuf message");
        } catch (IOException e) {
            throw new AssertionError("reading a byte array failed", e);
        } finally {
            entries.forEach(RawEntry::clear);
        }
    }

    /** The seeds of this QR code, in payload order, with issuer and account name as exported; period 30 s. */
    public List<TotpSeed> seeds() {
        return seeds;
    }

    /** The format version, always {@link #SUPPORTED_VERSION}. */
    public int version() {
        return version;
    }

    /** How many QR codes the export has; at least 1. */
    public int batchSize() {
        return batchSize;
    }

    /** The 0-based position of this QR code in the export. */
    public int batchIndex() {
        return batchIndex;
    }

    /** The identifier shared by all QR codes of one export. */
    public int batchId() {
        return batchId;
    }

    /** Shows the batch position and the number of seeds, never a secret. */
    @Override
    public String toString() {
        return "MigrationPayload[" + seeds.size() + " seeds, part " + (batchIndex + 1) + " of " + batchSize
                + ", batch " + batchId + "]";
    }

    /** The reader with the bookkeeping to tell a payload that ends early from one that is garbled. */
    private static final class Reader {
        final CodedInputStream in;
        final int size;
        boolean insideEntry;

        Reader(byte[] payload) {
            this.in = CodedInputStream.newInstance(payload);
            this.size = payload.length;
        }

        /**
         * Whether {@code e} is protobuf's "input ended unexpectedly" at the top level, past every
         * byte; inside an entry, whose length was checked against the payload, it means a garbled
         * entry instead. Protobuf has no public flag for it, hence the message test.
         */
        boolean endedEarly(InvalidProtocolBufferException e) {
            return !insideEntry && in.getTotalBytesRead() >= size
                    && String.valueOf(e.getMessage()).startsWith("While parsing a protocol message, the input ended unexpectedly");
        }

        void expect(int tag, int wireType, String where) throws SeedImportException {
            if (WireFormat.getTagWireType(tag) != wireType) {
                throw new SeedImportException(Kind.BAD_MIGRATION, where + " field " + WireFormat.getTagFieldNumber(tag)
                        + " has wire type " + WireFormat.getTagWireType(tag) + "; expected " + wireType);
            }
        }

        int int32(int tag, String name) throws IOException, SeedImportException {
            expect(tag, WireFormat.WIRETYPE_VARINT, name);
            return in.readInt32();
        }

        void skip(int tag, String where) throws IOException, SeedImportException {
            int wireType = WireFormat.getTagWireType(tag);
            if (wireType == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                int length = length(where);
                in.skipRawBytes(length);
            } else if (!in.skipField(tag)) {
                throw new SeedImportException(Kind.BAD_MIGRATION, where + " has an unmatched end-group tag");
            }
        }

        /** Reads a length prefix and checks it against both the whole payload and the enclosing entry. */
        int length(String where) throws IOException, SeedImportException {
            int length = in.readRawVarint32();
            if (length < 0) {
                throw new SeedImportException(Kind.BAD_MIGRATION, where + " has a negative length");
            }
            if (length > size - in.getTotalBytesRead()) {
                throw new SeedImportException(Kind.TRUNCATED_MIGRATION, where + " declares " + length
                        + " bytes but only " + (size - in.getTotalBytesRead()) + " are left; the payload looks truncated");
            }
            int untilLimit = in.getBytesUntilLimit();
            if (untilLimit >= 0 && length > untilLimit) {
                throw new SeedImportException(Kind.BAD_MIGRATION, where + " is longer than its enclosing entry");
            }
            return length;
        }

        RawEntry entry(int number) throws IOException, SeedImportException {
            String where = "migration entry " + number;
            int oldLimit = in.pushLimit(length(where));
            insideEntry = true;
            RawEntry entry = new RawEntry(number);
            try {
                for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                    switch (WireFormat.getTagFieldNumber(tag)) {
                        case 1 -> {
                            expect(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED, where);
                            byte[] secret = in.readRawBytes(length(where));
                            // Protobuf keeps the last value of a repeated singular field; clear the earlier one.
                            entry.clear();
                            entry.secret = secret;
                        }
                        case 2 -> entry.name = string(tag, where);
                        case 3 -> entry.issuer = string(tag, where);
                        case 4 -> entry.algorithm = int32(tag, where);
                        case 5 -> entry.digits = int32(tag, where);
                        case 6 -> entry.type = int32(tag, where);
                        case 7 -> {
                            expect(tag, WireFormat.WIRETYPE_VARINT, where);
                            in.readInt64();
                        }
                        default -> skip(tag, where);
                    }
                }
            } catch (SeedImportException | IOException e) {
                entry.clear();
                throw e;
            }
            in.popLimit(oldLimit);
            insideEntry = false;
            return entry;
        }

        private String string(int tag, String where) throws IOException, SeedImportException {
            expect(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED, where);
            int length = length(where);
            byte[] utf8 = in.readRawBytes(length);
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(utf8)).toString();
            } catch (CharacterCodingException e) {
                throw new SeedImportException(Kind.BAD_MIGRATION, where + " has a name or issuer that is not UTF-8");
            }
        }
    }

    /** An entry as read, before its values are checked. */
    private static final class RawEntry {
        final int number;
        byte[] secret = new byte[0];
        String name = "";
        String issuer = "";
        int algorithm;
        int digits;
        int type;

        RawEntry(int number) {
            this.number = number;
        }

        void clear() {
            Arrays.fill(secret, (byte) 0);
        }

        TotpSeed toSeed(int count) throws SeedImportException {
            String account = name;
            String issuerText = issuer;
            // Google Authenticator stores "ISSUER:ACCOUNT" in name when the original URI's label had one.
            int colon = account.indexOf(':');
            if (colon >= 0) {
                if (issuerText.isEmpty()) {
                    issuerText = account.substring(0, colon).strip();
                }
                account = account.substring(colon + 1).strip();
            }
            String where = "migration entry " + number + " of " + count
                    + (issuerText.isEmpty() && account.isEmpty() ? "" : " (" + Shown.value(issuerText + ":" + account) + ")");
            if (type == 1) {
                throw new SeedImportException(Kind.NOT_TOTP, where + ": type HOTP is counter-based; only TOTP seeds are served");
            }
            if (type != 2) {
                throw new SeedImportException(Kind.NOT_TOTP, where + ": type " + type + " is not TOTP (2); only TOTP seeds are served");
            }
            HmacAlgorithm hmac = switch (algorithm) {
                case 0, 1 -> HmacAlgorithm.SHA1;
                case 2 -> HmacAlgorithm.SHA256;
                case 3 -> HmacAlgorithm.SHA512;
                case 4 -> throw new SeedImportException(Kind.UNKNOWN_ALGORITHM, where
                        + ": algorithm MD5 is not supported; must be SHA1, SHA256 or SHA512");
                default -> throw new SeedImportException(Kind.UNKNOWN_ALGORITHM, where + ": algorithm " + algorithm
                        + " is not supported; must be 1 (SHA1), 2 (SHA256) or 3 (SHA512)");
            };
            int digitCount = switch (digits) {
                case 0, 1 -> 6;
                case 2 -> 8;
                default -> throw new SeedImportException(Kind.DIGITS_OUT_OF_RANGE, where + ": digit count " + digits
                        + " is not supported; must be 1 (six) or 2 (eight)");
            };
            Base32Secret.checkSize(secret.length, where + ": secret");
            TotpParameters parameters = new TotpParameters(hmac, digitCount, Duration.ofSeconds(30));
            return new TotpSeed(SecretBytes.copyOf(secret), parameters,
                    issuerText.isEmpty() ? null : issuerText, account.isEmpty() ? null : account);
        }
    }
}
