package dev.mfagate.core.store;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.statement.ColonPrefixSqlParser;
import org.jdbi.v3.core.statement.ParsedSql;
import org.jdbi.v3.core.statement.SqlParser;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Jdbi's SQL parser, with a shortcut for the statements this project writes most: plain text whose
 * only parameters are positional ({@code ?}).
 *
 * <p>Jdbi's own parser ({@link ColonPrefixSqlParser}) lexes every new statement with an ANTLR lexer
 * before its first use. At start that lexer runs interpreted, and in {@code serve} the optimising
 * compiler then spent 100-160 ms compiling the lexer's {@code closure} while the start was still
 * going; without it a CLI command took 25-37 ms less and a serve start about 0.14 s less
 * (docs/benchmarks.md, "Jdbi's SQL lexer kept out of them").
 * No parser of Jdbi's skips the lexer, so this one answers a statement it can read at a glance
 * itself: one without quotes, comments, escapes, colons or {@code ??}, where every token of
 * Jdbi's grammar is a single character or a {@code ?}, so its answer is the same as Jdbi's
 * (with assertions on, as in every test run, each such statement is parsed by Jdbi's parser too
 * and the answers compared; {@code PositionalSqlParserTest} holds the edge cases). Anything else
 * (named parameters, string literals, casts) goes to Jdbi's parser, as before. Thread-safe.
 */
final class PositionalSqlParser implements SqlParser {

    /** As many statements as Jdbi's own parser keeps; beyond it a plain statement is read again at each use. */
    private static final int MAX_KEPT = 1_000;

    private final SqlParser full = new ColonPrefixSqlParser();
    /**
     * Plain statements already read, by text, as Jdbi's parser keeps its own: a statement runs many
     * times (several per code request), and its text is one of the code's constants.
     */
    private final Map<String, ParsedSql> kept = new ConcurrentHashMap<>();

    @Override
    public ParsedSql parse(String sql, StatementContext ctx) {
        ParsedSql known = kept.get(sql);
        if (known != null) {
            return known;
        }
        if (!plain(sql)) {
            return full.parse(sql, ctx);
        }
        // Built as Jdbi's parser builds it (so that no parameters reads as Jdbi's "no parameters").
        ParsedSql.Builder parsed = ParsedSql.builder();
        int from = 0;
        for (int at = sql.indexOf('?'); at >= 0; at = sql.indexOf('?', from)) {
            parsed.append(sql.substring(from, at)).appendPositionalParameter();
            from = at + 1;
        }
        ParsedSql result = parsed.append(sql.substring(from)).build();
        // With assertions on (every test run), each statement that took the shortcut is parsed by
        // Jdbi's parser too, and the two answers must be equal.
        assert result.equals(full.parse(sql, ctx)) : "the shortcut and Jdbi's parser disagree on a statement";
        if (kept.size() < MAX_KEPT) {
            kept.putIfAbsent(sql, result);
        }
        return result;
    }

    @Override
    public String nameParameter(String rawName, StatementContext ctx) {
        return full.nameParameter(rawName, ctx);
    }

    /**
     * Whether {@code sql} holds nothing Jdbi's lexer reads as more than one character (quoted text,
     * a comment, an escape, a named parameter, {@code ::} or {@code ??}), nor anything another
     * dialect's lexer might ({@code --}, {@code #}, {@code $}, brackets): such text always goes to Jdbi.
     */
    static boolean plain(String sql) {
        char previous = 0;
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            switch (c) {
                case '\'', '"', '`', '\\', ':', '#', '$', '[', ']', '{', '}' -> {
                    return false;
                }
                case '*' -> {
                    if (previous == '/') {
                        return false;
                    }
                }
                case '-', '?' -> {
                    if (previous == c) {
                        return false;
                    }
                }
                default -> {
                }
            }
            previous = c;
        }
        return true;
    }
}
