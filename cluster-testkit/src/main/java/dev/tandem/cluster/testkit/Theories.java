package dev.tandem.cluster.testkit;

import org.quicktheories.QuickTheory;

/**
 * The one place the testkit reaches for its property-testing library, so it can be replaced
 * without touching the contracts.
 *
 * <p>QuickTheories draws a fresh seed per run and prints {@code Seed was N} with every failure;
 * {@code -DQT_SEED=N} replays it.
 */
final class Theories {
    private Theories() {
    }

    /** A theory of {@code examples} examples that shrinks a failure for at most 100 cycles. */
    static QuickTheory qt(int examples) {
        return QuickTheory.qt().withExamples(examples).withShrinkCycles(100);
    }
}
