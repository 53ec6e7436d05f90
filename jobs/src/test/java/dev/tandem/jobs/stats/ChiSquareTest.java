package dev.tandem.jobs.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The chi-square test used for the spread figures, against textbook values. */
class ChiSquareTest {

    @Test
    void pValues_matchTables() {
        // Critical values: chi2(df=4) 9.488 at p=0.05, 13.277 at p=0.01; chi2(df=2) 5.991 at p=0.05.
        assertThat(ChiSquare.upperGammaQ(4 / 2.0, 9.488 / 2)).isCloseTo(0.05, within(1e-4));
        assertThat(ChiSquare.upperGammaQ(4 / 2.0, 13.277 / 2)).isCloseTo(0.01, within(1e-4));
        assertThat(ChiSquare.upperGammaQ(2 / 2.0, 5.991 / 2)).isCloseTo(0.05, within(1e-4));
        assertThat(ChiSquare.upperGammaQ(9 / 2.0, 2.088 / 2)).isCloseTo(0.99, within(1e-4));
    }

    @Test
    void evenCounts_pass_skewedCounts_fail() {
        assertThat(ChiSquare.uniform(new int[] {200, 200, 200, 200, 200}).pValue()).isEqualTo(1.0);
        // What the seed did: every cast with the same argument on one node.
        assertThat(ChiSquare.uniform(new int[] {1000, 0, 0, 0, 0}).pValue()).isLessThan(1e-12);
        assertThat(ChiSquare.uniform(new int[] {260, 185, 185, 185, 185}).pValue()).isLessThan(0.001);
    }
}
