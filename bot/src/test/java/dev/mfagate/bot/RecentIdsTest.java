package dev.mfagate.bot;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RecentIdsTest {
    @Test
    void firstTime_sameIdTwice_trueThenFalse() {
        RecentIds ids = new RecentIds(10);
        assertThat(ids.firstTime(5)).isTrue();
        assertThat(ids.firstTime(5)).isFalse();
    }

    @Test
    void firstTime_beyondCapacity_forgetsOldest() {
        RecentIds ids = new RecentIds(2);
        ids.firstTime(1);
        ids.firstTime(2);
        ids.firstTime(3);
        assertThat(ids.firstTime(1)).isTrue();
        assertThat(ids.firstTime(3)).isFalse();
    }
}
