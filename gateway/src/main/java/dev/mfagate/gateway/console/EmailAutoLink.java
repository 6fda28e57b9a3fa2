package dev.mfagate.gateway.console;

import dev.mfagate.core.tenant.Identity;
import dev.mfagate.core.tenant.PersonId;
import dev.mfagate.core.tenant.TenantRepository;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Automatic linking by verified email ({@code serve --auto-link-email}): an SSO identity linked to
 * nobody, signing in with an email its provider marks verified, is linked to the person whose
 * {@code email:} identity that address is. An email identity belongs to at most one person (the
 * store keeps identities unique), so the match is never ambiguous; with no match, no verified
 * email, or an SSO identity that became someone else's meanwhile, nothing is linked and the
 * sign-in is refused as without the option. The caller audits the link as an {@code ADMIN} act.
 *
 * <p>Stateless and thread-safe.
 */
final class EmailAutoLink {

    private EmailAutoLink() {
    }

    /**
     * Links {@code sso} to the person {@code verifiedEmail} names, if any.
     *
     * @return the person now linked, or empty when nothing was linked
     */
    static Optional<PersonId> link(TenantRepository tenants, Identity.Oidc sso, Optional<Identity.Email> verifiedEmail,
                                   Instant now) {
        Objects.requireNonNull(sso, "sso");
        if (verifiedEmail.isEmpty()) {
            return Optional.empty();
        }
        Optional<PersonId> person = tenants.personOf(verifiedEmail.get());
        if (person.isEmpty()) {
            return Optional.empty();
        }
        try {
            tenants.link(person.get(), sso, now);
        } catch (IllegalArgumentException e) {
            // Linked to another person, or the person removed, since the look-up: link nothing.
            return Optional.empty();
        }
        return person;
    }
}
