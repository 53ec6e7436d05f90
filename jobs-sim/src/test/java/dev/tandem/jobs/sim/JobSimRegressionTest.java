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
 * Runs that once failed, pinned as the reproduction command printed them ({@code tandem sim} arguments,
 * usually a minimized fault schedule), each with what it found. They must pass, and still exercise
 * what they found (checked by a figure).
 */
class JobSimRegressionTest {
    /** The named scenarios, plus the worker swarm of {@link JobSimSwarmTest} (not in {@code tandem sim --list}). */
    static final SimulationRunner RUNNER = new SimulationRunner(ScenarioCatalog.of(JobSimScenariosTest.PROVIDER.scenarios())
            .with(JobSimSwarmTest.workerSwarm()));

    /** A figure of the run must lie in [min, max]. */
    record Figure(String name, long min, long max) {
        static Figure exactly(String name, long value) {
            return new Figure(name, value, value);
        }

        static Figure atLeast(String name, long value) {
            return new Figure(name, value, Long.MAX_VALUE);
        }
    }

    /** The stops were acknowledged before any cut, pause or crash, so "stopped stays stopped" was checked for them. */
    static final List<Figure> STOPS_CHECKED = List.of(Figure.exactly("workers.stops.acknowledged", 2),
            Figure.exactly("workers.stops.unchecked.after.faults", 0));

    static List<Figure> stopsChecked(Figure more) {
        return Stream.concat(STOPS_CHECKED.stream(), Stream.of(more)).toList();
    }

