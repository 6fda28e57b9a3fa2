package dev.mfagate.core.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mfagate.core.Label;
import dev.mfagate.core.LabelPattern;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TenantIdTest {

    static Stream<Arguments> patterns() {
        return Stream.of(
                //           pattern           confined to
                Arguments.of("acme-*",          "acme"),
                Arguments.of("acme-aws",        "acme"),
                Arguments.of("acme-aws-*",      "acme"),
                Arguments.of("acme-*-prod",     "acme"),
                Arguments.of("gamma.x-vpn",     "gamma.x"),
                Arguments.of("a-*",             "a"),
                Arguments.of("*",               null),
                Arguments.of("a*",              null),
                Arguments.of("acme*",           null),
                Arguments.of("acme*-aws",       null),
                Arguments.of("*-aws",           null),
                Arguments.of("*cme-aws",        null),
                Arguments.of("acme",            null),
                Arguments.of("-acme",           null),
                Arguments.of("_x-*",            null),
                Arguments.of("x".repeat(65) + "-a", null));
    }

    @ParameterizedTest
    @MethodSource("patterns")
    void confining_pattern_namesTheOneTenantOrNone(String pattern, String tenant) {
        assertThat(TenantId.confining(LabelPattern.parse(pattern))).isEqualTo(Optional.ofNullable(tenant).map(TenantId::new));
    }

    @ParameterizedTest
    @MethodSource("patterns")
    void requireCovers_tenantOwner_acceptsOnlyItsOwnPatterns(String pattern, String tenant) {
        TenantId acme = new TenantId("acme");
        if ("acme".equals(tenant)) {
            acme.requireCovers(LabelPattern.parse(pattern));
        } else {
            assertThatThrownBy(() -> acme.requireCovers(LabelPattern.parse(pattern)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("Tenant acme's objects may name only its own labels");
        }
        Scope.ORGANISATION.requireCovers(LabelPattern.parse(pattern));
    }

    @ParameterizedTest
    @MethodSource("patterns")
    void confining_matchedLabels_allBelongToThatTenant(String pattern, String tenant) {
        LabelPattern p = LabelPattern.parse(pattern);
        for (String l : new String[] {"acme-aws", "acme-aws-prod", "acme2-aws", "a-x", "ab-aws", "gamma.x-vpn", "beta-aws"}) {
            Label label = Label.parse(l);
            if (tenant != null && p.matches(label)) {
                assertThat(TenantId.of(label).value()).isEqualTo(tenant);
            }
        }
    }

    @org.junit.jupiter.api.Test
    void new_dashOrEmptyOrLong_refusedNamingTheRule() {
        for (String bad : new String[] {"", "a-b", "-a", ".a", "a*", "x".repeat(65)}) {
            assertThatThrownBy(() -> new TenantId(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("must be a label's client part");
        }
        assertThat(new TenantId("ACME").value()).isEqualTo("acme");
    }

    @org.junit.jupiter.api.Test
    void new_kelvinSignOrOtherNonAscii_refusedNotFolded() {
        // "\u212A".toLowerCase(Locale.ROOT) is "k": folded first, a look-alike would name tenant "keys".
        for (String bad : new String[] {"\u212Aeys", "acm\u0130", "\uFF41cme"}) {
            assertThatThrownBy(() -> new TenantId(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("must be a label's client part");
            assertThatThrownBy(() -> new PersonId(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("must match");
            assertThatThrownBy(() -> dev.mfagate.core.store.TokenInfo.normaliseName(bad))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be letters (kept in lower case), digits");
        }
        assertThat(new PersonId("Ana.P").value()).isEqualTo("ana.p");
        assertThat(dev.mfagate.core.store.TokenInfo.normaliseName("CI-Deploy")).isEqualTo("ci-deploy");
    }

    @org.junit.jupiter.api.Test
    void parseNew_secretShapedId_refusedWithoutQuotingIt_existingOnesStillParse() {
        // Lower-cased, a base32 seed is still the seed (base32 ignores case); it was added and echoed.
        String seed = "JBSWY3DPEHPK3PXPJBSW";
        assertThatThrownBy(() -> TenantId.parseNew(seed)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Invalid tenant (20 characters, not shown): 16 or more letters and digits alone")
                .hasMessageNotContaining(seed.toLowerCase(java.util.Locale.ROOT));
        assertThatThrownBy(() -> PersonId.parseNew(seed)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Invalid person id (20 characters, not shown): 16 or more letters and digits alone");
        assertThat(TenantId.parseNew("acme_corporation.eu").value()).isEqualTo("acme_corporation.eu");
        assertThat(PersonId.parseNew("ann.lee-contractor").value()).isEqualTo("ann.lee-contractor");
        assertThat(TenantId.parse(seed).value()).as("a tenant made before is still named").isEqualTo(seed.toLowerCase(java.util.Locale.ROOT));
        assertThatThrownBy(() -> TenantId.parse("JBSWY3DPEHPK3PXP,")).hasMessageContaining("(17 characters, not shown)");
    }
}
