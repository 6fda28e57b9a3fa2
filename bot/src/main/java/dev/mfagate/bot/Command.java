package dev.mfagate.bot;

import dev.mfagate.bot.gateway.RequestedLabel;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a person asked the bot for, parsed from the raw Markdown of a Zulip message.
 *
 * <p>Grammar (case-insensitive, any run of whitespace counts as one space, leading and trailing
 * whitespace ignored, one leading {@code @**bot name**} mention stripped):
 * <pre>
 *   !mfa-&lt;client&gt;-&lt;service&gt;   or  !mfa &lt;label&gt;  or  code &lt;label&gt;   → {@link GetCode}
 *   !mfa list   or  !mfa-list                                  → {@link ListLabels}
 *   !mfa   or  !mfa-help   or  !mfa help   or  help            → {@link Help}
 *   !mfa-… / code … with something that is not a label          → {@link BadLabel}
 *   anything else                                              → {@link Unrecognised}
 * </pre>
 * Parsing is pure and thread-safe; it never looks at who sent the message or where.
 */
public sealed interface Command {

    /** A request for the current code of {@code label}. */
    record GetCode(RequestedLabel label) implements Command {
        public GetCode {
            Objects.requireNonNull(label, "label");
        }
    }

    /** A request for the labels this person may ask for. */
    record ListLabels() implements Command {}

    /** A request for usage. */
    record Help() implements Command {}

    /** A code request whose label breaks the label rule; the text is not echoed back to keep replies short and safe. */
    record BadLabel() implements Command {}

    /** Anything else. */
    record Unrecognised() implements Command {}

    /** Whether the text started with a mention of the bot (tells a channel message addressed to the bot). */
    record Parsed(Command command, boolean mentionedBot) {}

    /** The longest message the parser looks at; anything longer is {@link Unrecognised} without a scan. */
    int MAX_COMMAND_CHARS = 300;

    /**
     * Parses {@code content}, stripping a leading mention of {@code botFullName}
     * ({@code @**Name**}, {@code @**Name|42**} or the silent {@code @_**Name**}).
     */
    static Parsed parse(String content, String botFullName) {
        Objects.requireNonNull(content, "content");
        String text = content.strip();
        boolean mentioned = false;
        Matcher m = LEADING_MENTION.matcher(text);
        if (m.lookingAt() && botFullName != null && m.group(1).strip().equalsIgnoreCase(botFullName.strip())) {
            mentioned = true;
            text = text.substring(m.end()).strip();
            if (text.startsWith(":") || text.startsWith(",")) {
                text = text.substring(1).strip();
            }
        }
        return new Parsed(parseBody(text), mentioned);
    }

    /** Parses the body with no mention. */
    private static Command parseBody(String raw) {
        if (raw.length() > MAX_COMMAND_CHARS) {
            return new Unrecognised();
        }
        // ASCII lower-casing only: a Unicode case mapping would turn a KELVIN SIGN into 'k' before the label rule sees it.
        String text = asciiLowerCase(WHITESPACE.matcher(raw.strip()).replaceAll(" "));
        if (text.equals("help") || text.equals("!mfa") || text.equals("!mfa-help") || text.equals("!mfa help")) {
            return new Help();
        }
        if (text.equals("!mfa list") || text.equals("!mfa-list")) {
            return new ListLabels();
        }
        String labelText = null;
        if (text.startsWith("!mfa-")) {
            labelText = text.substring("!mfa-".length()).strip();
        } else if (text.startsWith("!mfa ")) {
            labelText = text.substring("!mfa ".length()).strip();
        } else if (text.startsWith("code ")) {
            labelText = text.substring("code ".length()).strip();
        }
        if (labelText == null) {
            return new Unrecognised();
        }
        return RequestedLabel.parse(labelText).<Command>map(GetCode::new).orElseGet(BadLabel::new);
    }

    private static String asciiLowerCase(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
        }
        return b.toString();
    }

    /** {@code @**Name**}, {@code @**Name|id**}, {@code @_**Name**}; group 1 is the name. */
    Pattern LEADING_MENTION = Pattern.compile("@_?\\*\\*([^*|]+)(?:\\|\\d+)?\\*\\*");
    Pattern WHITESPACE = Pattern.compile("\\s+");
}
