package dev.mfagate.bot;

/**
 * A missing or malformed setting, found at start. The message names the setting and the rule it
 * breaks and never carries the value (a key or token must not reach a terminal or log).
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The setting's name, e.g. {@code MFAGATE_GATEWAY_URL}. */
    private final String setting;

    /** A problem with {@code setting}; {@code message} says what is wrong without echoing the value. */
    public ConfigException(String setting, String message) {
        super(setting + ": " + message);
        this.setting = setting;
    }

    /** The name of the setting at fault. */
    public String setting() {
        return setting;
    }
}
