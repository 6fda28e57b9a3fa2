package dev.mfagate.zulip.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code narrow} of an event queue: which message events it receives. Supports the operators a bot
 * uses ({@code is:dm}/{@code is:private}, {@code channel}/{@code stream}, {@code topic}/{@code subject},
 * {@code sender}, {@code dm}/{@code pm-with}), in Zulip's array form or dict form, with {@code negated};
 * other operators are refused at registration with Zulip's {@code BAD_NARROW} error.
 */
final class Narrow {
    record Term(String operator, JsonNode operand, boolean negated) {}

    private static final Set<String> OPERATORS = Set.of("is", "channel", "stream", "topic", "subject", "sender", "dm", "pm-with");

    static final Narrow NONE = new Narrow(List.of());

    final List<Term> terms;

    private Narrow(List<Term> terms) {
        this.terms = terms;
    }

    static Narrow parse(JsonNode node) {
        if (node == null || node.isNull()) {
            return NONE;
        }
        if (!node.isArray()) {
            throw ZulipError.badRequest("narrow is not a list");
        }
        List<Term> terms = new ArrayList<>();
        for (JsonNode element : node) {
            Term term;
            if (element.isArray() && element.size() == 2) {
                term = new Term(element.get(0).asText(), element.get(1), false);
            } else if (element.isObject() && element.has("operator") && element.has("operand")) {
                term = new Term(element.get("operator").asText(), element.get("operand"), element.path("negated").asBoolean(false));
            } else {
                throw ZulipError.badRequest("Invalid narrow[" + terms.size() + "]");
            }
            String op = term.operator().toLowerCase(Locale.ROOT);
            if (!OPERATORS.contains(op)) {
                throw new ZulipError(400, "BAD_NARROW", "Invalid narrow operator: unknown operator");
            }
            if (op.equals("is") && !Set.of("dm", "private").contains(term.operand().asText())) {
                throw new ZulipError(400, "BAD_NARROW", "Invalid narrow operator: unknown 'is' operand");
            }
            terms.add(new Term(op, term.operand(), term.negated()));
        }
        return new Narrow(List.copyOf(terms));
    }

    /** Refuses, as Zulip does, a narrow naming a user or channel that does not exist. Caller holds the realm's lock. */
    void requireKnownOperands(Directory directory) {
        for (Term t : terms) {
            switch (t.operator()) {
                case "channel", "stream" -> {
                    boolean known = t.operand().isInt() ? directory.channel(t.operand().asInt()) != null
                            : directory.channelByName(t.operand().asText()) != null;
                    if (!known) {
                        throw new ZulipError(400, "BAD_NARROW", "Invalid narrow operator: unknown channel");
                    }
                }
                case "sender", "dm", "pm-with" -> {
                    List<JsonNode> operands = new ArrayList<>();
                    if (t.operand().isArray()) {
                        t.operand().forEach(operands::add);
                    } else if (t.operand().isTextual() && !t.operator().equals("sender")) {
                        for (String email : t.operand().asText().split(",")) {
                            operands.add(com.fasterxml.jackson.databind.node.TextNode.valueOf(email.trim()));
                        }
                    } else {
                        operands.add(t.operand());
                    }
                    for (JsonNode user : operands) {
                        boolean known = user.isInt() ? directory.user(user.asInt()) != null : directory.userByEmail(user.asText()) != null;
                        if (!known) {
                            throw new ZulipError(400, "BAD_NARROW", "Invalid narrow operator: unknown user");
                        }
                    }
                }
                default -> { }
            }
        }
    }

    /** Never throws: an operand that names nobody (e.g. a user who no longer exists) simply matches nothing. */
    boolean matches(MessageStore.Message m, Directory directory, int viewerId) {
        for (Term t : terms) {
            if (matches(t, m, directory, viewerId) == t.negated()) {
                return false;
            }
        }
        return true;
    }

    private static boolean matches(Term t, MessageStore.Message m, Directory directory, int viewerId) {
        String text = t.operand().asText();
        return switch (t.operator()) {
            case "is" -> m.isDm();
            case "channel", "stream" -> !m.isDm() && (t.operand().isInt()
                    ? m.channelId == t.operand().asInt()
                    : directory.channel(m.channelId).name.equalsIgnoreCase(text));
            case "topic", "subject" -> !m.isDm() && m.topic.equalsIgnoreCase(text);
            case "sender" -> t.operand().isInt()
                    ? m.senderId == t.operand().asInt()
                    : directory.user(m.senderId).email.equalsIgnoreCase(text);
            case "dm", "pm-with" -> m.isDm() && m.participants().equals(dmParticipants(t.operand(), directory, viewerId));
            default -> throw new AssertionError("operator validated at parse: " + t.operator());
        };
    }

    private static Set<Integer> dmParticipants(JsonNode operand, Directory directory, int viewerId) {
        java.util.TreeSet<Integer> ids = new java.util.TreeSet<>();
        ids.add(viewerId);
        if (operand.isArray()) {
            operand.forEach(n -> ids.add(n.isInt() ? n.asInt() : idOrNobody(directory, n.asText())));
        } else if (operand.isInt()) {
            ids.add(operand.asInt());
        } else {
            for (String email : operand.asText().split(",")) {
                ids.add(idOrNobody(directory, email.trim()));
            }
        }
        return ids;
    }

    private static int idOrNobody(Directory directory, String email) {
        Directory.User user = directory.userByEmail(email);
        return user == null ? -1 : user.id;
    }
}
