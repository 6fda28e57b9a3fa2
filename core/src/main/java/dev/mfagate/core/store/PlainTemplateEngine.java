package dev.mfagate.core.store;

import java.util.Optional;
import java.util.function.Function;
import org.jdbi.v3.core.config.ConfigRegistry;
import org.jdbi.v3.core.statement.DefinedAttributeTemplateEngine;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.TemplateEngine;

/**
 * Jdbi's template engine ({@link DefinedAttributeTemplateEngine}: {@code <name>} attributes, which
 * {@code bindList} uses), with a shortcut for a statement that holds no {@code <} and no {@code \}:
 * such text holds no attribute and no escape, so the engine would give it back unchanged. Jdbi's
 * engine lexes every new statement with an ANTLR lexer, as its parser does; for why that is
 * avoided at start, see {@link PositionalSqlParser}. Thread-safe.
 */
final class PlainTemplateEngine implements TemplateEngine.Parsing {

    private final TemplateEngine.Parsing full = new DefinedAttributeTemplateEngine();

    @Override
    public Optional<Function<StatementContext, String>> parse(String template, ConfigRegistry config) {
        if (template.indexOf('<') >= 0 || template.indexOf('\\') >= 0) {
            return full.parse(template, config);
        }
        // With assertions on (every test run), Jdbi's engine must give the same text back.
        assert full.parse(template, config).map(render -> render.apply(null)).orElse(template).equals(template)
                : "the shortcut and Jdbi's template engine disagree on a statement";
        return Optional.of(ctx -> template);
    }
}
