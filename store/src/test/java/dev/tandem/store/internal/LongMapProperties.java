package dev.tandem.store.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The pending-operation map against a {@link HashMap} model, under keys that collide on purpose. */
class LongMapProperties {

    /** Keys drawn the ways that stress linear probing: in sequence, in clusters that share low bits, and at random. */
    private static long key(SplittableRandom r, long next) {
        return switch (r.nextInt(4)) {
            case 0 -> next;                                   // request ids: in sequence
            case 1 -> (long) r.nextInt(8) << 4;               // share their low bits: one long probe run
            case 2 -> ((long) r.nextInt(64) << 32) ^ r.nextInt(16); // high bits fold onto the low ones
            default -> r.nextLong();
        };
    }

    @Test
    void map_behavesLikeAHashMap() {
        qt().forAll(longs().all(), integers().between(1, 2_000)).checkAssert((seed, ops) -> {
            SplittableRandom r = new SplittableRandom(seed);
            LongMap<String> m = new LongMap<>();
            Map<Long, String> model = new HashMap<>();
            List<Long> seen = new ArrayList<>();
            long next = 1;
            for (int i = 0; i < ops; i++) {
                int op = r.nextInt(10);
                long k = !seen.isEmpty() && r.nextBoolean() ? seen.get(r.nextInt(seen.size())) : key(r, next++);
                if (op < 5) {
                    String v = "v" + i;
                    assertThat(m.put(k, v)).as("put %d", k).isEqualTo(model.put(k, v));
                    seen.add(k);
                } else if (op < 8) {
                    assertThat(m.remove(k)).as("remove %d", k).isEqualTo(model.remove(k));
                } else if (op == 8) {
                    assertThat(m.get(k)).as("get %d", k).isEqualTo(model.get(k));
                } else if (r.nextInt(50) == 0) {
                    m.clear();
                    model.clear();
                }
                assertThat(m.size()).isEqualTo(model.size());
            }
            for (Map.Entry<Long, String> e : model.entrySet()) {
                assertThat(m.get(e.getKey())).isEqualTo(e.getValue());
                assertThat(m.containsKey(e.getKey())).isTrue();
            }
            assertThat(m.values()).containsExactlyInAnyOrderElementsOf(model.values());
            assertThat(m.size() * 4L).isLessThanOrEqualTo(m.capacity() * 3L);
        });
    }

    @Test
    void everyKeyIsReachableFromItsHomeSlot_afterRemovalsInTheMiddleOfProbeRuns() {
        LongMap<String> m = new LongMap<>();
        // Twelve keys with the same home slot in a 16-slot table, then every other one removed: the
        // rest must still be found (a removal that left a hole would cut their probe run).
        for (long k = 0; k < 12; k++) {
            m.put(k << 4, "v" + k);
        }
        for (long k = 0; k < 12; k += 2) {
            assertThat(m.remove(k << 4)).isEqualTo("v" + k);
        }
        for (long k = 1; k < 12; k += 2) {
            assertThat(m.get(k << 4)).isEqualTo("v" + k);
        }
        assertThat(m.size()).isEqualTo(6);
        assertThat(m.get(0)).isNull();
    }

    @Test
    void valuesAreACopy_inTheSameOrderForTheSameHistory() {
        LongMap<String> m = new LongMap<>();
        LongMap<String> twin = new LongMap<>();
        for (long k = 1; k <= 40; k++) {
            m.put(k, "v" + k);
            twin.put(k, "v" + k);
        }
        m.remove(7);
        twin.remove(7);
        List<String> v = m.values();
        assertThat(v).hasSize(39).doesNotContain("v7").isEqualTo(twin.values());
        m.remove(3);
        assertThat(v).as("a copy").hasSize(39).contains("v3");
        assertThat(m.values()).hasSize(38).doesNotContain("v3");
    }
}
