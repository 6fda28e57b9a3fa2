package dev.mfagate.core.seed;

import static dev.mfagate.core.seed.Rejections.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.client.j2se.MatrixToImageWriter;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import dev.mfagate.core.seed.SeedImportException.Kind;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QrImagesTest {

    private final Random random = new Random(31337);

    @TempDir
    Path dir;

    static BufferedImage qr(String text, int sizePixels) {
        try {
            BitMatrix matrix = new QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, sizePixels, sizePixels,
                    Map.of(EncodeHintType.MARGIN, 4));
            return MatrixToImageWriter.toBufferedImage(matrix);
        } catch (WriterException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Draws images on a white canvas at the given positions. */
    static BufferedImage canvas(int width, int height, Object... imagesAndPositions) {
        BufferedImage canvas = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        for (int i = 0; i < imagesAndPositions.length; i += 3) {
            g.drawImage((BufferedImage) imagesAndPositions[i], (Integer) imagesAndPositions[i + 1], (Integer) imagesAndPositions[i + 2], null);
        }
        g.dispose();
        return canvas;
    }

    private Path write(BufferedImage image, String format, String name) throws IOException {
        Path file = dir.resolve(name);
        assertThat(ImageIO.write(image, format, file.toFile())).as("ImageIO writes %s", format).isTrue();
        return file;
    }

    private String uri(String account) {
        return "otpauth://totp/Example:" + account + "?secret=" + Rejections.randomBase32(random, 20) + "&issuer=Example";
    }

    @Test
    void subsampling_keepsWhatIsDecodedAtMostThreeMillionPixels() {
        assertThat(QrImages.subsampling(2000, 1500)).isEqualTo(1);
        assertThat(QrImages.subsampling(2001, 1500)).isEqualTo(2);
        assertThat(QrImages.subsampling(4032, 3024)).as("a 12-megapixel phone photo").isEqualTo(3);
        assertThat(QrImages.subsampling(8000, 6000)).as("48 megapixels").isEqualTo(4);
        assertThat(QrImages.subsampling(8000, 8000)).isEqualTo(5);
        for (int[] size : new int[][] {{1, 1}, {4032, 3024}, {7000, 11}, {6325, 6325}, {20000, 2000}}) {
            long step = QrImages.subsampling(size[0], size[1]);
            assertThat(((size[0] + step - 1) / step) * ((size[1] + step - 1) / step)).isLessThanOrEqualTo(QrImages.MAX_DECODED_PIXELS);
            if (step > 1) {
                long smaller = step - 1;
                assertThat(((size[0] + smaller - 1) / smaller) * ((size[1] + smaller - 1) / smaller)).isGreaterThan(QrImages.MAX_DECODED_PIXELS);
            }
        }
    }

    @Test
    void decode_pngWithOneCode_returnsItsText() throws Exception {
        String uri = uri("alice");
        Path file = dir.resolve("one.png");
        MatrixToImageWriter.writeToPath(new QRCodeWriter().encode(uri, BarcodeFormat.QR_CODE, 300, 300), "PNG", file);

        assertThat(QrImages.decode(file)).containsExactly(uri);
    }

    @Test
    void decode_jpeg_returnsItsText() throws Exception {
        String uri = uri("bob");
        Path file = write(canvas(400, 400, qr(uri, 360), 20, 20), "jpg", "code.jpg");

        assertThat(QrImages.decode(file)).containsExactly(uri);
    }

    @Test
    void decode_lightOnDarkCode_returnsItsText() throws Exception {
        String uri = uri("inverted");
        BufferedImage image = qr(uri, 300);
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                image.setRGB(x, y, ~image.getRGB(x, y) | 0xFF000000);
            }
        }

        assertThat(QrImages.decode(write(image, "png", "inverted.png"))).containsExactly(uri);
    }

    @Test
    void decode_twoCodesSideBySide_returnsBothLeftToRight() throws Exception {
        String left = uri("left"), right = uri("right");
        Path file = write(canvas(700, 360, qr(right, 320), 360, 30, qr(left, 320), 20, 20), "png", "two.png");

        assertThat(QrImages.decode(file)).containsExactly(left, right);
    }

    @Test
    void decode_threeCodesInTwoRows_returnsReadingOrder() throws Exception {
        String a = uri("a"), b = uri("b"), c = uri("c");
        Path file = write(canvas(700, 700, qr(c, 300), 30, 370, qr(b, 300), 370, 10, qr(a, 300), 20, 25), "png", "three.png");

        assertThat(QrImages.decode(file)).containsExactly(a, b, c);
    }

    @Test
    void decode_imageWithoutCode_isNoQrCode() throws Exception {
        BufferedImage noise = new BufferedImage(300, 300, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 300; y++) {
            for (int x = 0; x < 300; x++) {
                noise.setRGB(x, y, random.nextInt(0x1000000));
            }
        }
        Path blank = write(canvas(300, 300), "png", "blank.png");
        Path noisy = write(noise, "png", "noise.png");

        assertRejected(() -> QrImages.decode(blank), Kind.NO_QR_CODE, "image has no QR code");
        assertRejected(() -> QrImages.decode(noisy), Kind.NO_QR_CODE, "image has no QR code");
    }

    @Test
    void decode_textFileNamedPng_isBadImage() throws Exception {
        Path file = dir.resolve("fake.png");
        Files.writeString(file, "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP");

        assertRejected(() -> QrImages.decode(file), Kind.NOT_AN_IMAGE, "not an image this build can read", "JBSWY3DPEHPK3PXP");
    }

    @Test
    void decode_truncatedPng_isBadImage() throws Exception {
        byte[] png = Files.readAllBytes(write(qr(uri("cut"), 300), "png", "full.png"));
        Path cut = dir.resolve("cut.png");
        Files.write(cut, java.util.Arrays.copyOf(png, 60));

        assertRejected(() -> QrImages.decode(cut), Kind.BAD_IMAGE, "image cannot be read: the file is damaged or cut short");
    }

    @Test
    void decode_missingFile_isBadImage() {
        assertRejected(() -> QrImages.decode(dir.resolve("missing.png")), Kind.BAD_IMAGE, "image cannot be read: no such file");
    }

    @Test
    void decode_hugeDimensions_isRejectedBeforeDecoding() throws Exception {
        Path file = write(new BufferedImage(8000, 6000, BufferedImage.TYPE_BYTE_BINARY), "png", "huge.png");

        assertRejected(() -> QrImages.decode(file), Kind.BAD_IMAGE, "image is 8000x6000 pixels; must be at most 40000000");
    }

    @Test
    void read_imagesOfMigrationExportAndUris_importsEveryEntry() throws Exception {
        byte[] payload = MigrationPayloadTest.payload(List.of(
                MigrationPayloadTest.entry(new byte[20], "one", "A", 1, 1, 2),
                MigrationPayloadTest.entry(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, "two", "B", 2, 2, 2),
                MigrationPayloadTest.entry(new byte[32], "three", "C", 3, 1, 2)), 1, 1, 0, 5);
        Path export = write(qr(MigrationPayloadTest.uri(payload), 500), "png", "export.png");
        String left = uri("left"), right = uri("right");
        Path pair = write(canvas(700, 360, qr(left, 320), 20, 20, qr(right, 320), 360, 20), "png", "pair.png");

        List<ImportedEntry> entries = SeedImports.read(List.of(ImportInput.image(export), ImportInput.image(pair)));

        assertThat(entries).extracting(ImportedEntry::index).containsExactly(1, 2, 3, 4, 5);
        assertThat(entries).extracting(ImportedEntry::mappingKey).containsExactly("A:one", "B:two", "C:three", "Example:left", "Example:right");
        assertThat(entries.get(1).source()).isEqualTo(export + ", migration entry 2");
        assertThat(entries.get(4).source()).isEqualTo(pair + " QR 2");
    }

    @Test
    void read_imageWithBadSeed_namesImageAndCode() throws Exception {
        String secret = Rejections.randomBase32(random, 20);
        String hotp = "otpauth://hotp/x?secret=" + secret + "&counter=1";
        Path file = write(canvas(700, 360, qr(uri("ok"), 320), 20, 20, qr(hotp, 320), 360, 20), "png", "mixed.png");

        assertRejected(() -> SeedImports.read(List.of(ImportInput.image(file))), Kind.NOT_TOTP, file + " QR 2: otpauth://hotp/", secret);
    }

    @Test
    void read_imageWithoutCode_namesImage() throws Exception {
        Path blank = write(canvas(200, 200), "png", "blank.png");

        assertRejected(() -> SeedImports.read(List.of(ImportInput.image(blank))), Kind.NO_QR_CODE, blank + ": image has no QR code");
    }
}
