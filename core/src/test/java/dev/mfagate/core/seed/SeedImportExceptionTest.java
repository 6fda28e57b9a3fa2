package dev.mfagate.core.seed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.core.seed.SeedImportException.Kind;
import org.junit.jupiter.api.Test;

class SeedImportExceptionTest {

    @Test
    void new_messageWithLineBreaks_isKeptOnOneLine() {
        SeedImportException e = new SeedImportException(Kind.BAD_URI, "first\r\nsecond\nthird");

        assertThat(e.getMessage()).isEqualTo("first second third");
        assertThat(e.kind()).isEqualTo(Kind.BAD_URI);
    }

    @Test
    void in_source_prefixesMessageAndKeepsKind() {
        SeedImportException e = new SeedImportException(Kind.NO_QR_CODE, "image has no QR code").in("a.png");

        assertThat(e.getMessage()).isEqualTo("a.png: image has no QR code");
        assertThat(e.kind()).isEqualTo(Kind.NO_QR_CODE);
    }
}
