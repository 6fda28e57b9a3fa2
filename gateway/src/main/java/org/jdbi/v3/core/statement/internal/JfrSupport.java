package org.jdbi.v3.core.statement.internal;

import org.jdbi.v3.core.statement.JdbiStatementEvent;

/**
 * Replaces Jdbi's class of the same name (jdbi3-core 3.55, Apache-2.0; the shaded jar leaves
 * Jdbi's own copy out, see gateway/pom.xml and NOTICE) so that Jdbi's JFR statement events are
 * off unless asked for with {@code -Dmfagate.jdbi.jfr-events=true}.
 *
 * <p>Why: Jdbi's copy registers its JFR event type with the flight recorder when the first SQL
 * statement runs, whether or not anything records. That starts the JDK's JFR machinery (about 150
 * classes, reflection, the event class instrumented) inside every start: about 80 ms of CPU of a
 * CLI command's 480 ms on this project's benchmark machine, and a JFR event object per statement
 * after that. Jdbi has no setting for it; its check is whether the {@code jdk.jfr} module is in the
 * boot layer, and leaving that module out ({@code --limit-modules}) turns the JVM's class-data
 * sharing off, which costs far more. Nothing in mfagate reads these events; JFR itself still works
 * for everything else ({@code jcmd <pid> JFR.start}).
 *
 * <p>Same public methods as Jdbi's, the only ones Jdbi calls ({@code SqlStatement} calls
 * {@link #newStatementEvent()}).
 */
public final class JfrSupport {

    /** The system property that turns Jdbi's statement events back on. */
    public static final String PROPERTY = "mfagate.jdbi.jfr-events";

    private static final boolean JFR_AVAILABLE = Boolean.getBoolean(PROPERTY)
            && ModuleLayer.boot().findModule("jdk.jfr").isPresent();
    private static final boolean FLIGHT_RECORDER_AVAILABLE = JFR_AVAILABLE && register();

    private JfrSupport() {
        throw new AssertionError("JfrSupport can not be instantiated");
    }

    public static boolean isJfrAvailable() {
        return JFR_AVAILABLE;
    }

    public static boolean isFlightRecorderAvailable() {
        return FLIGHT_RECORDER_AVAILABLE;
    }

    public static OptionalEvent newStatementEvent() {
        return FLIGHT_RECORDER_AVAILABLE ? Holder.newEvent() : new NoStatementEvent();
    }

    /** As Jdbi's copy does when asked: registers the event type when the flight recorder is available. */
    private static boolean register() {
        if (!jdk.jfr.FlightRecorder.isAvailable()) {
            return false;
        }
        jdk.jfr.FlightRecorder.register(JdbiStatementEvent.class);
        return true;
    }

    /** Keeps {@code JdbiStatementEvent} (a {@code jdk.jfr.Event}) unloaded until an event is made. */
    private static final class Holder {
        private Holder() {
        }

        static OptionalEvent newEvent() {
            return new JdbiStatementEvent();
        }
    }
}
