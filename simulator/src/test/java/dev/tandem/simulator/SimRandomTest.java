package dev.tandem.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SimRandomTest {

    @Test
    void isSplitMix64() {
        // Reference outputs of SplitMix64 seeded with 0 (Vigna's splitmix64.c).
        SimRandom r = new SimRandom(0);
        assertThat(r.nextLong()).isEqualTo(0xE220A8397B1DCDAFL);
        assertThat(r.nextLong()).isEqualTo(0x6E789E6AA1B965F4L);
        assertThat(r.nextLong()).isEqualTo(0x06C45D188009454FL);
    }

    @Test
    void boundedDrawsStayInRange_andCoverIt() {
        SimRandom r = new SimRandom(7);
        boolean[] seen = new boolean[7];
        for (int i = 0; i < 10_000; i++) {
            int v = r.nextInt(7);
            assertThat(v).isBetween(0, 6);
            seen[v] = true;
            assertThat(r.nextInt(-3, 4)).isBetween(-3, 3);
            assertThat(r.nextLong(Long.MIN_VALUE, Long.MAX_VALUE)).isNotEqualTo(Long.MAX_VALUE);
            double d = r.nextDouble();
            assertThat(d).isGreaterThanOrEqualTo(0).isLessThan(1);
        }
        assertThat(seen).containsOnly(true);
    }

    @Test
    void badBoundsAreRejected() {
        SimRandom r = new SimRandom(1);
        assertThatThrownBy(() -> r.nextInt(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bound");
        assertThatThrownBy(() -> r.nextLong(5, 5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void streamsDependOnlyOnSeedAndLabel() {
        assertThat(Streams.seed(1, "node", 3, 1)).isEqualTo(Streams.seed(1, "node", 3, 1));
        assertThat(Streams.seed(1, "node", 3, 1)).isNotEqualTo(Streams.seed(1, "node", 3, 2))
                .isNotEqualTo(Streams.seed(1, "node", 4, 1))
                .isNotEqualTo(Streams.seed(2, "node", 3, 1))
                .isNotEqualTo(Streams.seed(1, "network", 3, 1));
    }
}
