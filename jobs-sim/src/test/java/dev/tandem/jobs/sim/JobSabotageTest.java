package dev.tandem.jobs.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.jobs.JobsConfig;
import dev.tandem.simulator.InvariantVerdict;
import dev.tandem.simulator.Outcome;
import dev.tandem.simulator.Sabotage;
import dev.tandem.simulator.Scenario;
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

    static Stream<Arguments> sabotagesUnderExpiry() {
        return Stream.of(
                // Not seed 2: there every stale result reaches the majority side after the heal (21 s), when its
                // holders had forgotten the newer record (finished by 19 s); answered from their memory, no
                // holder keeps a newer record for the sabotage to overwrite.
                Arguments.of("accept-stale-results", JobWorkload.NO_STALE, 1L),
                Arguments.of("accept-stale-results", JobWorkload.NO_STALE, 3L),
                Arguments.of("forget-casts-on-crash", JobWorkload.CASTS_RUN, 1L),
                Arguments.of("forget-casts-on-crash", JobWorkload.CASTS_RUN, 2L));
    }

    /**
     * The same sabotages with finished records forgotten after 2 s (as in {@link JobScenarios#EXPIRY}):
     * the checkers that now accept a record forgotten DONE still catch a cast that was dropped or a
     * stale result that was taken.
     */
    @ParameterizedTest(name = "{0} with a 2 s retention (seed {2})")
    @MethodSource("sabotagesUnderExpiry")
    void sabotage_underAShortRetention_isStillCaught(String rule, String invariant, long seed) {
        JobsConfig config = JobsConfig.defaults().withFinishedRetention(JobScenarios.SHORT_RETENTION);
        Scenario s = rule.equals("accept-stale-results") ? JobScenarios.partition(rule, config)
                : JobScenarios.executorCrash(rule, config);
        SimulationResult r = new SimulationRunner(ScenarioCatalog.of(s)).run(SimulationOptions.scenario(seed, s.name()));
        System.out.println(r.report());
        assertThat(r.figures().get("jobs.records.expired").longValue()).as("records were forgotten").isPositive();
        assertThat(r.outcome()).as(r.report()).isEqualTo(Outcome.CORRECTNESS);
        List<String> failed = r.verdicts().stream().filter(v -> v.status() == InvariantVerdict.Status.FAILED)
                .map(InvariantVerdict::name).toList();
        assertThat(failed).as(r.report()).contains(invariant);
    }

    @org.junit.jupiter.api.Test
    void providerListsTheSabotages() {
        assertThat(new JobScenarios().sabotages()).extracting(Sabotage::name)
                .containsExactly("jobs/accept-stale-results", "jobs/forget-casts-on-crash", "jobs/never-resolve-duplicates");
    }
}
