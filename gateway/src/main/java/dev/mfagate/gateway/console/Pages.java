package dev.mfagate.gateway.console;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;

/**
 * Renders the console's pages from the templates compiled at build ({@code src/main/jte}, jte's
 * precompiled classes): HTML-escaped by default, so nothing a person or the store supplies can add
 * markup or script. Thread-safe.
 */
final class Pages {

    private final TemplateEngine engine = TemplateEngine.createPrecompiled(ContentType.Html);

    /** The page of {@code model}: a {@link CodesPage}, {@link EnrolPage} or {@link MessagePage}. */
    String render(Object model) {
        String template = switch (model) {
            case CodesPage p -> "codes.jte";
            case MessagePage p -> "message.jte";
            case EnrolPage p -> "enrol.jte";
            case AuditPage p -> "audit.jte";
            case StepUpPage p -> "step-up.jte";
            case PasskeysPage p -> "passkeys.jte";
            case BreakGlassPage p -> "break-glass.jte";
            case ConsolePage p -> p.template();
            default -> throw new IllegalArgumentException("No template for " + model.getClass().getSimpleName());
        };
        StringOutput out = new StringOutput();
        engine.render(template, model, out);
        return out.toString();
    }
}
