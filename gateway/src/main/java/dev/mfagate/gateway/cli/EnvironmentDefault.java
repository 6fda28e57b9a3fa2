package dev.mfagate.gateway.cli;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The environment variable an option's default comes from, when it is set; otherwise the
 * option's own {@code defaultValue} applies. {@link EnvironmentDefaults} reads it from the
 * command's {@link CliContext}, not from the process: picocli's {@code ${env:NAME}} would read
 * {@code System.getenv} behind the context's back.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface EnvironmentDefault {

    /** The variable's name, such as {@code MFAGATE_PORT}. */
    String value();
}
