package dev.mfagate.core.seed;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.Binarizer;
import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.LuminanceSource;
import com.google.zxing.MultiFormatReader;
import com.google.zxing.NotFoundException;
import com.google.zxing.Result;
import com.google.zxing.ResultPoint;
import com.google.zxing.client.j2se.BufferedImageLuminanceSource;
import com.google.zxing.common.GlobalHistogramBinarizer;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.multi.GenericMultipleBarcodeReader;
import com.google.zxing.multi.qrcode.QRCodeMultiReader;
import dev.mfagate.core.seed.SeedImportException.Kind;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads the text of every QR code in an image file (a screenshot of an enrolment page or of a
 * Google Authenticator export), with ZXing.
 *
 * <p>Reads any format ImageIO reads (PNG and JPEG at least). Several codes in one image are found
 * with {@link QRCodeMultiReader} and {@link GenericMultipleBarcodeReader}, then a single-code
 * reader with {@link DecodeHintType#TRY_HARDER}, each over two binarizers; inverted (light on
 * dark) codes are tried too. Texts come back in reading order (top to bottom, then left to right)
 * without duplicates, so that "the second code" means what a person sees.
 *
 * <p>Images larger than {@value #MAX_FILE_SIZE_BYTES} bytes or {@value #MAX_PIXELS} pixels (or the
 * caller's smaller limit) are rejected before they are decoded, and a larger image than
 * {@value #MAX_DECODED_PIXELS} pixels is decoded at a fraction of its size (every second, third...
 * pixel of every second, third... row), so that what one image holds in memory is bounded whatever
 * its file says: a photo of 12 million pixels decoded whole takes 36 to 48 MB, most of the
 * gateway's heap. One image is decoded at a time in the process; the others wait for it.
 *
 * <p>Thread-safe. The texts returned may hold secrets; they are never logged here.
 */
public final class QrImages {

    /** A phone screenshot is a few MB; this is generous. */
    static final long MAX_FILE_SIZE_BYTES = 50L * 1024 * 1024;
    /** About an 8K screen. */
    static final long MAX_PIXELS = 40_000_000L;
    /**
     * The most pixels an image is decoded at: 2,000 by 1,500. A QR code that fills a tenth of a
     * 48-megapixel photo still has several pixels per module at this size.
     */
    static final long MAX_DECODED_PIXELS = 3_000_000L;
    /** How long a decode waits for the one before it. */
    private static final long WAIT_SECONDS = 30;

    /** One decode at a time: each may hold about 15 MB while it runs. */
    private static final java.util.concurrent.Semaphore DECODING = new java.util.concurrent.Semaphore(1, true);

    private QrImages() {
    }

    /**
     * The text of each QR code in the image, in reading order.
     *
     * @throws SeedImportException {@link Kind#NOT_AN_IMAGE} when the file is in no image format read here,
     *     {@link Kind#BAD_IMAGE} when it cannot be read as an image, {@link Kind#NO_QR_CODE} when it holds
     *     no readable QR code
     */
    public static List<String> decode(Path file) throws SeedImportException {
        Objects.requireNonNull(file, "file");
        acquire();
        try {
            return decode(read(file));
        } finally {
            DECODING.release();
        }
    }

    /**
     * The text of each QR code in an uploaded image, in reading order, refusing before decoding an
     * image of more than {@code maxPixels} pixels (a small file can declare a huge image).
     *
     * @throws SeedImportException {@link Kind#NOT_AN_IMAGE} when the bytes are in no image format read
     *     here, {@link Kind#BAD_IMAGE} when the image is damaged or too large, {@link Kind#NO_QR_CODE} when
     *     it holds no readable QR code
     */
    public static List<String> decode(byte[] image, long maxPixels) throws SeedImportException {
        Objects.requireNonNull(image, "image");
        acquire();
        // Cached in memory: ImageIO's default for a stream caches it in a file in java.io.tmpdir, and
        // the image of an enrolment QR code holds its secret.
        try (ImageInputStream input = new javax.imageio.stream.MemoryCacheImageInputStream(new java.io.ByteArrayInputStream(image))) {
            return decode(read(input, maxPixels));
        } catch (IOException e) {
            throw unreadable(e);
        } finally {
            DECODING.release();
        }
    }

    private static void acquire() throws SeedImportException {
        try {
            if (DECODING.tryAcquire(WAIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new SeedImportException(Kind.BAD_IMAGE, "other images are being read; nothing was stored, try again in a minute");
    }

    /** Why an image could not be read, in words: never the exception's class, nor its message (which may hold a path or data). */
    private static SeedImportException unreadable(Exception e) {
        String why = e instanceof java.nio.file.NoSuchFileException ? "no such file"
                : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                : "the file is damaged or cut short";
        return new SeedImportException(Kind.BAD_IMAGE, "image cannot be read: " + why, e);
    }

    /** The smallest step such that every step-th pixel of every step-th row is at most {@link #MAX_DECODED_PIXELS}. */
    static int subsampling(long width, long height) {
        int step = 1;
        while ((width + step - 1) / step * ((height + step - 1) / step) > MAX_DECODED_PIXELS) {
            step++;
        }
        return step;
    }

    /** The text of each QR code in an image already in memory, in reading order. */
    public static List<String> decode(BufferedImage image) throws SeedImportException {
        Objects.requireNonNull(image, "image");
        LuminanceSource source = new BufferedImageLuminanceSource(image);
        Map<DecodeHintType, Object> hints = new EnumMap<>(DecodeHintType.class);
        hints.put(DecodeHintType.POSSIBLE_FORMATS, List.of(BarcodeFormat.QR_CODE));
        hints.put(DecodeHintType.TRY_HARDER, Boolean.TRUE);
        hints.put(DecodeHintType.ALSO_INVERTED, Boolean.TRUE);
        hints.put(DecodeHintType.CHARACTER_SET, "UTF-8");
        List<Function<LuminanceSource, Binarizer>> binarizers = List.of(HybridBinarizer::new, GlobalHistogramBinarizer::new);
        for (Function<LuminanceSource, Binarizer> binarizer : binarizers) {
            List<Result> results = decodeAll(new BinaryBitmap(binarizer.apply(source)), hints);
            if (!results.isEmpty()) {
                return inReadingOrder(results);
            }
        }
        throw new SeedImportException(Kind.NO_QR_CODE, "image has no QR code that could be read");
    }

    private static List<Result> decodeAll(BinaryBitmap bitmap, Map<DecodeHintType, Object> hints) {
        try {
            Result[] results = new QRCodeMultiReader().decodeMultiple(bitmap, hints);
            if (results.length > 0) {
                return List.of(results);
            }
        } catch (NotFoundException e) {
            // Fall through to the next reader.
        }
        MultiFormatReader single = new MultiFormatReader();
        single.setHints(hints);
        try {
            Result[] results = new GenericMultipleBarcodeReader(single).decodeMultiple(bitmap, hints);
            if (results.length > 0) {
                return List.of(results);
            }
        } catch (NotFoundException e) {
            // Fall through to the next reader.
        }
        try {
            return List.of(single.decode(bitmap, hints));
        } catch (NotFoundException e) {
            return List.of();
        }
    }

    private static List<String> inReadingOrder(List<Result> results) {
        record Found(String text, float x, float y, float size) {
        }
        List<Found> found = new ArrayList<>();
        for (Result result : results) {
            ResultPoint[] points = result.getResultPoints();
            float minX = Float.MAX_VALUE, minY = Float.MAX_VALUE, maxX = 0, maxY = 0;
            for (ResultPoint point : points == null ? new ResultPoint[0] : points) {
                if (point != null) {
                    minX = Math.min(minX, point.getX());
                    minY = Math.min(minY, point.getY());
                    maxX = Math.max(maxX, point.getX());
                    maxY = Math.max(maxY, point.getY());
                }
            }
            boolean located = minX != Float.MAX_VALUE;
            found.add(new Found(result.getText(), located ? minX : 0, located ? minY : 0, located ? Math.max(maxY - minY, 1) : 1));
        }
        // Codes whose tops are within half a code's height of each other share a row.
        found.sort(Comparator.comparingDouble(Found::y));
        List<List<Found>> rows = new ArrayList<>();
        for (Found f : found) {
            List<Found> row = rows.isEmpty() ? null : rows.get(rows.size() - 1);
            if (row != null && f.y() - row.get(0).y() < row.get(0).size() / 2) {
                row.add(f);
            } else {
                rows.add(new ArrayList<>(List.of(f)));
            }
        }
        Set<String> texts = new LinkedHashSet<>();
        for (List<Found> row : rows) {
            row.sort(Comparator.comparingDouble(Found::x));
            row.forEach(f -> texts.add(f.text()));
        }
        return List.copyOf(texts);
    }

    private static BufferedImage read(Path file) throws SeedImportException {
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_SIZE_BYTES) {
                throw new SeedImportException(Kind.BAD_IMAGE, "image file is " + size + " bytes; must be at most " + MAX_FILE_SIZE_BYTES);
            }
            try (ImageInputStream input = ImageIO.createImageInputStream(file.toFile())) {
                return read(input, MAX_PIXELS);
            }
        } catch (IOException | RuntimeException e) {
            // ImageIO reports corrupt data with IOException or, for some formats, runtime exceptions.
            throw unreadable(e);
        }
    }

    /** Reads one image of at most {@code maxPixels} pixels, checking its size before decoding it. */
    private static BufferedImage read(ImageInputStream input, long maxPixels) throws SeedImportException {
        try {
            Iterator<ImageReader> readers = input == null ? null : ImageIO.getImageReaders(input);
            if (readers == null || !readers.hasNext()) {
                throw new SeedImportException(Kind.NOT_AN_IMAGE, "file is not an image this build can read (PNG, JPEG, GIF, BMP)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(input, true, true);
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                if (pixels > maxPixels) {
                    throw new SeedImportException(Kind.BAD_IMAGE, "image is " + reader.getWidth(0) + "x" + reader.getHeight(0)
                            + " pixels; must be at most " + maxPixels + " pixels");
                }
                javax.imageio.ImageReadParam param = reader.getDefaultReadParam();
                int step = subsampling(reader.getWidth(0), reader.getHeight(0));
                if (step > 1) {
                    param.setSourceSubsampling(step, step, 0, 0);
                }
                return reader.read(0, param);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            // ImageIO reports corrupt data with IOException or, for some formats, runtime exceptions.
            throw unreadable(e);
        }
    }
}
