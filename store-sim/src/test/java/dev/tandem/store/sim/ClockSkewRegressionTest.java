package dev.tandem.store.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.simulator.Outcome;
import dev.tandem.simulator.ScenarioCatalog;
import dev.tandem.simulator.SimulationOptions;
import dev.tandem.simulator.SimulationResult;
import dev.tandem.simulator.SimulationRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pins the swarm seeds that found the clock-skew LWW bug: with clock jumps of 10-28 s and
 * partitions, a write that timed out on a node whose clock was far ahead carried a higher version
 * than later acknowledged writes and overwrote them (the runs never converged: LIVENESS). The
 * clock guard ({@code StoreConfig.maxClockOffset}) fixes them; with the guard off the same seeds
 * fail again, which shows the checker still sees the bug.
 */
class ClockSkewRegressionTest {
    static final List<Arguments> SEEDS = List.of(
            Arguments.of(6276515495176773216L, "store: rolling restart of every node (N=4)"),
            Arguments.of(3727565013978755110L, "store: 5 nodes join one by one while clients write"),
            Arguments.of(1487135986126029500L, "store: kill one of 3"),
            // Found after the guard went in: a write parked for the guard was versioned (by a clock
            // 15 s ahead) after its node's view had shrunk to itself, where it vouched for itself.
            Arguments.of(-2239043365951799755L, "store: a 3rd node joins 2 holding data"),
            // And: a node 70 s ahead proposed the anti-entropy tombstone purge threshold from its
            // clock, so fresh tombstones were purged and a deleted value came back.
            Arguments.of(-1866209425209162040L, "store: rolling restart of every node (N=4)"));

    static Stream<Arguments> seeds() {
        return SEEDS.stream();
    }

    static SimulationOptions options(Arguments a) {
        return SimulationOptions.swarm((Long) a.get()[0]).withScenario((String) a.get()[1]);
    }

    @ParameterizedTest(name = "{1} (swarm seed {0})")
    @MethodSource("seeds")
    void withTheClockGuard_theSeedPasses(long seed, String scenario) {
        SimulationResult r = StoreSimSwarmTest.RUNNER.run(SimulationOptions.swarm(seed).withScenario(scenario));
        assertThat(r.outcome()).as(r.reproductionCommand() + "\n" + r.report()).isEqualTo(Outcome.PASSED);
    }

    @Test
    void withoutTheClockGuard_theSeedsFailAgain() {
        SimulationRunner unguarded = new SimulationRunner(ScenarioCatalog.of(new ArrayList<>(StoreScenarios.all("",
                StoreWorkload.CONFIG.withMaxClockOffset(Duration.ZERO)).values())));
        List<String> outcomes = new ArrayList<>();
        for (Arguments a : SEEDS.subList(0, 3)) {
            SimulationResult r = unguarded.run(options(a));
            outcomes.add(a.get()[1] + ": " + r.outcome());
        }
        assertThat(outcomes.subList(0, 3)).as("seed outcomes with maxClockOffset 0").noneMatch(o -> o.endsWith("PASSED"));
    }
}
