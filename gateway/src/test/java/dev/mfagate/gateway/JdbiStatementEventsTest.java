package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.internal.JfrSupport;
import org.junit.jupiter.api.Test;

/**
 * Jdbi's JFR statement events are off unless {@code -Dmfagate.jdbi.jfr-events=true}: the gateway's
 * own {@code JfrSupport} is the one on the class path, and statements run without registering
 * Jdbi's event type with the flight recorder (which loads the JDK's JFR machinery at every start).
 */
class JdbiStatementEventsTest {

    @Test
    void jfrSupport_isTheGatewaysOwnCopy_eventsOffByDefault() {
        assertThat(System.getProperty(JfrSupport.PROPERTY)).isNull();
        assertThat(JfrSupport.class.getProtectionDomain().getCodeSource().getLocation().getPath())
                .as("loaded from the gateway's classes, not from jdbi3-core's jar")
                .doesNotContain("jdbi3-core");
        assertThat(JfrSupport.isFlightRecorderAvailable()).isFalse();
        assertThat(JfrSupport.newStatementEvent()).isNotInstanceOf(jdk.jfr.Event.class);
    }

    @Test
    void statements_runOnSqlite_withoutAStatementEvent() {
        Jdbi jdbi = Jdbi.create("jdbc:sqlite::memory:");
        List<Integer> rows = jdbi.withHandle(h -> h.createQuery("SELECT 1 UNION SELECT 2 ORDER BY 1").mapTo(Integer.class).list());
        assertThat(rows).containsExactly(1, 2);
        assertThat(JfrSupport.newStatementEvent().shouldCommit()).isFalse();
    }
}
