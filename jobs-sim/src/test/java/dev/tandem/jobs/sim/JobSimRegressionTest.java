package dev.tandem.jobs.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.simulator.Outcome;
import dev.tandem.simulator.SimulationOptions;
import dev.tandem.simulator.SimulationResult;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs that once failed, pinned as the reproduction command printed them ({@code tandem sim} arguments,
 * usually a minimized fault schedule), each with what it found. They must pass, and still exercise
 * what they found (checked by a figure).
 */
class JobSimRegressionTest {

    static Stream<Arguments> runs() {
        return Stream.of(
                // Worker swarm seed 2026112117 (1 of 300): n2's second start of w9 was answered EXISTS by the home
                // n4, but n4 -> n2 was clogged, so n2 kept resending it; w9 was stopped (acknowledged), then a
                // resent copy reached n4, which decided it again and started w9 once more, while n2 had been told
                // EXISTS. Fixed: the home answers every copy of a start request as it answered the first.
                Arguments.of("a late copy of a start answered EXISTS restarted a stopped worker",
                        List.of("--seed", "1416600208268724267", "--scenario", JobScenarios.WORKER_PARTITION,
                                "--nodes", "5", "--duration", "7.5s", "--liveness", "40s",
                                "--faults", "at 3.236s clog n4 -> n2 2.178s")),
                Arguments.of("the same, as the swarm found it (before minimizing)",
                        List.of("--seed", "1416600208268724267", "--swarm", "--scenario", JobScenarios.WORKER_PARTITION)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runs")
    void pinnedRun_passes(String finding, List<String> args) {
        SimulationResult r = JobSimScenariosTest.RUNNER.run(SimulationOptions.fromArgs(args, () -> {
            throw new AssertionError("a pinned run names its seed");
        }));
        System.out.println(r.report());
        assertThat(r.outcome()).as(r.reproductionCommand() + "\n" + r.report()).isEqualTo(Outcome.PASSED);
        // the stops were acknowledged before any cut or crash, so "stopped stays stopped" was checked for them
        assertThat(r.figures().get("workers.stops.acknowledged").longValue()).isEqualTo(2);
        assertThat(r.figures().get("workers.stops.unchecked.after.faults").longValue()).isZero();
    }
}
