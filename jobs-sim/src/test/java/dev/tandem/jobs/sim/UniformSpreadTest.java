package dev.tandem.jobs.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.simulator.Outcome;
import dev.tandem.simulator.Scenario;
import dev.tandem.simulator.ScenarioCatalog;
import dev.tandem.simulator.SimulationOptions;
import dev.tandem.simulator.SimulationResult;
import dev.tandem.simulator.SimulationRunner;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Uniform calls through random nodes of a calm simulated cluster spread evenly: Pearson's
 * chi-square test over the executing nodes must not reject uniformity at the 0.1% level (the
 * HordeCluster README eyeballed 100 calls over 3 nodes; this is the statistical version). Seeds
 * are fixed, so the test is deterministic; {@code ChiSquareTest} (jobs module) shows the same test rejects a
 * skewed spread.
 */
class UniformSpreadTest {

    @ParameterizedTest(name = "{0} calls over {1} nodes (seed {2})")
    @CsvSource({"100, 3, 1", "1000, 5, 1", "1000, 5, 2", "1000, 3, 3", "10000, 5, 1"})
    void uniformCalls_passChiSquare(int calls, int nodes, long seed) {
        String name = "jobs: " + calls + " uniform calls (N=" + nodes + ")";
        Scenario s = Scenario.builder(name, JobWorkload.workload("jobs", "", new JobWorkload.Mix(calls, 0, -1,
                        Duration.ofSeconds(3), Duration.ofNanos(12_000_000_000L / calls), 0), "uniform"))
                .nodes(nodes).duration(Duration.ofSeconds(20)).livenessBound(Duration.ofSeconds(20)).build();
        SimulationResult r = new SimulationRunner(ScenarioCatalog.of(s)).run(SimulationOptions.scenario(seed, name));
        assertThat(r.outcome()).as(r.report()).isEqualTo(Outcome.PASSED);
        assertThat(r.figures().get("jobs.calls.ok").intValue()).isEqualTo(calls);
        double p = r.figures().get("jobs.calls.spread.p").doubleValue();
        System.out.printf("%s: chi2 = %s, p = %.4f, per node %s%n", name, r.figures().get("jobs.calls.spread.chi2"), p,
                r.figures().entrySet().stream().filter(e -> e.getKey().startsWith("jobs.calls.ran.on."))
                        .map(e -> e.getKey().substring("jobs.calls.ran.on.".length()) + "=" + e.getValue()).toList());
        assertThat(p).as(r.reproductionCommand()).isGreaterThan(0.001);
    }
}
