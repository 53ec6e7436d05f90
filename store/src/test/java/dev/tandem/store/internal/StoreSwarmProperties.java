package dev.tandem.store.internal;

import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The store against a plain map model over random operation sequences on a simulated cluster,
 * with faults as generated steps.
 *
 * <p>CI runs a bounded, fixed swarm of seeds ({@code -Dtandem.swarm.seeds=N}, default 6, from
 * {@code -Dtandem.swarm.first=S}, default 1) and a few QuickTheories examples with fresh seeds
 * ({@code -Dtandem.swarm.examples=N}, default 3); a failure prints its seed and steps; replay it with
 * {@code -DQT_SEED=...} or as a swarm seed.
 */
class StoreSwarmProperties {

    static LongStream seeds() {
        long first = Long.getLong("tandem.swarm.first", 1);
        return LongStream.range(first, first + Integer.getInteger("tandem.swarm.seeds", 6));
    }

    @ParameterizedTest(name = "swarm seed {0}")
    @MethodSource("seeds")
    @DisplayName("store matches the map model on a swarm of seeded fault schedules")
    void swarm(long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        List<Integer> steps = r.ints(6 + r.nextInt(6), 0, 100).boxed().toList();
        System.out.println(Swarm.run(seed, steps));
    }

    @Test
    @DisplayName("store matches the map model for generated operation and fault sequences")
    void generatedSequences() {
        qt().withExamples(Integer.getInteger("tandem.swarm.examples", 3)).withShrinkCycles(30)
                .forAll(longs().all(), lists().of(integers().between(0, 99)).ofSizeBetween(1, 10))
                .checkAssert((seed, steps) -> System.out.println(Swarm.run(seed, steps)));
    }
}
