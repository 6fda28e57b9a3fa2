package dev.mfagate.bot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.mfagate.api.TotpResponse;
import dev.mfagate.bot.gateway.Refusal;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RepliesTest {

    @Test
    void code_withNextCode_showsLabelCodeSecondsAndNext() {
        TotpResponse r = new TotpResponse("acme", "aws", "012345", 4, "2025-01-01T00:00:26Z", "678901", 30);
        String text = Replies.code(r, "acme-aws", ExpiryAction.EDIT);
        assertThat(text).contains("acme-aws").contains("`012345`").contains("valid for 4 s").contains("`678901`")
                .contains("edited when the code expires");
    }

    @Test
    void code_withoutNextCode_omitsNextLine() {
        TotpResponse r = new TotpResponse("acme", "aws", "012345", 21, "2025-01-01T00:00:09Z", null, null);
        assertThat(Replies.code(r, "acme-aws", ExpiryAction.DELETE)).doesNotContain("Next").contains("deleted");
    }

    @Test
    void expired_holdsNoDigitsOfACode() {
        assertThat(Replies.expired("acme-aws")).contains("expired").doesNotContainPattern("\\d{6}");
    }

    @Test
    void refused_eachReason_hasItsOwnSentence() {
        List<String> texts = Arrays.stream(Refusal.values()).map(r -> Replies.refused(r, "acme-aws", Duration.ofSeconds(30))).toList();
        assertThat(texts.stream().collect(Collectors.toSet())).as("refusals are distinguishable")
                .hasSize(Refusal.values().length);
        assertThat(Replies.refused(Refusal.RATE_LIMITED, "acme-aws", Duration.ofSeconds(30))).contains("30 seconds");
        assertThat(Replies.refused(Refusal.LOCKED_OUT, "acme-aws", Duration.ofSeconds(900))).contains("15 minutes");
        assertThat(Replies.unreachable()).isNotIn(texts);
    }

    @Test
    void refused_dailyCapReached_saysHowManyAndWhenTheCapResets() {
        assertThat(Replies.refused(Refusal.DAILY_CAP_REACHED, "acme-aws", Duration.ofHours(16), 3))
                .isEqualTo("You have had 3 codes for `acme-aws` today; the cap resets at 00:00 UTC, in 16 h.");
        assertThat(Replies.refused(Refusal.DAILY_CAP_REACHED, "acme-aws", Duration.ofMinutes(65), 1))
                .isEqualTo("You have had 1 code for `acme-aws` today; the cap resets at 00:00 UTC, in 1 h 5 min.");
        assertThat(Replies.refused(Refusal.DAILY_CAP_REACHED, "acme-aws", null, null))
                .isEqualTo("You have had all the codes for `acme-aws` you may have today; the cap resets at 00:00 UTC.");
    }

    @Test
    void refused_rateLimitedForHours_readsInHoursNotMinutes() {
        assertThat(Replies.refused(Refusal.RATE_LIMITED, "acme-aws", Duration.ofMinutes(965)))
                .isEqualTo("Too many code requests right now. Try again in 16 h 5 min.");
    }

    static Stream<Arguments> durations() {
        return Stream.of(
                //        seconds  in words
                arguments(0,       "1 second"),
                arguments(1,       "1 second"),
                arguments(45,      "45 seconds"),
                arguments(119,     "119 seconds"),
                arguments(120,     "2 minutes"),
                arguments(121,     "3 minutes"),
                arguments(900,     "15 minutes"),
                arguments(3_540,   "59 minutes"),
                arguments(3_541,   "1 h"),
                arguments(3_600,   "1 h"),
                arguments(3_900,   "1 h 5 min"),
                arguments(57_600,  "16 h"),
                arguments(57_900,  "16 h 5 min"),
                arguments(86_400,  "24 h"));
    }

    @ParameterizedTest
    @MethodSource("durations")
    void duration_roundedUp_readsInSecondsMinutesOrHours(long seconds, String words) {
        assertThat(Replies.duration(Duration.ofSeconds(seconds))).isEqualTo(words);
    }

    @Test
    void sentByDirectMessage_mentionsTheRequesterById() {
        assertThat(Replies.sentByDirectMessage("Ada Lovelace", 7)).isEqualTo("@**Ada Lovelace|7** I've sent you a direct message.");
    }
}
