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

    /**
     * Seed 2 with the outbox sent once per burst: a put made at n3 just after the split
     * [n0, n1]|[n2, n3] healed, but before the views merged, is acknowledged by n2 — and by the time
     * the ack reaches n3, handoff from n0/n1 has overwritten both copies with a write made on the
     * other side during the split, whose writer's clock was 339 ms ahead (a higher version:
     * last-writer-wins, as documented for splits). The model must take the put's version from the
     * wire then, not report it held by no node.
     */
    @Test
    @DisplayName("a put overwritten on all its holders by a higher version before its last ack arrived")
    void putOverwrittenBeforeItsAckArrived() {
        swarm(2);
    }

    @Test
    @DisplayName("store matches the map model for generated operation and fault sequences")
    void generatedSequences() {
        qt().withExamples(Integer.getInteger("tandem.swarm.examples", 3)).withShrinkCycles(30)
                .forAll(longs().all(), lists().of(integers().between(0, 99)).ofSizeBetween(1, 10))
                .checkAssert((seed, steps) -> System.out.println(Swarm.run(seed, steps)));
    }
}
