package dev.tandem.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.simulator.InvariantVerdict;
import dev.tandem.simulator.Outcome;
import dev.tandem.simulator.ScenarioCatalog;
import dev.tandem.simulator.SimulationOptions;
import dev.tandem.simulator.SimulationResult;
import dev.tandem.simulator.SimulationRunner;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every membership scenario passes with the real SWIM membership, on a few seeds each (more with
 * {@code -Dtandem.sim.seeds=N}); a bounded swarm passes; the same seed gives the same trace.
 */
class MembershipScenariosTest {
    private static final long SEED = 0x5_0A1L;
    private static final int SEEDS = Integer.getInteger("tandem.sim.seeds", 2);
    private static final int SWARM_SEEDS = Integer.getInteger("tandem.sim.swarm", 16);
    private static final SimulationRunner RUNNER = new SimulationRunner(ScenarioCatalog.installed());

    private static void assertPassed(SimulationResult r) {
        assertThat(r.outcome()).as("%s%n%s", r.reproductionCommand(), r.report()).isEqualTo(Outcome.PASSED);
        assertThat(r.verdicts()).extracting(InvariantVerdict::status).as(r.report())
                .containsOnly(InvariantVerdict.Status.PASSED);
    }

    @TestFactory
    Stream<DynamicTest> everyMembershipScenarioPasses_overSwim() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String name : RUNNER.catalog().names()) {
            if (!name.startsWith(TandemScenarios.STATIC + ":") && !name.startsWith(TandemScenarios.GOSSIP + ":")) {
                continue;
            }
            // The beacon variant differs only in how nodes find each other: one seed is enough.
            int seeds = name.startsWith(TandemScenarios.GOSSIP) ? Math.max(1, SEEDS / 2) : SEEDS;
            for (long seed = SEED; seed < SEED + seeds; seed++) {
                long s = seed;
                tests.add(DynamicTest.dynamicTest(name + " (seed " + s + ")",
                        () -> assertPassed(RUNNER.run(SimulationOptions.scenario(s, name)))));
            }
        }
        assertThat(tests).hasSizeGreaterThanOrEqualTo(24);
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> boundedSwarm_overSwim_passes() {
        List<DynamicTest> tests = new ArrayList<>();
        for (long seed = SEED; seed < SEED + SWARM_SEEDS; seed++) {
            long s = seed;
            tests.add(DynamicTest.dynamicTest("swarm seed " + s, () -> {
                SimulationResult r = RUNNER.run(SimulationOptions.swarm(s)
                        .withScenario(s % 2 == 0 ? "membership: crash one of 5, restart it"
                                : "membership (gossip): crashes, partitions and clogs at once (N=7)"));
                assertPassed(r);
            }));
        }
        return tests.stream();
    }

    @Test
    void sameSeed_sameTraceHash_withSwim() {
        for (String name : List.of("membership: crashes, partitions and clogs at once (N=7)",
                "membership (gossip): crash one of 5, restart it")) {
            SimulationResult a = RUNNER.run(SimulationOptions.scenario(SEED, name));
            SimulationResult b = RUNNER.run(SimulationOptions.scenario(SEED, name));
            assertThat(b.traceHash()).as(name).isEqualTo(a.traceHash());
            assertThat(b.timeline()).isEqualTo(a.timeline());
            SimulationResult other = RUNNER.run(SimulationOptions.scenario(SEED + 1, name));
            assertThat(other.traceHash()).as(name).isNotEqualTo(a.traceHash());
        }
    }
}
