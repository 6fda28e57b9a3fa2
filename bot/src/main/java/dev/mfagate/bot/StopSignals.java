package dev.mfagate.bot;

import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Turns SIGTERM and SIGINT into a stop request instead of the JVM's default, which runs the shutdown
 * hooks and then exits with 128 + the signal number (143 for SIGTERM) whatever they did. With the
 * signals handled here, the bot stops on its main thread and exits 0 after a clean stop, as a service
 * manager expects.
 *
 * <p>{@code sun.misc.Signal} is in the {@code jdk.unsupported} module, which the JDK keeps exported for
 * exactly this kind of use; there is no supported API for it. If a signal cannot be handled (the JVM
 * runs with {@code -Xrs}, say), that is logged and the JVM's default applies: the shutdown hook still
 * stops the bot, with exit code 143.
 */
final class StopSignals {
    private static final Logger log = LoggerFactory.getLogger(StopSignals.class);

    private StopSignals() {
    }

    /** Calls {@code onSignal} with the signal's name ({@code TERM}, {@code INT}) each time one arrives, on a JVM thread. */
    static void install(Consumer<String> onSignal) {
        for (String name : List.of("TERM", "INT")) {
            try {
                Signal.handle(new Signal(name), s -> onSignal.accept(s.getName()));
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                log.warn("cannot handle SIG{}; the JVM's default applies (exit code 128 + signal) {}", name, e.getMessage());
            }
        }
    }
}
