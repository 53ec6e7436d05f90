package dev.tandem.jobs.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.simulator.Outcome;
import dev.tandem.simulator.ScenarioCatalog;
import dev.tandem.simulator.SimulationOptions;
import dev.tandem.simulator.SimulationResult;
import dev.tandem.simulator.SimulationRunner;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every jobs scenario in the real simulator with real SWIM membership passes, for fixed seeds
 * (printed with the reproduction command).
 */
class JobSimScenariosTest {
    static final JobScenarios PROVIDER = new JobScenarios();
    static final SimulationRunner RUNNER = new SimulationRunner(ScenarioCatalog.of(PROVIDER.scenarios())
            .with(PROVIDER.sabotages().get(0)).with(PROVIDER.sabotages().get(1)).with(PROVIDER.sabotages().get(2)));

    static Stream<Arguments> scenarios() {
        return PROVIDER.scenarios().stream().flatMap(s -> List.of(1L, 2L).stream().map(seed -> Arguments.of(s.name(), seed)));
    }

    @ParameterizedTest(name = "{0} (seed {1})")
    @MethodSource("scenarios")
    void scenario_passes(String name, long seed) {
        SimulationResult r = RUNNER.run(SimulationOptions.scenario(seed, name));
        System.out.println(r.report());
        assertThat(r.outcome()).as(r.reproductionCommand() + "\n" + r.report()).isEqualTo(Outcome.PASSED);
        if (name.startsWith("jobs: workers:")) {
            assertThat(r.figures().get("workers.stale.deliveries").longValue()).isZero();
            assertThat(r.figures().get("workers.names.acknowledged").longValue()).isEqualTo(WorkerWorkload.NAMES);
            assertThat(r.figures().get("workers.asks.ok").longValue()).isPositive();
        } else {
            assertThat(r.figures().get("jobs.stale.accepted").longValue()).isZero();
        }
        if (name.equals(JobScenarios.EXPIRY)) {
            System.out.println(name + " seed " + seed + ": records expired " + r.figures().get("jobs.records.expired")
                    + ", executions after expiry " + r.figures().get("jobs.executions.after.expiry"));
            assertThat(r.figures().get("jobs.records.expired").longValue()).as("records were forgotten during the run")
                    .isGreaterThan(r.figures().get("jobs.casts.acknowledged").longValue());
        }
    }
}
