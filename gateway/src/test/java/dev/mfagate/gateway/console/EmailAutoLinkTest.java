package dev.mfagate.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import dev.mfagate.core.store.Store;
import dev.mfagate.core.tenant.Identity;
import dev.mfagate.core.tenant.PersonId;
import dev.mfagate.core.tenant.TenantRepository;
import dev.mfagate.gateway.TestStores;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The decision of {@code --auto-link-email} on a real store (SQLite and PostgreSQL): link only an
 * SSO identity whose provider-verified email is a person's {@code email:} identity; and which ID
 * tokens carry a verified email at all.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(TestStores.Backend.class)
class EmailAutoLinkTest {

    @RegisterExtension
    static final TestStores STORES = new TestStores();

    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final PersonId ANN = new PersonId("ann");
    private static final Identity.Oidc ANN_SSO = new Identity.Oidc("https://sso.example.com", "ann-sub");
    private static final Identity.Email ANN_EMAIL = new Identity.Email("ann@example.com");

    @Parameter(0)
    TestStores.Backend backend;

    @TempDir
    Path dir;
    private Store store;
    private TenantRepository tenants;

    @BeforeEach
    void open() {
        store = STORES.fresh(backend, dir).init();
        tenants = new TenantRepository(store.database());
        tenants.addPerson(ANN, "Ann", NOW);
        tenants.link(ANN, ANN_EMAIL, NOW);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void verifiedEmailOfAPerson_linksTheSsoIdentityToThem() {
        Optional<PersonId> linked = EmailAutoLink.link(tenants, ANN_SSO, Optional.of(new Identity.Email("Ann@Example.com")), NOW);

        assertThat(linked).contains(ANN);
        assertThat(tenants.personOf(ANN_SSO)).contains(ANN);
    }

    @Test
    void noVerifiedEmail_orAnEmailNobodyHas_linksNothing() {
        assertThat(EmailAutoLink.link(tenants, ANN_SSO, Optional.empty(), NOW)).isEmpty();
        assertThat(EmailAutoLink.link(tenants, ANN_SSO, Optional.of(new Identity.Email("bob@example.com")), NOW)).isEmpty();

        assertThat(tenants.personOf(ANN_SSO)).isEmpty();
    }

    @Test
    void ssoIdentityAnotherPersonHolds_linksNothing() {
        PersonId bob = new PersonId("bob");
        tenants.addPerson(bob, "Bob", NOW);
        tenants.link(bob, ANN_SSO, NOW);

        assertThat(EmailAutoLink.link(tenants, ANN_SSO, Optional.of(ANN_EMAIL), NOW)).isEmpty();
        assertThat(tenants.personOf(ANN_SSO)).contains(bob);
    }

    @Test
    void verifiedEmail_onlyWhenTheProviderSaysVerifiedAndTheAddressIsValid() throws Exception {
        assertThat(OidcSignIn.verifiedEmail(claims("ann@example.com", true))).contains(ANN_EMAIL);
        assertThat(OidcSignIn.verifiedEmail(claims("ann@example.com", false))).isEmpty();
        assertThat(OidcSignIn.verifiedEmail(claims("ann@example.com", null))).isEmpty();
        assertThat(OidcSignIn.verifiedEmail(claims("ann@example.com", "true"))).as("a string is not true").isEmpty();
        assertThat(OidcSignIn.verifiedEmail(claims(null, true))).isEmpty();
        assertThat(OidcSignIn.verifiedEmail(claims("not an address", true))).isEmpty();
    }

    private static IDTokenClaimsSet claims(String email, Object verified) throws Exception {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder().issuer("https://sso.example.com").subject("ann-sub")
                .audience(List.of("mfagate")).expirationTime(Date.from(NOW.plusSeconds(300))).issueTime(Date.from(NOW));
        if (email != null) {
            b.claim("email", email);
        }
        if (verified != null) {
            b.claim("email_verified", verified);
        }
        return new IDTokenClaimsSet(b.build());
    }
}
