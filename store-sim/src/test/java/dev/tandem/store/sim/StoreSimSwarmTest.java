package dev.tandem.store.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.simulator.Outcome;
import dev.tandem.simulator.ScenarioCatalog;
import dev.tandem.simulator.SimulationOptions;
import dev.tandem.simulator.SimulationResult;
import dev.tandem.simulator.SimulationRunner;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Simulator swarm runs over the (unsabotaged) store scenarios — the seed picks the scenario and
 * randomizes which faults are enabled — and the determinism invariant: one seed, one trace hash.
 * {@code -Dtandem.sim.swarm.seeds=N} runs more (default 6).
 */
class StoreSimSwarmTest {
    static final SimulationRunner RUNNER = new SimulationRunner(ScenarioCatalog.of(new StoreScenarios().scenarios()));

    static LongStream seeds() {
        return LongStream.rangeClosed(1, Integer.getInteger("tandem.sim.swarm.seeds", 6));
    }

    @ParameterizedTest(name = "swarm seed {0}")
    @MethodSource("seeds")
    void swarm(long seed) {
        SimulationResult r = RUNNER.run(SimulationOptions.swarm(seed));
        System.out.println(r.report());
        assertThat(r.outcome()).as(r.reproductionCommand() + "\n" + r.report()).isEqualTo(Outcome.PASSED);
    }

    @Test
    void sameSeed_sameTraceHash() {
        SimulationOptions o = SimulationOptions.scenario(77, "store: crash one of 5, restart it");
        SimulationResult a = RUNNER.run(o);
        SimulationResult b = RUNNER.run(o);
        assertThat(a.traceHashHex()).isEqualTo(b.traceHashHex());
        assertThat(RUNNER.run(o.withSeed(78)).traceHashHex()).isNotEqualTo(a.traceHashHex());
    }
}
