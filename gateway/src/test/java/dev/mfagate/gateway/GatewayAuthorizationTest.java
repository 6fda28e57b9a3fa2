package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.core.audit.AuditEntry;
import dev.mfagate.core.audit.AuditEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The authorisation rule of {@code dev.mfagate.core.policy.Policy}, over the real HTTP server:
 * every kind of principal × label × route × token scope × live or expired grant, with the outcome
 * worked out in this class from the rule as documented, not by the production evaluator.
 *
 * <p>The rule, restated: a request naming an on-behalf user needs a delegating token
 * ({@code on_behalf_not_permitted}); a label outside the token's scope is refused
 * ({@code forbidden}, reason {@code outside_token_scope}); a plain token asking for itself has its
 * scope as its grant, except for labels its own {@code token:} rule covers, which that rule decides
 * (expiry and cap included); a delegating token asking for itself needs a live {@code token:} rule; an
 * on-behalf request needs a live rule for the user, one of its groups or one of its channels, and
 * {@code token:} rules never apply to it. Expired rules never match ({@code grant_expired} when
 * only they would have). Allowed but unknown labels are {@code unknown_label} (404); refused ones
 * are 403 whether or not they exist, so existence does not leak.
 */
class GatewayAuthorizationTest {

    /** Labels with seeds (store and environment); the rules all grant {@code acme-*}. */
    private static final List<String> KNOWN_LABELS = List.of("acme-aws", "acme-env", "acme-git", "beta-vpn");

    /** Who asks. On-behalf kinds carry the user id, email, groups and channels in the on-behalf headers. */
    enum Who {
        TOKEN_ITSELF(0, null, null),
        USER(42, null, null),
        GROUP_MEMBER(43, "7,8", null),
        CHANNEL_MEMBER(44, null, "12,13"), // stream ids: 12 is #acme, 13 #random
        USER_WITHOUT_RULE(99, "8", "13");

        final long userId;
        final String groups;
        final String channels;

        Who(long userId, String groups, String channels) {
            this.userId = userId;
            this.groups = groups;
            this.channels = channels;
        }

        /** The on-behalf user for grants that have expired: a different user, group or channel with an expired rule. */
        long userId(boolean expired) {
            return expired ? userId + 10 : userId;
        }

        String groups(boolean expired) {
            return groups == null || !expired ? groups : groups.replace("7", "17");
        }

        String channels(boolean expired) {
            return channels == null || !expired ? channels : channels.replace("12", "112"); // 112: #acme-archive
        }

        boolean onBehalf() {
            return this != TOKEN_ITSELF;
        }
    }

    /** The token used: may it act on behalf of users, and its label scope. */
    enum TokenKind {
        BOT_ALL(true, "*"),
        BOT_BETA(true, "beta-*"),
        PLAIN_ALL(false, "*"),
        PLAIN_BETA(false, "beta-*");

        final boolean delegating;
        final String scope;

        TokenKind(boolean delegating, String scope) {
            this.delegating = delegating;
            this.scope = scope;
        }

        boolean covers(String label) {
            return scope.equals("*") || label.startsWith(scope.substring(0, scope.length() - 1));
        }

        /** Each kind exists twice: one whose own {@code token:} rule is live, one whose rule expired. */
        String tokenName(boolean expired) {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + (expired ? "-expired" : "");
        }
    }

    enum Route { TOTP, CODE }

    /** What the test expects: status, error code (null for 200), audit outcome, reason and granting rule. */
    record Expected(int status, String errorCode, String outcome, String reason, String ruleId) {
    }

    @TempDir
    static Path dir;
    private static GatewayFixture gw;
    private static final java.util.Map<String, String> TOKENS = new java.util.HashMap<>();

    @BeforeAll
    static void start() {
        gw = new GatewayFixture(dir, "GatewayAuthorizationTest");
        gw.seed("acme-aws").seed("acme-git").seed("beta-vpn").environmentSeed("acme-env");
        for (TokenKind k : TokenKind.values()) {
            for (boolean expired : new boolean[] {false, true}) {
                String name = k.tokenName(expired);
                TOKENS.put(name, gw.token(name, k.scope, k.delegating));
                gw.grant("token-" + name, "token:" + gw.tokenId(name), "acme-*", until(expired), null);
            }
        }
        gw.grant("user-42", "user:42", "acme-*", until(false), null);
        gw.grant("user-52", "user:52", "acme-*", until(true), null);
        gw.grant("group-7", "group:7", "acme-*", until(false), null);
        gw.grant("group-17", "group:17", "acme-*", until(true), null);
        gw.grant("channel-acme", "channel:12", "acme-*", until(false), null);
        gw.grant("channel-acme-archive", "channel:112", "acme-*", until(true), null);
        gw.start(GatewayFixture.GENEROUS_OPTIONS);
    }

