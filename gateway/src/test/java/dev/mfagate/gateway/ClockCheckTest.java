package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The SNTP clock check against a small NTP responder on loopback whose clock is set ahead or not. */
class ClockCheckTest {

    /** Answers NTP client requests with this machine's time plus {@code offset} (RFC 4330 server reply). */
    static final class NtpResponder implements AutoCloseable {
        private static final long NTP_EPOCH_OFFSET_SECONDS = 2_208_988_800L;
        final DatagramSocket socket;
        private final Thread thread;

        NtpResponder(Duration offset) throws Exception {
            socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
            thread = new Thread(() -> {
                byte[] buf = new byte[48];
                while (!socket.isClosed()) {
                    try {
                        DatagramPacket req = new DatagramPacket(buf, buf.length);
                        socket.receive(req);
                        ByteBuffer out = ByteBuffer.allocate(48);
                        out.put((byte) 0x24).put((byte) 1).put((byte) 4).put((byte) -20);
                        out.position(24);
                        out.put(buf, 40, 8);
                        long now = System.currentTimeMillis() + offset.toMillis();
                        out.putLong(ntp(now)).putLong(ntp(now));
                        socket.send(new DatagramPacket(out.array(), 48, req.getSocketAddress()));
                    } catch (Exception e) {
                        return;
                    }
                }
            }, "ntp-responder");
            thread.setDaemon(true);
            thread.start();
        }

        private static long ntp(long epochMillis) {
            long seconds = epochMillis / 1000 + NTP_EPOCH_OFFSET_SECONDS;
            long fraction = (epochMillis % 1000) * 0x1_0000_0000L / 1000;
            return seconds << 32 | fraction;
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    @Test
    void checkNow_serverAgrees_ok() throws Exception {
        try (NtpResponder ntp = new NtpResponder(Duration.ZERO);
             ClockCheck check = new ClockCheck("127.0.0.1", ntp.port(), Duration.ofSeconds(5), Duration.ofMinutes(5), GatewayMetrics.disabled())) {
            assertThat(check.checkNow()).isEqualTo("ok");
        }
    }

    @Test
    void checkNow_serverTwentySecondsAhead_reportsSkewAndGauge() throws Exception {
        GatewayMetrics metrics = GatewayMetrics.prometheus();
        try (NtpResponder ntp = new NtpResponder(Duration.ofSeconds(20));
             ClockCheck check = new ClockCheck("127.0.0.1", ntp.port(), Duration.ofSeconds(5), Duration.ofMinutes(5), metrics)) {
            String state = check.checkNow();
            assertThat(state).startsWith("clock skew -").contains("exceeds 5000 ms");
            assertThat(metrics.scrape()).containsPattern("mfagate_clock_skew_seconds -(19|20|21)\\.");
        }
    }

    @Test
    void checkNow_noServer_reportsUnreachable() throws Exception {
        int deadPort;
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        try (ClockCheck check = new ClockCheck("127.0.0.1", deadPort, Duration.ofSeconds(5), Duration.ofMinutes(5), GatewayMetrics.disabled())) {
            assertThat(check.checkNow()).contains("unreachable");
        }
    }

    @Test
    void readiness_clockSkewed_degradedButStillReady() {
        Readiness r = new Readiness().require("store", () -> "ok").degradeOn("clock", () -> "clock skew 9000 ms exceeds 5000 ms");
        Readiness.Report report = r.report();
        assertThat(report.ready()).isTrue();
        assertThat(report.status()).isEqualTo("degraded");
        Readiness broken = new Readiness().require("store", () -> "unreachable").degradeOn("clock", () -> "ok");
        assertThat(broken.report().ready()).isFalse();
        assertThat(broken.report().status()).isEqualTo("unready");
    }
}
