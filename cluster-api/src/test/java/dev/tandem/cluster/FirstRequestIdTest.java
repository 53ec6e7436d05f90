package dev.tandem.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FirstRequestIdTest {

    @Test
    void isAFunctionOfTheIdentity_positive_andFitsInFiveVarintBytes() {
        for (long inc : new long[] {0, 1, 2, 1_763_000_000_000L, Long.MAX_VALUE}) {
            long first = new NodeId("a", inc).firstRequestId();
            assertThat(first).isEqualTo(new NodeId("a", inc).firstRequestId()).isBetween(1L, 1L << 31);
        }
    }

    @Test
    void consecutiveLivesOfANode_startFarApart() {
        // Incarnations as the simulator numbers them (1, 2, ...) and as production draws them (the
        // start time in milliseconds, restarts a few ms apart): over a thousand restarts, no life
        // starts within 100,000 ids of the life before it (a late reply reaches the next life).
        for (long base : new long[] {1, 1_763_700_000_000L}) {
            for (long inc = base; inc < base + 1000; inc++) {
                long earlier = new NodeId("node-7", inc).firstRequestId();
                long later = new NodeId("node-7", inc + 1).firstRequestId();
                assertThat(Math.abs(later - earlier)).as("incarnations " + inc + " and " + (inc + 1))
                        .isGreaterThan(100_000);
            }
        }
    }

    @Test
    void dependsOnTheName_too() {
        Set<Long> firsts = new HashSet<>();
        for (String name : new String[] {"a", "b", "c", "node-1", "node-2"}) {
            firsts.add(new NodeId(name, 5).firstRequestId());
        }
        assertThat(firsts).hasSize(5);
    }
}