    /** A live grant ends in an hour; an expired one ended an hour ago. */
    private static java.time.Instant until(boolean expired) {
        return GatewayFixture.NOW.plus(expired ? Duration.ofHours(-1) : Duration.ofHours(1));
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    /** The rule of the class Javadoc, for one request. */
    static Expected expected(Who who, boolean expired, TokenKind token, String label) {
        if (who.onBehalf() && !token.delegating) {
            return new Expected(403, "on_behalf_not_permitted", "DENIED", "on_behalf_not_permitted", null);
        }
        if (!token.covers(label)) {
            return new Expected(403, "forbidden", "DENIED", "outside_token_scope", null);
        }
        String grantedBy;
        if (!who.onBehalf() && !token.delegating && !label.startsWith("acme-")) {
            // A plain token's scope grants, except where its own token: rule (acme-*) covers the label:
            // there that rule decides, with its expiry.
            grantedBy = "token-scope";
        } else {
            boolean ruleMatches = who != Who.USER_WITHOUT_RULE && label.startsWith("acme-");
            if (!ruleMatches) {
                return new Expected(403, "forbidden", "DENIED", "no_matching_rule", null);
            }
            if (expired) {
                return new Expected(403, "forbidden", "DENIED", "grant_expired", null);
            }
            grantedBy = "rule:" + switch (who) {
                case TOKEN_ITSELF -> "token-" + token.tokenName(false);
                case USER -> "user-42";
                case GROUP_MEMBER -> "group-7";
                case CHANNEL_MEMBER -> "channel-acme";
                case USER_WITHOUT_RULE -> throw new AssertionError("no rule matches " + who);
            };
        }
        return KNOWN_LABELS.contains(label)
                ? new Expected(200, null, "ALLOWED", "code_issued", grantedBy)
                : new Expected(404, "unknown_label", "DENIED", "unknown_label", grantedBy);
    }

    static Stream<Arguments> codeRequests() {
        List<Arguments> out = new ArrayList<>();
        for (Who who : Who.values()) {
            for (boolean expired : new boolean[] {false, true}) {
                if (expired && who == Who.USER_WITHOUT_RULE) {
                    continue;
                }
                for (TokenKind token : TokenKind.values()) {
                    //               label        exists  matches acme-*
                    for (String label : List.of(
                            "acme-aws",   //      yes     yes
                            "beta-vpn",   //      yes     no
                            "acme-nope",  //      no      yes
                            "zeta-nope")) { //    no      no
                        for (Route route : Route.values()) {
                            out.add(Arguments.of(who, expired, token, label, route));
                        }
                    }
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} grantExpired={1} {2} {3} {4}")
    @MethodSource("codeRequests")
    void codeRoute_principalLabelScopeExpiry_statusErrorAndAuditAsTheRuleSays(Who who, boolean expired, TokenKind token,
                                                                            String label, Route route) throws Exception {
        Expected want = expected(who, expired, token, label);
        String path = route == Route.TOTP ? "/totp/" + label.replaceFirst("-", "/") : "/code?label=" + label;
        GatewayFixture.Response r = gw.get(path, TOKENS.get(token.tokenName(expired)), headers(who, expired));

        assertThat(r.status()).as("status (error %s)", r.errorCode()).isEqualTo(want.status());
        if (want.status() == 200) {
            assertThat(gw.hasCodeOf(r, label)).as("the body carries the code of the asked label at the fixed instant").isTrue();
        } else {
            assertThat(r.errorCode()).isEqualTo(want.errorCode());
            assertThat(r.json().at("/error/request_id").asText()).isEqualTo(r.requestId());
            assertThat(r.json().has("code")).as("a refusal carries no code").isFalse();
        }
        List<AuditEntry> entries = gw.auditOf(r.requestId());
        assertThat(entries).as("exactly one audit entry per request").hasSize(1);
        AuditEvent e = entries.get(0).event();
        assertThat(e.outcome().name()).isEqualTo(want.outcome());
        assertThat(e.reason()).isEqualTo(want.reason());
        assertThat(e.ruleId()).isEqualTo(want.ruleId());
        assertThat(e.label()).isEqualTo(label);
        assertThat(e.tokenId()).isEqualTo(gw.tokenId(token.tokenName(expired)));
        assertThat(e.zulipUserId()).isEqualTo(who.onBehalf() ? Long.valueOf(who.userId(expired)) : null);
    }

    static Stream<Arguments> labelRequests() {
        List<Arguments> out = new ArrayList<>();
        for (Who who : Who.values()) {
            for (boolean expired : new boolean[] {false, true}) {
                if (expired && who == Who.USER_WITHOUT_RULE) {
                    continue;
                }
                for (TokenKind token : TokenKind.values()) {
                    out.add(Arguments.of(who, expired, token));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} grantExpired={1} {2}")
    @MethodSource("labelRequests")
    void labels_principalScopeExpiry_listExactlyTheLabelsTheCallerMayGet(Who who, boolean expired, TokenKind token) throws Exception {
        GatewayFixture.Response r = gw.get("/labels", TOKENS.get(token.tokenName(expired)), headers(who, expired));
        if (who.onBehalf() && !token.delegating) {
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.errorCode()).isEqualTo("on_behalf_not_permitted");
            return;
        }
        List<String> mayGet = KNOWN_LABELS.stream().filter(l -> expected(who, expired, token, l).status() == 200).toList();
        assertThat(r.status()).isEqualTo(200);
        assertThat(StreamSupport.stream(r.json().get("labels").spliterator(), false).map(n -> n.asText()).toList())
                .as("/labels lists exactly the labels this caller would get a code for, sorted")
                .isEqualTo(mayGet);
        assertThat(gw.auditOf(r.requestId())).as("exactly one audit entry per request").hasSize(1)
                .first().satisfies(entry -> assertThat(entry.event().reason()).isEqualTo("list_labels"));
    }

    private static String[] headers(Who who, boolean expired) {
        if (!who.onBehalf()) {
            return new String[0];
        }
        return GatewayFixture.onBehalf(who.userId(expired), null, who.groups(expired), who.channels(expired));
    }
}
