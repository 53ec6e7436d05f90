package dev.tandem.jobs.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.simulator.InvariantVerdict;
import dev.tandem.simulator.Outcome;
import dev.tandem.simulator.Sabotage;
import dev.tandem.simulator.SimulationOptions;
import dev.tandem.simulator.SimulationResult;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each jobs sabotage is caught as a correctness failure (exit 129) by the invariant it names (or
 * one of the ones it names, separated by {@code |}), in its own scenario, which passes without the sabotage ({@link JobSimScenariosTest}).
 */
class JobSabotageTest {

    static final String DUPLICATES = WorkerWorkload.STARTS_LIVE + "|" + WorkerWorkload.NO_STALE_DELIVERY;

    static Stream<Arguments> sabotages() {
        return Stream.of(
                Arguments.of("jobs/accept-stale-results", JobWorkload.NO_STALE, 1L),
                Arguments.of("jobs/accept-stale-results", JobWorkload.NO_STALE, 2L),
                Arguments.of("jobs/accept-stale-results", JobWorkload.NO_STALE, 3L),
                Arguments.of("jobs/forget-casts-on-crash", JobWorkload.CASTS_RUN, 3L),
                Arguments.of("jobs/forget-casts-on-crash", JobWorkload.CASTS_RUN, 1L),
                Arguments.of("jobs/forget-casts-on-crash", JobWorkload.CASTS_RUN, 2L),
                // the superseded instance is caught running at quiescence, or taking a message after its node saw a newer one
                Arguments.of("jobs/never-resolve-duplicates", DUPLICATES, 1L),
                Arguments.of("jobs/never-resolve-duplicates", DUPLICATES, 2L),
                Arguments.of("jobs/never-resolve-duplicates", DUPLICATES, 5L));
    }

    @ParameterizedTest(name = "{0} (seed {2})")
    @MethodSource("sabotages")
    void sabotage_isCaughtAsCorrectness(String name, String invariant, long seed) {
        Sabotage sabotage = JobSimScenariosTest.RUNNER.catalog().sabotage(name);
        SimulationResult r = JobSimScenariosTest.RUNNER.run(SimulationOptions.scenario(seed, sabotage.scenario())
                .withSabotage(name));
        System.out.println(r.report());
        assertThat(r.outcome()).as(r.reproductionCommand() + "\n" + r.report()).isEqualTo(Outcome.CORRECTNESS);
        assertThat(r.exitCode()).isEqualTo(129);
        List<String> failed = r.verdicts().stream().filter(v -> v.status() == InvariantVerdict.Status.FAILED)
                .map(InvariantVerdict::name).toList();
        assertThat(failed).as(r.report()).containsAnyOf(invariant.split("\\|"));
    }

    @org.junit.jupiter.api.Test
    void providerListsTheSabotages() {
        assertThat(new JobScenarios().sabotages()).extracting(Sabotage::name)
                .containsExactly("jobs/accept-stale-results", "jobs/forget-casts-on-crash", "jobs/never-resolve-duplicates");
    }
}
