package dev.tandem.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Swarm runs over a bounded set of seeds: the seed picks the scenario and which faults exist at all. */
class SwarmTest {
    private static final long FIRST_SEED = 1_000;
    private static final int SEEDS = 40;

    @Test
    void swarmRunsPass_andTheSeedSwitchesFaultKindsOnAndOff() {
        Scenario ping = Ping.scenario("test: ping under swarm faults", new Ping.PingWorkload(Ping.Config.defaults()))
                .nodes(6).minNodes(2).duration(Duration.ofSeconds(10)).build();
        SimulationRunner runner = new SimulationRunner(ScenarioCatalog.builtIn().with(ping));
        TreeMap<String, Integer> runsWithKind = new TreeMap<>();
        TreeSet<String> scenarios = new TreeSet<>();
        TreeSet<String> configs = new TreeSet<>();
        for (long seed = FIRST_SEED; seed < FIRST_SEED + SEEDS; seed++) {
            SimulationResult r = runner.run(SimulationOptions.swarm(seed));
            assertThat(r.outcome()).as(r.report()).isEqualTo(Outcome.PASSED);
            assertThat(r.swarmConfig()).isNotEmpty();
            scenarios.add(r.scenario());
            configs.add(r.swarmConfig());
            TreeSet<String> kinds = new TreeSet<>();
            for (FaultStep step : r.faults().steps()) {
                kinds.add(step.fault().getClass().getSimpleName());
            }
            kinds.forEach(k -> runsWithKind.merge(k, 1, Integer::sum));
        }
        assertThat(scenarios).hasSize(3);
        assertThat(configs).hasSize(SEEDS);
        // Every kind of fault shows up in some runs and is switched off in others.
        assertThat(runsWithKind.keySet()).contains("Crash", "Restart", "Pause", "Partition", "Heal", "Clog",
                "ClockDrift", "ClockJump", "LossAndDuplication");
        assertThat(runsWithKind.values()).allMatch(n -> n > 0 && n < SEEDS);
        System.out.println("swarm: " + SEEDS + " seeds from " + FIRST_SEED + " passed; runs per fault kind " + runsWithKind);
    }

    @Test
    void swarmCanBeNarrowedToOneScenario() {
        SimulationRunner runner = new SimulationRunner(ScenarioCatalog.builtIn());
        String name = "simulator: a rumour spreads on a calm network";
        for (long seed = 1; seed <= 5; seed++) {
            SimulationResult r = runner.run(SimulationOptions.swarm(seed).withScenario(name));
            assertThat(r.scenario()).isEqualTo(name);
            assertThat(r.outcome()).as(r.report()).isEqualTo(Outcome.PASSED);
        }
    }
}
