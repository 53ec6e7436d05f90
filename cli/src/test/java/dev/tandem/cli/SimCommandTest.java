package dev.tandem.cli;

import static dev.tandem.cli.TandemTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.cli.TandemTest.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code tandem sim}: one exit code per outcome, the seed first, reproduction lines, bad arguments. */
class SimCommandTest {
    private static final String RESTART = "membership: crash one of 5, restart it";

    @Test
    void list_printsEveryScenarioAndSabotage_onePerLine() {
        Run r = run("sim", "--list");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out().lines()).contains(RESTART, "membership (gossip): 5 nodes join on a calm network",
                "simulator: a rumour spreads on a calm network", "membership/ignore-refutation",
                "membership/never-suspect");
        assertThat(r.out().lines()).doesNotHaveDuplicates().allSatisfy(l -> assertThat(l).isNotBlank());
    }

    @Test
    void list_includesTheStoreScenariosAndSabotages() {
        Run r = run("sim", "--list");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out().lines()).contains("store: kill one of 3", "store: a 3rd node joins 2 holding data",
                "store: two join at once (2 + 2)", "store/ack-after-one-copy", "store/drop-before-confirm",
                "store/skip-anti-entropy", "store/ignore-versions");
    }

    @Test
    void storeSabotage_endsInCorrectness_exit129() {
        Run r = run("sim", "--seed", "1", "--sabotage", "store/ack-after-one-copy");
        assertThat(r.code()).as(r.out()).isEqualTo(129);
        assertThat(r.out()).contains("sabotage: store/ack-after-one-copy", "outcome: CORRECTNESS (exit 129)",
                "a write is held by two nodes when acknowledged",
                "reproduce: ./tandem sim --seed 1 --scenario 'store: kill one of 3' --sabotage store/ack-after-one-copy");
    }

    @Test
    void storeScenario_withoutSabotage_passes_exit0() {
        Run r = run("sim", "--seed", "1", "--scenario", "store: kill one of 3");
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.out()).contains("outcome: PASSED (exit 0)");
    }

    @Test
    void passingRun_printsSeedAndOptionsFirst_thenTimelineVerdictsFiguresHash_exit0() {
        Run r = run("sim", "--seed", "7", "--scenario", RESTART);
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out().lines().limit(2)).containsExactly("SEED=7", "options: --seed 7 --scenario " + RESTART);
        assertThat(r.out()).contains("timeline:", "verdicts:", "PASSED", "figures:", "membership.detection.seconds.max",
                "events.per.wall.second", "trace hash: ", "outcome: PASSED (exit 0)");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void sabotage_endsInCorrectness_exit129_withTheReproductionCommand() {
        Run r = run("sim", "--seed", "3", "--sabotage", "membership/never-suspect");
        assertThat(r.code()).as(r.out()).isEqualTo(129);
        assertThat(r.out()).contains("sabotage: membership/never-suspect", "outcome: CORRECTNESS (exit 129)",
                "reproduce: ./tandem sim --seed 3 --scenario 'membership: crash one of 5, it stays down'"
                        + " --sabotage membership/never-suspect");
    }

    @Test
    void tooShortLivenessBound_isALivenessFailure_exit128() {
        // n2 is restarted when the liveness phase starts; nobody can know its new incarnation 1ms later.
        Run r = run("sim", "--seed", "3", "--scenario", RESTART, "--duration", "2s", "--faults", "at 1s crash n2",
                "--liveness", "1ms");
        assertThat(r.code()).as(r.out()).isEqualTo(128);
        assertThat(r.out()).contains("outcome: LIVENESS (exit 128)", "reproduce: ./tandem sim --seed 3 --scenario '"
                + RESTART + "' --duration 2s --liveness 0.001s --faults 'at 1s crash n2'");
    }

    @Test
    void minimize_printsTheShortestReproduction() {
        Run r = run("sim", "--seed", "3", "--sabotage", "membership/never-suspect", "--minimize");
        assertThat(r.code()).isEqualTo(129);
        assertThat(r.out()).contains("minimised ").contains("--faults");
    }

    @Test
    void json_isOneObjectPerRun() {
        Run r = run("sim", "--seed", "5", "--scenario", RESTART, "--json");
        assertThat(r.code()).isZero();
        assertThat(r.out().strip().lines()).singleElement().satisfies(l -> assertThat(l)
                .startsWith("{\"seed\":5,").contains("\"outcome\":\"PASSED\"", "\"traceHash\":"));
    }

    @Test
    void runs_swarmOverSeeds_printsSummary_andOneLinePerRunOnAPipe() {
        Run r = run("sim", "--seed", "11", "--runs", "3", "--scenario", RESTART, "--swarm");
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.out()).contains("summary:", "PASSED            3", "slowest: ", "events/s", "worst outcome: PASSED (exit 0)");
        assertThat(r.err().lines()).hasSize(3).allSatisfy(l -> assertThat(l).startsWith("run ").contains("PASSED"));
    }

    @Test
    void runs_withAFailure_exitsWithTheWorstOutcome_andListsReproductions() {
        Run r = run("sim", "--seed", "11", "--runs", "2", "--sabotage", "membership/ignore-refutation");
        assertThat(r.code()).as(r.out()).isEqualTo(129);
        assertThat(r.out()).contains("CORRECTNESS       2", "reproduce: ./tandem sim --seed ");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "sim                                      | choose a scenario (--scenario NAME), a swarm run (--swarm) or a sabotage",
        "sim --scenario nope --seed 1             | no scenario is named 'nope'",
        "sim --sabotage nope --seed 1             | available: jobs/accept-stale-results / jobs/forget-casts-on-crash / jobs/never-resolve-duplicates / membership/ignore-refutation / membership/never-suspect",
        "sim --swarm --nodes 0                    | --nodes must be 1..10000, was 0",
        "sim --swarm --duration forever           | forever",
        "sim --swarm --runs 0                     | --runs must be from 1 to 100000, was 0",
        "sim --swarm --seed x                     | --seed must be a 64-bit integer, was 'x'",
    })
    void badArguments_oneLine_exit2(String args, String message) {
        Run r = run(args.split(" "));
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(2);
        assertThat(r.err().strip()).contains(message).doesNotContain("\n").doesNotContain("Exception");
    }
}
