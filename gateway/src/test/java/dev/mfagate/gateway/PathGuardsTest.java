package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.config.RouterConfig;
import io.javalin.router.matcher.PathParser;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link PathGuards}: its cheap check on the path's start never skips a guard Javalin's own
 * matching of the template would run, so every route stays behind its guard.
 */
class PathGuardsTest {

    private static final List<String> TEMPLATES = List.of("/totp/{client}/{service}", "/code", "/labels",
            AdminRoutes.TENANTS, AdminRoutes.TENANT, AdminRoutes.MEMBER, AdminRoutes.SEED_DISABLE, AdminRoutes.ACCESS,
            AdminRoutes.AUDIT_EXPORT, AdminRoutes.CHAIN, "/console", "/console/*", "/a/<rest>");

    private static final List<String> PATHS = List.of("/", "", "/totp", "/totp/", "/totp/acme/aws", "/totp/acme/aws/",
            "/TOTP/acme/aws", "//totp/acme/aws", "/totp//aws", "/totp/acme/aws/x", "/code", "/code/", "/codes", "/Code",
            "/labels", "/labels/", "/api/v1/tenants", "/api/v1/tenants/", "/api/v1/tenants/acme", "/api/v1/tenants/acme/",
            "/API/v1/tenants/acme", "/api/v1//tenants/acme", "/api/v1/tenants/acme/members/admin/a@b.c",
            "/api/v1/tenants/acme/seeds/acme-aws/disable", "/api/v1/tenants/acme/labels/acme-aws/access",
            "/api/v1/tenants/acme/audit/export", "/api/v1/audit/chain", "/api/v1/audit/chain/", "/console", "/console/",
            "/console/codes", "/console/assets/app.css", "/consoles", "/a", "/a/", "/a/b/c", "/ab");

    static Stream<Arguments> routers() {
        return Stream.of(router(false, false), router(true, false), router(false, true), ignoringNoTrailingSlash())
                .map(Arguments::of);
    }

    @ParameterizedTest
    @MethodSource("routers")
    void runsFor_anyTemplateAndPath_sameAsJavalinsMatching(RouterConfig router) {
        PathGuards guards = new PathGuards(router);
        for (String template : TEMPLATES) {
            PathParser javalin = new PathParser(template, router);
            for (String path : PATHS) {
                assertThat(guards.runsFor(template, path))
                        .as("guard for %s on %s", template, path)
                        .isEqualTo(javalin.matches(path));
            }
        }
    }

    @Test
    void runsFor_totpRequest_noAdminOrConsoleGuard() {
        PathGuards guards = new PathGuards(new RouterConfig());
        assertThat(TEMPLATES.stream().filter(t -> guards.runsFor(t, "/totp/acme/aws")))
                .containsExactly("/totp/{client}/{service}");
        assertThat(guards.head(AdminRoutes.MEMBER)).isEqualTo("/api/v1/tenants");
        assertThat(guards.head("/console/*")).isEqualTo("/console");
    }

    private static RouterConfig router(boolean caseInsensitive, boolean multipleSlashes) {
        RouterConfig r = new RouterConfig();
        r.caseInsensitiveRoutes = caseInsensitive;
        r.treatMultipleSlashesAsSingleSlash = multipleSlashes;
        return r;
    }

    private static RouterConfig ignoringNoTrailingSlash() {
        RouterConfig r = new RouterConfig();
        r.ignoreTrailingSlashes = false;
        return r;
    }
}
