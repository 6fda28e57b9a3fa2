package dev.mfagate.gateway.console;

/** A page model that names its own template in {@code src/main/jte}. */
interface ConsolePage {

    /** The template's file name, such as {@code access.jte}. */
    String template();
}
