package dev.tandem.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The in-flight table against a plain map, through many inserts, updates and removals. */
class LinkCountersTest {

    @Test
    void agreesWithAMap_underRandomTraffic_andForgetsIdleLinks() {
        for (long seed = 1; seed <= 20; seed++) {
            SimRandom r = new SimRandom(seed);
            LinkCounters table = new LinkCounters();
            Map<Long, Integer> model = new TreeMap<>();
            int links = 1 + r.nextInt(5_000); // from a handful (long probe runs) to thousands (growth)
            for (int step = 0; step < 50_000; step++) {
                long link = r.nextLong(links);
                int current = model.getOrDefault(link, 0);
                int delta = current > 0 && r.nextBoolean() ? -1 - r.nextInt(current) : 1 + r.nextInt(3);
                table.add(link, delta);
                if (current + delta == 0) {
                    model.remove(link);
                } else {
                    model.put(link, current + delta);
                }
                long probe = r.nextLong(links);
                assertThat(table.get(probe)).as("seed %d step %d link %d", seed, step, probe)
                        .isEqualTo(model.getOrDefault(probe, 0));
            }
            assertThat(table.size()).as("seed %d", seed).isEqualTo(model.size());
            for (Map.Entry<Long, Integer> e : model.entrySet()) {
                table.add(e.getKey(), -e.getValue());
            }
            assertThat(table.size()).as("seed %d", seed).isZero();
        }
    }

    @Test
    void negativeCountsAreABug() {
        LinkCounters table = new LinkCounters();
        assertThatThrownBy(() -> table.add(3, -1)).isInstanceOf(IllegalStateException.class);
        table.add(3, 1);
        assertThatThrownBy(() -> table.add(3, -2)).isInstanceOf(IllegalStateException.class);
    }
}
