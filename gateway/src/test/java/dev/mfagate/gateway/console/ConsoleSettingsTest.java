package dev.mfagate.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConsoleSettingsTest {

    private static ConsoleSettings withClaim(String claim) {
        return new ConsoleSettings(URI.create("https://idp.example"), "client", "secret", URI.create("https://mfa.example"),
                Duration.ofMinutes(15), Duration.ofHours(8), true, false, claim);
    }

    @Test
    void groupsClaim_notNamed_isGroups() {
        ConsoleSettings s = new ConsoleSettings(URI.create("https://idp.example"), "client", "secret",
                URI.create("https://mfa.example"), Duration.ofMinutes(15), Duration.ofHours(8), true);
        assertThat(s.groupsClaim()).isEqualTo("groups");
        assertThat(s.toString()).contains("groupsClaim=groups").doesNotContain("secret,");
    }

    @ParameterizedTest
    @ValueSource(strings = {"groups", "mfa_groups", "https://example.com/claims/groups", "realm_access.roles"})
    void groupsClaim_claimName_accepted(String claim) {
        assertThat(withClaim(claim).groupsClaim()).isEqualTo(claim);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "has space", "grüppen", "a\nb"})
    void groupsClaim_notAClaimName_refusedNamingTheFlag(String claim) {
        assertThatThrownBy(() -> withClaim(claim)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Invalid --oidc-groups-claim: must be a claim name of 1 to 128 of");
    }

    private static ConsoleSettings withIssuer(String issuer) {
        return new ConsoleSettings(URI.create(issuer), "client", "secret", URI.create("https://mfa.example"),
                Duration.ofMinutes(15), Duration.ofHours(8), true);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://idp.example/realms/x", "http://10.0.0.5:8080/default", "http://127.example.com/x", "ftp://idp.example"})
    void issuer_plainHttpOffLoopback_refused(String issuer) {
        assertThatThrownBy(() -> withIssuer(issuer)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid --oidc-issuer: must be an https URL (http only for a provider on loopback)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://idp.example/realms/x", "http://127.0.0.1:18501/default", "http://localhost:8080/x", "http://[::1]:9/x"})
    void issuer_httpsOrLoopback_accepted(String issuer) {
        assertThat(withIssuer(issuer).issuer()).isEqualTo(URI.create(issuer));
    }
}
