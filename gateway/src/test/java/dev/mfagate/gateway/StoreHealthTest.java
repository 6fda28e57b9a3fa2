package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class StoreHealthTest {

    @Test
    void outage_oneLineWhenItBeginsAndOneWhenItEnds_notOnePerCheck() {
        // Before, an outage logged nothing of the gateway's own and its end nothing at all; Hikari's
        // stack traces, one per pooled connection, were all an operator had.
        AtomicBoolean up = new AtomicBoolean(true);
        StoreHealth health = new StoreHealth(() -> {
            if (!up.get()) {
                throw new IllegalStateException("Connection is not available, request timed out after 2000ms");
            }
            return true;
        });
        Logger logger = (Logger) LoggerFactory.getLogger(StoreHealth.class);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        logger.addAppender(log);
        try {
            assertThat(health.checkStore()).isEqualTo("ok");
            up.set(false);
            for (int i = 0; i < 3; i++) {
                assertThat(health.checkStore()).startsWith("unreachable: ");
            }
            up.set(true);
            assertThat(health.checkStore()).isEqualTo("ok");
            assertThat(health.checkStore()).isEqualTo("ok");
        } finally {
            logger.detachAppender(log);
        }
        assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage).hasSize(2);
        assertThat(log.list.get(0).getFormattedMessage()).startsWith("The store does not answer (unreachable: ");
        assertThat(log.list.get(1).getFormattedMessage()).isEqualTo("The store answers again; readiness no longer fails on it");
    }
}
