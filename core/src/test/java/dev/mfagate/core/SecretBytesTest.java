package dev.mfagate.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SecretBytesTest {

    @Test
    void toString_never_showsTheBytes() {
        SecretBytes s = SecretBytes.copyOf("hunter2-hunter2".getBytes(StandardCharsets.US_ASCII));
        assertThat(s.toString()).doesNotContain("hunter2").contains("15 bytes");
    }

    @Test
    void copyOf_callerArrayChanged_secretUnchanged() {
        byte[] raw = {1, 2, 3};
        SecretBytes s = SecretBytes.copyOf(raw);
        raw[0] = 9;
        assertThat(s.toByteArray()).containsExactly(1, 2, 3);
    }

    @Test
    void toByteArray_returnedCopyChanged_secretUnchanged() {
        SecretBytes s = SecretBytes.copyOf(new byte[] {1, 2, 3});
        s.toByteArray()[0] = 9;
        assertThat(s.toByteArray()).containsExactly(1, 2, 3);
    }

    @Test
    void equalsSecretBytes_sameAndDifferent_comparesContents() {
        SecretBytes a = SecretBytes.copyOf(new byte[] {1, 2, 3});
        assertThat(a.equalsSecretBytes(SecretBytes.copyOf(new byte[] {1, 2, 3}))).isTrue();
        assertThat(a.equalsSecretBytes(SecretBytes.copyOf(new byte[] {1, 2, 4}))).isFalse();
        assertThat(a.equals(SecretBytes.copyOf(new byte[] {1, 2, 3}))).as("no content equals").isFalse();
    }

    @Test
    void destroy_thenRead_failsAndBytesCleared() {
        SecretBytes s = SecretBytes.copyOf(new byte[] {1, 2, 3});
        s.destroy();
        assertThatThrownBy(s::toByteArray).isInstanceOf(IllegalStateException.class).hasMessageContaining("destroyed");
    }
}
