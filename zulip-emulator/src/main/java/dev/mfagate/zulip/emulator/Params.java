package dev.mfagate.zulip.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A request's parameters the way Zulip reads them: query string and form-encoded body together, each
 * endpoint declaring the names it knows so that the rest can be reported in {@code ignored_parameters_unsupported}.
 * Non-string values are JSON-encoded, as Zulip's clients send them ({@code true}, {@code 5}, {@code ["message"]}).
 */
final class Params {
    private final Map<String, String> values;
    private final Set<String> known;

    private Params(Map<String, String> values, Set<String> known) {
        this.values = values;
        this.known = known;
    }

    static Params of(Context ctx, Set<String> known) {
        Map<String, String> values = new LinkedHashMap<>();
        parseInto(ctx.queryString(), values);
        String contentType = ctx.contentType();
        if (contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            parseInto(ctx.body(), values);
        }
        return new Params(values, known);
    }

    private static void parseInto(String encoded, Map<String, String> into) {
        if (encoded == null || encoded.isEmpty()) {
            return;
        }
        for (String pair : encoded.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            into.put(name, value);
        }
    }

    /** Names sent that the endpoint does not know, sorted, for {@code ignored_parameters_unsupported}. */
    List<String> ignored() {
        List<String> ignored = new ArrayList<>(new TreeSet<>(values.keySet()));
        ignored.removeAll(known);
        return ignored;
    }

    String string(String name) {
        return values.get(name);
    }

    String requiredString(String name) {
        String value = values.get(name);
        if (value == null) {
            throw ZulipError.missingArgument(name);
        }
        return value;
    }

    JsonNode json(String name) {
        String value = values.get(name);
        if (value == null) {
            return null;
        }
        JsonNode node = Json.parseOrNull(value);
        if (node == null) {
            throw ZulipError.badRequest("Argument \"" + name + "\" is not valid JSON.");
        }
        return node;
    }

    boolean bool(String name, boolean fallback) {
        String value = values.get(name);
        if (value == null) {
            return fallback;
        }
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw ZulipError.badRequest(name + " is not a boolean");
        };
    }

    Integer integer(String name) {
        String value = values.get(name);
        if (value == null) {
            return null;
        }
        if (!value.matches("-?[0-9]{1,10}")) {
            throw ZulipError.badRequest(name + " is not an integer");
        }
        try {
            return Integer.valueOf(value);
        } catch (NumberFormatException e) {
            throw ZulipError.badRequest(name + " is too large");
        }
    }

    List<String> stringList(String name) {
        JsonNode node = json(name);
        if (node == null) {
            return null;
        }
        if (!node.isArray()) {
            throw ZulipError.badRequest(name + " is not a list");
        }
        List<String> list = new ArrayList<>();
        for (JsonNode element : node) {
            if (!element.isTextual()) {
                throw ZulipError.badRequest(name + "[" + list.size() + "] is not a string");
            }
            list.add(element.asText());
        }
        return list;
    }

    static int pathInt(Context ctx, String name) {
        String value = ctx.pathParam(name);
        if (!value.matches("[0-9]{1,9}")) {
            throw ZulipError.badRequest("Invalid " + name);
        }
        return Integer.parseInt(value);
    }
}
