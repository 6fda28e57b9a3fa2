package dev.mfagate.bot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import java.util.TreeSet;
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

    @Test
    void firstTime_olderIdAmongNewer_rememberedInItsPlace() {
        RecentIds ids = new RecentIds(10);
        for (long id : new long[] {10, 30, 20, 40, 25}) {
            assertThat(ids.firstTime(id)).as("id %d", id).isTrue();
        }
        for (long id : new long[] {10, 20, 25, 30, 40}) {
            assertThat(ids.firstTime(id)).as("id %d", id).isFalse();
        }
    }

    @Test
    void firstTime_manyTimesTheCapacity_remembersTheNewestCapacityIds() {
        RecentIds ids = new RecentIds(1_000);
        for (long id = 1; id <= 10_000; id++) {
            assertThat(ids.firstTime(id)).isTrue();
        }
        assertThat(ids.firstTime(9_001)).as("the oldest remembered").isFalse();
        assertThat(ids.firstTime(10_000)).as("the newest").isFalse();
        assertThat(ids.firstTime(9_000)).as("the newest forgotten").isTrue();
    }

    @Test
    void firstTime_idsMostlyRisingWithRepeatsAndStragglers_answersAsAModelSet() {
        // The model: the largest `capacity` ids seen; an id is new when the model does not hold it.
        int capacity = 300;
        RecentIds ids = new RecentIds(capacity);
        TreeSet<Long> model = new TreeSet<>();
        Random random = new Random(12);
        long next = 1;
        for (int i = 0; i < 20_000; i++) {
            long id = switch (random.nextInt(4)) {
                case 0 -> Math.max(1, next - 1 - random.nextInt(400)); // a repeat, or one forgotten by now
                default -> next++;
            };
            boolean expected = model.add(id);
            if (model.size() > capacity) {
                model.pollFirst();
            }
            assertThat(ids.firstTime(id)).as("step %d, id %d", i, id).isEqualTo(expected);
        }
    }

    @Test
    void new_capacityBelowOne_refusedNamingIt() {
        assertThatThrownBy(() -> new RecentIds(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("capacity must be at least 1, not 0");
    }
}
