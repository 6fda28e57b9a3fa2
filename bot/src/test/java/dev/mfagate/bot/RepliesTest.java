package dev.mfagate.bot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.api.TotpResponse;
import dev.mfagate.bot.gateway.Refusal;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

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
    void sentByDirectMessage_mentionsTheRequesterById() {
        assertThat(Replies.sentByDirectMessage("Ada Lovelace", 7)).isEqualTo("@**Ada Lovelace|7** I've sent you a direct message.");
    }
}
