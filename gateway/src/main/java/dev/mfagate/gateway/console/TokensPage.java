package dev.mfagate.gateway.console;

import java.util.List;

/**
 * The Tokens page of a tenant admin: the place's tokens with their last use, a form to create one
 * and a revoke button per token. Never holds a token's secret ({@link TokenCreatedPage} does, once).
 *
 * @param frame the frame
 * @param places the places the person may read tokens of
 * @param place the place shown (form value)
 * @param placeText the place shown, in words
 * @param tokens the place's tokens
 * @param roles the roles a new token may hold here (empty text for a code token)
 * @param error why the last change was refused, or null
 * @param notice what the last change did, or null
 */
public record TokensPage(PageFrame frame, List<Place> places, String place, String placeText, List<TokenRow> tokens,
                         List<String> roles, String error, String notice) implements ConsolePage {

    /** Copies. */
    public TokensPage {
        places = List.copyOf(places);
        tokens = List.copyOf(tokens);
        roles = List.copyOf(roles);
    }

    @Override
    public String template() {
        return "tokens.jte";
    }

    /**
     * One token, as text; never its secret.
     *
     * @param id its public id
     * @param name its name
     * @param labels its label pattern
     * @param role its role, or "code token"
     * @param created when it was made (UTC)
     * @param expires when it ends, or empty
     * @param lastUsed when it was last used, or "never"
     * @param revoked when it was revoked, or empty when it works
     */
    public record TokenRow(String id, String name, String labels, String role, String created, String expires,
                           String lastUsed, String revoked) {
    }
}
