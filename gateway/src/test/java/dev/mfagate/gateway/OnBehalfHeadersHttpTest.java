package dev.mfagate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mfagate.api.OnBehalfOf;
import dev.mfagate.core.audit.AuditEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * The on-behalf headers under attack, over real HTTP against a real gateway with the bot's token.
 *
 * <p>Channel rules bind Zulip stream ids. Any member can create a channel named {@code #ops} (Zulip
 * keeps it apart from {@code ops}) or {@code keys} spelt with a KELVIN SIGN, join it and DM the bot;
 * the bot then reports that channel's own stream id, which no rule names. Channel names are never
 * read: a request that carries them, in the old names header or in the ids header, is refused
 * before any decision. And values the policy layer would refuse (id 0, an email with a control
 * character) are a 400 {@code invalid_on_behalf}, never a 500 with a stack trace in the log.
 */
class OnBehalfHeadersHttpTest {

    /** Stream ids in the Zulip this test imagines: #ops is 12; a member-made "#ops" 13; "keys" in look-alike letters 14. */
    private static final String OPS = "12";
    private static final String HASH_OPS = "13";
    private static final String KELVIN_KEYS = "14";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    private static GatewayFixture gw;
    private static String bot;
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();

    @BeforeAll
    static void start() {
        gw = new GatewayFixture(dir, "OnBehalfHeadersHttpTest");
        gw.seed("acme-aws").seed("keys-vault");
        bot = gw.token("zulip-bot", "*", true);
        gw.grant("ops-team", "channel:" + OPS, "acme-*", null, null);
        gw.grant("keys-team", "channel:15", "keys-*", null, null);
        gw.start(GatewayFixture.GENEROUS_OPTIONS);
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @BeforeEach
    void captureLog() {
        log.start();
        root().addAppender(log);
    }

    @AfterEach
    void releaseLog() {
        root().detachAppender(log);
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    @Test
    void channelIds_memberOfTheGrantedStream_getsTheCode() throws Exception {
        GatewayFixture.Response r = gw.get("/totp/acme/aws", bot, GatewayFixture.onBehalf(42, "ann@example.com", null, OPS));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(gw.hasCodeOf(r, "acme-aws")).isTrue();
        assertThat(gw.auditOf(r.requestId()).getFirst().event().ruleId()).isEqualTo("rule:ops-team");
    }

    @Test
    void channelIds_lookAlikeChannelsOwnIds_403() throws Exception {
        for (String impostor : List.of(HASH_OPS, KELVIN_KEYS)) {
            GatewayFixture.Response acme = gw.get("/totp/acme/aws", bot, GatewayFixture.onBehalf(66, null, null, impostor));
            assertThat(acme.status()).as("stream %s is not stream %s", impostor, OPS).isEqualTo(403);
            assertThat(acme.errorCode()).isEqualTo("forbidden");
            GatewayFixture.Response keys = gw.get("/totp/keys/vault", bot, GatewayFixture.onBehalf(66, null, null, impostor));
            assertThat(keys.status()).isEqualTo(403);
            assertThat(gw.auditOf(keys.requestId()).getFirst().event().reason()).isEqualTo("no_matching_rule");
        }
    }

    @Test
    void headersSentTwice_refused400_neitherValueUsed() throws Exception {
        // The first of each was used before: the bot's token asked as user 42 while a proxy in front
        // could have read 503, and a request carrying two tokens was served with the first.
        GatewayFixture.Response users = gw.get("/totp/acme/aws", bot, OnBehalfOf.USER_ID, "42", OnBehalfOf.USER_ID, "503",
                OnBehalfOf.CHANNEL_IDS, OPS);
        assertThat(users.status()).as(users.body()).isEqualTo(400);
        assertThat(users.errorCode()).isEqualTo("invalid_on_behalf");
        assertThat(users.body()).contains(OnBehalfOf.USER_ID + " was sent more than once").doesNotContain("503");
        GatewayFixture.Response channels = gw.get("/totp/acme/aws", bot, OnBehalfOf.USER_ID, "42",
                OnBehalfOf.CHANNEL_IDS, OPS, OnBehalfOf.CHANNEL_IDS, "15");
        assertThat(channels.status()).as(channels.body()).isEqualTo(400);
        GatewayFixture.Response tokens = gw.get("/totp/acme/aws", bot, "Authorization", "Bearer " + bot);
        assertThat(tokens.status()).as(tokens.body()).isEqualTo(400);
        assertThat(tokens.errorCode()).isEqualTo("bad_request");
        assertThat(tokens.body()).contains("Authorization was sent more than once").doesNotContain(bot);
        assertThat(gw.auditOf(tokens.requestId())).as("refused, and audited").isNotEmpty();
        GatewayFixture.Response once = gw.get("/totp/acme/aws", bot, GatewayFixture.onBehalf(42, "ann@example.com", null, OPS));
        assertThat(once.status()).isEqualTo(200);
    }

    static Stream<Arguments> channelNames() {
        return Stream.of(
                //            header                               value            what it imitates
                Arguments.of(OnBehalfOf.LEGACY_CHANNEL_NAMES,      "%23ops",        "#ops, a channel apart from ops"),
                Arguments.of(OnBehalfOf.LEGACY_CHANNEL_NAMES,      "%E2%84%AAeys",  "KELVIN SIGN + eys, apart from keys"),
                Arguments.of(OnBehalfOf.LEGACY_CHANNEL_NAMES,      "ops",           "the real name"),
                Arguments.of(OnBehalfOf.CHANNEL_IDS,               "%23ops",        "#ops in the ids header"),
                Arguments.of(OnBehalfOf.CHANNEL_IDS,               "ops",           "a name in the ids header"),
                Arguments.of(OnBehalfOf.CHANNEL_IDS,               "%E2%84%AAeys",  "a look-alike name in the ids header"),
                Arguments.of(OnBehalfOf.CHANNEL_IDS,               "+12",           "a signed id"));
    }

    @ParameterizedTest(name = "{0}: {2}")
    @MethodSource("channelNames")
    void channelNames_anyHeaderAnyForm_refused400BeforeAnyDecisionAndAudited(String header, String value, String what) throws Exception {
        GatewayFixture.Response r = gw.get("/totp/acme/aws", bot, OnBehalfOf.USER_ID, "42", header, value);
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.errorCode()).isEqualTo("invalid_on_behalf");
        assertThat(r.json().has("code")).isFalse();
        AuditEvent e = gw.auditOf(r.requestId()).getFirst().event();
        assertThat(e.outcome().name()).isEqualTo("MALFORMED");
        assertThat(e.reason()).isEqualTo("invalid_on_behalf");
    }

    /** The bytes of {@code text} in UTF-8, as the chars {@link RawHttp} writes one byte each. */
    private static String utf8(String text) {
        return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    static Stream<Arguments> invalidValues() {
        return Stream.of(
                //            header                     value (as sent, byte for byte)          why
                Arguments.of(OnBehalfOf.USER_ID,         "0",                                    "user id 0"),
                Arguments.of(OnBehalfOf.USER_ID,         "000",                                  "user id 0, padded"),
                Arguments.of(OnBehalfOf.GROUPS,          "0",                                    "group id 0"),
                Arguments.of(OnBehalfOf.GROUPS,          "7,0",                                  "group id 0 in a list"),
                Arguments.of(OnBehalfOf.CHANNEL_IDS,     "0",                                    "stream id 0"),
                Arguments.of(OnBehalfOf.EMAIL,           "ann\u0085@example.com",                "an email holding byte 0x85 (U+0085 in Latin-1)"),
                Arguments.of(OnBehalfOf.EMAIL,           utf8("ann\u0085@example.com"),          "an email holding U+0085 in UTF-8"),
                Arguments.of(OnBehalfOf.EMAIL,           utf8("ann\u00e9@example.com"),          "an email holding a non-ASCII letter"),
                Arguments.of(OnBehalfOf.CHANNEL_IDS,     utf8("\u0661\u0662"),                   "12 in Arabic-Indic digits"),
                Arguments.of(OnBehalfOf.GROUPS,          "7,,8",                                 "an empty item"),
                Arguments.of(OnBehalfOf.USER_ID,         "1234567890123456789",                  "a user id over 18 digits"));
    }

    @ParameterizedTest(name = "{2}")
    @MethodSource("invalidValues")
    void onBehalfValue_policyWouldRefuse_400InvalidOnBehalfNo500NoStackTrace(String header, String value, String why) throws Exception {
        // Raw bytes over a socket: Java's HTTP client would turn non-ASCII into '?' before sending.
        List<String> headers = new ArrayList<>(List.of("Authorization: Bearer " + bot));
        if (!header.equals(OnBehalfOf.USER_ID)) {
            headers.add(OnBehalfOf.USER_ID + ": 42");
        }
        headers.add(header + ": " + value);

        RawHttp.Response r = RawHttp.get(gw.port(), "/code?label=acme-aws", headers.toArray(String[]::new));

        assertThat(r.status()).as(r.body()).isEqualTo(400);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.at("/error/code").asText()).isEqualTo("invalid_on_behalf");
        assertThat(body.at("/error/message").asText()).contains(header);
        String requestId = body.at("/error/request_id").asText();
        assertThat(gw.auditOf(requestId)).singleElement().satisfies(e -> {
            assertThat(e.event().outcome().name()).isEqualTo("MALFORMED");
            assertThat(e.event().reason()).isEqualTo("invalid_on_behalf");
        });
        assertThat(log.list).as("nothing logged as an error, no stack trace")
                .noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.ERROR) || e.getThrowableProxy() != null);
    }
}