    static Stream<Arguments> runs() {
        return Stream.of(
                // Worker swarm seed 2026112117 (1 of 300): n2's second start of w9 was answered EXISTS by the home
                // n4, but n4 -> n2 was clogged, so n2 kept resending it; w9 was stopped (acknowledged), then a
                // resent copy reached n4, which decided it again and started w9 once more, while n2 had been told
                // EXISTS. Fixed: the home answers every copy of a start request as it answered the first.
                Arguments.of("a late copy of a start answered EXISTS restarted a stopped worker",
                        List.of("--seed", "1416600208268724267", "--scenario", JobScenarios.WORKER_PARTITION,
                                "--nodes", "5", "--duration", "7.5s", "--liveness", "40s",
                                "--faults", "at 3.236s clog n4 -> n2 2.178s"),
                        // the EXISTS answer did not count as a start that overlapped the stop
                        stopsChecked(Figure.exactly("workers.stops.overtaken.by.start", 0))),
                Arguments.of("the same, as the swarm found it (before minimizing)",
                        List.of("--seed", "1416600208268724267", "--swarm", "--scenario", JobScenarios.WORKER_PARTITION),
                        stopsChecked(Figure.exactly("workers.stops.overtaken.by.start", 0))),
                // Worker swarm seed 1209 (JobSimSwarmTest): n2, backup of w1 (executor n4), resumed from a pause at
                // 30 s with a view that briefly lacked n4 and restarted w1 on itself (incarnation 2); n4's ack of the
                // incarnation-1 copy n2 had sent just before then struck n4 off n2's former holders, so n2 never told
                // n4, which kept running incarnation 1 at quiescence. Fixed: only an ack of the current (or a newer)
                // record strikes a former holder off. (The runs made a duplicate beside a reachable instance until
                // SWIM's probing changed (local health no longer stretches the period, gossip reaches members that
                // were cut off): their membership timing differs, they make no such duplicate any more, and they
                // only have to pass.)
                Arguments.of("a former holder's ack of the record it held before kept it from learning the restart",
                        List.of("--seed", "1209", "--scenario", JobSimSwarmTest.WORKERS, "--nodes", "5", "--duration", "30s",
                                "--liveness", "40s", "--faults", "at 0s net loss=0.016 dup=0.0; at 3.377s clog n4 -> n2"
                                        + " 1.586s; at 4.073s pause n2 0.818s; at 5.461s clog n4 -> n2 2.291s; at 10.586s"
                                        + " clog n2 -> n4 2.758s; at 11.21s pause n5 0.848s; at 13.893s clog n1 -> n4"
                                        + " 2.94s; at 16.638s pause n1 0.726s; at 21.182s partition n2,n4 | n1,n3,n5; at"
                                        + " 21.852s pause n2 3.028s; at 21.862s clog n3 -> n5 2.452s; at 25.122s clog n1"
                                        + " -> n5 2.983s; at 26.811s pause n2 2.03s; at 27.782s heal"),
                        // Since worker starts carry a lineage (more messages: a home checks a possibly stale copy
                        // or directory entry before refusing a start, lookups are resent), this schedule no longer
                        // makes the duplicate; it must still pass. The fix itself is pinned by WorkerTest
                        // anAckOfTheRecordBeforeARestart_doesNotStrikeTheOldExecutorOff_itIsToldAndStopsItsDuplicate.
                        List.of()),
                Arguments.of("a restart beside a reachable instance (as in 1209), resolved: seed 1215 on the lineage code",
                        List.of("--seed", "1215", "--scenario", JobSimSwarmTest.WORKERS),
                        List.of(Figure.atLeast("workers.duplicates.made.reachable", 1))),
                // Worker swarm seed 1749 (JobSimSwarmTest): n2's second start of w9 was held up by a clog n2 -> n4
                // (the home) until after w9's stop was acknowledged; the home then found w9 stopped, recorded
                // incarnation 2 and answered STARTED. The start overlapped the stop, so it may take effect after it:
                // the checker wrongly required w9 to stay stopped. Fixed in the checker, not in JobNode.
                Arguments.of("a start that overlapped a stop and reached the home after it was wrongly flagged",
                        List.of("--seed", "1749", "--scenario", JobSimSwarmTest.WORKERS, "--nodes", "5",
                                "--duration", "7.5s", "--liveness", "40s", "--faults", "at 3.11s clog n2 -> n4 2.497s"),
                        stopsChecked(Figure.exactly("workers.stops.overtaken.by.start", 1))),
                // (Seed 1749 in full no longer overlaps a start and a stop on the lineage code; seed 1214 does.)
                Arguments.of("a start that overlapped a stop, in a full swarm run: seed 1214 on the lineage code",
                        List.of("--seed", "1214", "--scenario", JobSimSwarmTest.WORKERS),
                        List.of(Figure.exactly("workers.stops.overtaken.by.start", 1))),
                // Worker swarm seed 2379 (JobSimSwarmTest, found while checking the fixes above; it fails on the
                // code before them too): n5, backup of w1 (executor n2), resumed from a pause with a view that
                // lacked n2 and replaced it by n4, which it could not reach (partition n2,n3,n5 | n1,n3,n4). n2's
                // resend reached n5, which answered with the new record; n2, no longer a holder, dropped its copy.
                // n5 crashed: no node held w1, and it never ran again. Fixed: a holder shows its record to a node
                // that does not hold it only once its partner confirmed it (make before break).
                Arguments.of("a replaced holder dropped its copy before its successor held one, and one crash lost a worker",
                        List.of("--seed", "2379", "--scenario", JobSimSwarmTest.WORKERS, "--nodes", "5",
                                "--duration", "13.165s", "--liveness", "40s", "--faults", "at 0s net loss=0.001 dup=0.0;"
                                        + " at 0s drift n1 -1ppm; at 3.406s one-way n2 -> n1,n3,n4,n5; at 5.944s pause n5"
                                        + " 4.255s; at 7.009s heal; at 9.208s partition n2,n3,n5 | n1,n3,n4; at 10.804s"
                                        + " crash n5; at 12.634s pause n2 0.001176757s; at 13.164s restart n5"),
                        List.of(Figure.exactly("crashes", 1), Figure.exactly("workers.exempt.double.failure", 0),
                                Figure.atLeast("workers.restarts.after.crash", 1))),
                Arguments.of("the same, as the swarm found it (before minimizing)",
                        List.of("--seed", "2379", "--scenario", JobSimSwarmTest.WORKERS),
                        List.of(Figure.atLeast("workers.restarts.after.crash", 1))),
                // Worker swarm seed 3224 (passes on the code before these fixes; failed with the make-before-break
                // rule alone): n3, backup of w2, restarted it on itself (its view lost the executor n1 for 0.5 s)
                // with n5 as the new backup, but n5 was paused; n1 came back, and n3 could not tell it before n5
                // confirmed, so both ran w2 for over 5 s. Fixed: a former holder that is back and reachable while
                // the new backup is silent becomes the backup. (Minimizing kept all six fault steps.) Since worker
                // starts carry a lineage (a home checks a stale copy with its partner before answering
                // ALREADY_STARTED, an extra exchange under loss), seed 3224 runs differently and makes no such
                // duplicate. After SWIM's probing changed too (detection under partitions and loss), neither does
                // 3221; seed 3222, a neighbour that makes one (resolved within the grace), is pinned instead. The
                // backup swap itself is pinned by WorkerTest
                // aRestarterWhoseNewBackupIsSilent_takesTheReachableOldExecutorAsBackup_oneInstanceTwoCopies.
                Arguments.of("a restart beside a reachable instance (a false suspicion) is resolved within the grace",
                        List.of("--seed", "3222", "--scenario", JobSimSwarmTest.WORKERS),
                        List.of(Figure.atLeast("workers.duplicates.made.reachable", 1))),
                // Worker swarm seed 3244 (with lineages): n1 held a stale copy of w4 naming n2 as executor (a second
                // registration of w4 had superseded it on n2 while n1 was cut off), and every send or ask through
                // n1 was refused NOT_HERE by n2 and sent to n2 again at once: 50 M events by 21 s, LIVENESS. Fixed: a
                // node whose own copy names the node that refused shows it the copy (it answers with the newer
                // registration) and resends on the tick.
                Arguments.of("a stale holder's messages bounced off the executor its copy named, without end",
                        List.of("--seed", "3244", "--scenario", JobSimSwarmTest.WORKERS),
                        List.of(Figure.atLeast("workers.duplicates.made.reachable", 1))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runs")
    void pinnedRun_passes(String finding, List<String> args, List<Figure> figures) {
        SimulationResult r = RUNNER.run(SimulationOptions.fromArgs(args, () -> {
            throw new AssertionError("a pinned run names its seed");
        }));
        System.out.println(r.report());
        assertThat(r.outcome()).as(r.reproductionCommand() + "\n" + r.report()).isEqualTo(Outcome.PASSED);
        for (Figure f : figures) {
            assertThat(r.figures().get(f.name()).longValue()).as(f.name()).isBetween(f.min(), f.max());
        }
    }
}
