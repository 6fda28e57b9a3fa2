package dev.mfagate.api;

import java.util.List;

/**
 * Labels on both sides of the rule, shared by {@link LabelGrammarTest} and {@link OpenApiLabelPatternTest}, so
 * that the grammar and the OpenAPI document are held to the same cases.
 */
final class LabelTable {

    private LabelTable() {
    }

    /** Labels the rule accepts, with their canonical parts. */
    record Good(String text, String client, String service) {}

    static final List<Good> GOOD = List.of(
            //        text                         client      service
            new Good("client-demo",                "client",   "demo"),
            new Good("acme-aws-prod",              "acme",     "aws-prod"),
            new Good("ACME-AWS",                   "acme",     "aws"),
            new Good("a1-b_2.c-d",                 "a1",       "b_2.c-d"),
            new Good("x.y-z",                      "x.y",      "z"),
            new Good("a..b-z",                     "a..b",     "z"),
            new Good("0-0",                        "0",        "0"),
            new Good("c-s.",                       "c",        "s."),
            new Good("c-" + "s".repeat(64),        "c",        "s".repeat(64)),
            new Good("c".repeat(64) + "-s",        "c".repeat(64), "s"));

    /** Texts the rule refuses, with why. */
    record Bad(String text, String why) {}

    static final List<Bad> BAD = List.of(
            //       text                              why
            new Bad("nodash",                          "no dash"),
            new Bad("-svc",                            "empty client"),
            new Bad("client-",                         "empty service"),
            new Bad("cl ient-x",                       "space"),
            new Bad("client-de/mo",                    "slash"),
            new Bad("client-..",                       "service starts with a dot"),
            new Bad("client-a..b",                     "'..' in the service"),
            new Bad("client-a-..",                     "'..' at the end of the service"),
            new Bad("client-\u0000",                   "NUL"),
            new Bad("client-a\n",                      "trailing newline"),
            new Bad("_client-x",                       "client starts with '_'"),
            new Bad(".client-x",                       "client starts with '.'"),
            new Bad("client-" + "s".repeat(65),        "service over 64"),
            new Bad("c".repeat(65) + "-s",             "client over 64"),
            new Bad("x".repeat(200),                   "over 129 and no dash"),
            new Bad("\u212Aeys-aws",                   "KELVIN SIGN, which lower-cases to k"),
            new Bad("acme-\u212Aeys",                  "KELVIN SIGN in the service"),
            new Bad("l\u0131nk-aws",                   "dotless i, which upper-cases to I"),
            new Bad("\u0130nfra-aws",                  "dotted capital I, which lower-cases to i + U+0307"),
            new Bad("\uFF41cme-aws",                   "full-width a"),
            new Bad("acme-\uFF21WS",                   "full-width A"),
            new Bad("acme\u2010aws",                   "Unicode hyphen instead of a dash"),
            new Bad("acme-aw\u017F",                   "long s, which upper-cases to S"),
            new Bad("acme-\u0663",                     "Arabic-Indic digit three"));
}
