package dev.tandem.jobs.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.jobs.JobsConfig;
import dev.tandem.simulator.FaultPlans;
import dev.tandem.simulator.Outcome;
import dev.tandem.simulator.Scenario;
import dev.tandem.simulator.ScenarioCatalog;
import dev.tandem.simulator.SimulationOptions;
import dev.tandem.simulator.SimulationResult;
import dev.tandem.simulator.SimulationRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Swarm runs: the simulator's swarm fault plan (which kinds of fault are enabled at all is itself
 * drawn from the seed) over the mixed call/cast workload (also with finished casts forgotten after
 * 2 s), and over the named-workers workload (also with session workers started and stopped, and
 * stopped ones forgotten after 2 s). {@value #DEFAULT_SEEDS} seeds in the
 * normal run; {@code -Dtandem.jobs.swarm.seeds=N -Dtandem.jobs.swarm.first=S} for more. Each
 * failure prints its reproduction command.
 */
class JobSimSwarmTest {
    static final int DEFAULT_SEEDS = 4;
    static final String NAME = "jobs: swarm of faults under calls and casts (N=5)";

    static Scenario swarm() {
        return Scenario.builder(NAME, JobWorkload.workload("jobs", "", new JobWorkload.Mix(200, 250, -1,
                        Duration.ofSeconds(3), Duration.ofMillis(27), 3_000), "uniform"))
                .nodes(5).minNodes(3).duration(Duration.ofSeconds(30)).livenessBound(Duration.ofSeconds(40))
                .convergenceCheckInterval(Duration.ofMillis(250)).faults(FaultPlans.swarm()).build();
    }

    static final String EXPIRY = "jobs: swarm of faults under calls and casts, finished casts forgotten after 2 s (N=5)";

    /** The mixed swarm with a short {@code finishedRetention}: records are forgotten while faults go on. */
    static Scenario expirySwarm() {
        return Scenario.builder(EXPIRY, JobWorkload.workload("jobs", "", new JobWorkload.Mix(200, 250, -1,
                        Duration.ofSeconds(3), Duration.ofMillis(27), 3_000), "uniform",
                        JobsConfig.defaults().withFinishedRetention(JobScenarios.SHORT_RETENTION)))
                .nodes(5).minNodes(3).duration(Duration.ofSeconds(30)).livenessBound(Duration.ofSeconds(40))
                .convergenceCheckInterval(Duration.ofMillis(250)).faults(FaultPlans.swarm()).build();
    }

    static final String WORKERS = "jobs: workers: swarm of faults under starts, stops, sends and asks (N=5)";

    static Scenario workerSwarm() {
        return Scenario.builder(WORKERS, WorkerWorkload.workload("jobs: workers", "", new WorkerWorkload.Mix(
                        Duration.ofSeconds(3), Duration.ofSeconds(15), List.of(0, 2), Duration.ofSeconds(26))))
                .nodes(5).minNodes(3).duration(Duration.ofSeconds(30)).livenessBound(Duration.ofSeconds(40))
                .convergenceCheckInterval(Duration.ofMillis(250)).faults(FaultPlans.swarm()).build();
    }

    static final String WORKER_EXPIRY = "jobs: workers: swarm of faults under starts, stops, sends and asks, and 40"
            + " session workers started and stopped, stopped workers forgotten after 2 s (N=5)";

    /**
     * The worker swarm with a short {@code finishedRetention} and 40 more names started and stopped
     * one after another (a third of them started again once their stop was forgotten): stopped
     * registrations are forgotten while the faults go on, and the checks that a stopped name stays
     * stopped and that a name runs at most one instance still hold.
     */
    static Scenario workerExpirySwarm() {
        return Scenario.builder(WORKER_EXPIRY, WorkerWorkload.workload("jobs: workers", "", new WorkerWorkload.Mix(
                        Duration.ofSeconds(3), Duration.ofSeconds(15), List.of(0, 2), Duration.ofSeconds(26),
                        JobsConfig.defaults().withFinishedRetention(JobScenarios.SHORT_RETENTION), 40)))
                .nodes(5).minNodes(3).duration(Duration.ofSeconds(30)).livenessBound(Duration.ofSeconds(40))
                .convergenceCheckInterval(Duration.ofMillis(250)).faults(FaultPlans.swarm()).build();
    }

    @Test
    void swarmSeeds_pass() {
        run(swarm(), NAME, Integer.getInteger("tandem.jobs.swarm.seeds", DEFAULT_SEEDS));
    }

    @Test
    void expirySwarmSeeds_pass() {
        run(expirySwarm(), EXPIRY, Integer.getInteger("tandem.jobs.swarm.seeds", DEFAULT_SEEDS));
    }

    @Test
    void workerSwarmSeeds_pass() {
        run(workerSwarm(), WORKERS, Integer.getInteger("tandem.jobs.swarm.seeds", DEFAULT_SEEDS));
    }

    @Test
    void workerExpirySwarmSeeds_pass() {
        run(workerExpirySwarm(), WORKER_EXPIRY, Integer.getInteger("tandem.jobs.swarm.seeds", DEFAULT_SEEDS));
    }

    /**
     * One run of the worker expiry swarm, in full: stopped registrations were forgotten while it ran
     * (none were before stopped workers expired), stops of session names were checked, and session
     * names started again after their stop was forgotten run.
     */
    @Test
    void workerExpirySwarmSeed1_forgetsStoppedRegistrations_andChecksStopsAndRestartsAcrossTheExpiry() {
        SimulationResult r = new SimulationRunner(ScenarioCatalog.of(workerExpirySwarm()))
                .run(SimulationOptions.scenario(1, WORKER_EXPIRY));
        System.out.println(r.report());
        assertThat(r.outcome()).as(r.reproductionCommand() + "\n" + r.report()).isEqualTo(Outcome.PASSED);
        assertThat(r.figures().get("workers.registrations.expired").longValue()).as(r.report()).isPositive();
        assertThat(r.figures().get("workers.sessions.stops.checked").longValue()).as(r.report()).isPositive();
        assertThat(r.figures().get("workers.sessions.restarted.after.expiry").longValue()).as(r.report()).isPositive();
    }

    /**
     * Worker expiry swarm seed 998 failed "acknowledged worker w4 runs 0 instances": both holders of w4
     * crashed, 11.3 s apart, the survivor never having declared the first dead (a partition, then the
     * first back as a new incarnation), so nothing restarted it. DESIGN.md allows losing it (both holders
     * failed before either re-replicated); the worker check now exempts such a name as the cast check
     * does (every holder crashed, none let a copy go; figure {@code workers.exempt.both.holders.crashed}).
     * With the first lineage change the seed still lost w4 and passed by the exemption only; with the
     * directory and stale-copy checks the run differs and the exemption does not apply, so the seed must pass with the
     * figure at 0 (no seed of worker expiry swarm 1-4,000 or worker swarm 1-2,500 needs the exemption now).
     */
    @Test
    void workerExpirySwarmSeed998_passes() {
        SimulationResult r = new SimulationRunner(ScenarioCatalog.of(workerExpirySwarm()))
                .run(SimulationOptions.scenario(998, WORKER_EXPIRY));
        assertThat(r.outcome()).as(r.reproductionCommand() + "\n" + r.report()).isEqualTo(Outcome.PASSED);
        assertThat(r.figures().get("workers.exempt.both.holders.crashed").longValue()).as(r.report()).isZero();
    }

    /**
     * Seed 103 of the mixed swarm once failed "every completed call returned its handler's result":
     * {@code call square(537729) returned 929159117041} (963929 squared). The submitter restarted, and
     * an executor whose view still listed its previous incarnation answered that life's request; the
     * new life, whose request ids start again at 1, took the answer for its own. Messages now name
     * the receiver's incarnation, and a node drops what was meant for an earlier life.
     */
    @Test
    void swarmSeed103_aReplyToAnEarlierLifeOfTheSubmitter_isDropped() {
        SimulationResult r = new SimulationRunner(ScenarioCatalog.of(swarm())).run(SimulationOptions.scenario(103, NAME));
        assertThat(r.outcome()).as(r.reproductionCommand() + "\n" + r.report()).isEqualTo(Outcome.PASSED);
        assertThat(r.figures().get("jobs.messages.for.earlier.life.dropped").longValue()).as(r.report()).isPositive();
    }

    /**
     * Seed 560 lost an acknowledged cast with one crash: its backup, cut off from the executor, restarted
     * it on a node it could not reach either, and the executor dropped its own record for that one, which
     * only the backup held; then the backup crashed. A holder now shows a record to a non-holder only once
     * both its holders hold it, and keeps its own copy until then.
     */
    @Test
    void swarmSeed560_aHolderKeepsItsRecordUntilTheNewerOneIsOnBothItsHolders() {
        SimulationResult r = new SimulationRunner(ScenarioCatalog.of(swarm())).run(SimulationOptions.scenario(560, NAME));
        assertThat(r.outcome()).as(r.reproductionCommand() + "\n" + r.report()).isEqualTo(Outcome.PASSED);
        assertThat(r.figures().get("jobs.records.make.before.break").longValue()).as(r.report()).isPositive();
    }

    private static void run(Scenario scenario, String name, int seeds) {
        long first = Long.getLong("tandem.jobs.swarm.first", 1);
        SimulationRunner runner = new SimulationRunner(ScenarioCatalog.of(scenario));
        List<String> failures = new ArrayList<>();
        for (long seed = first; seed < first + seeds; seed++) {
            SimulationResult r = runner.run(SimulationOptions.scenario(seed, name));
            if (seeds == 1) {
                System.out.println(r.report());
            }
            if (r.outcome() != Outcome.PASSED) {
                failures.add(r.outcome() + " " + r.reproductionCommand() + "\n    " + r.summary());
            }
        }
        System.out.println(name + ": " + seeds + " seeds from " + first + ", " + failures.size() + " failed");
        failures.forEach(System.out::println);
        assertThat(failures).isEmpty();
    }
}
