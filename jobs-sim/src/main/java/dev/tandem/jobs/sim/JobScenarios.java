package dev.tandem.jobs.sim;

import dev.tandem.jobs.JobsConfig;
import dev.tandem.simulator.Fault;
import dev.tandem.simulator.FaultPlan;
import dev.tandem.simulator.FaultPlans;
import dev.tandem.simulator.FaultSchedule;
import dev.tandem.simulator.FaultStep;
import dev.tandem.simulator.Sabotage;
import dev.tandem.simulator.Scenario;
import dev.tandem.simulator.ScenarioProvider;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * The jobs module's named simulator scenarios ({@code tandem sim --list}) and sabotages
 * ({@code jobs/accept-stale-results}, {@code jobs/forget-casts-on-crash},
 * {@code jobs/never-resolve-duplicates}), whose runs must end
 * with {@code CORRECTNESS} (exit 129).
 */
public final class JobScenarios implements ScenarioProvider {
    static final String CALM = "jobs: 1,000 uniform calls on a calm cluster (N=5)";
    static final String EXECUTOR_CRASH = "jobs: casts while an executor crashes mid-job (N=5)";
    static final String SUBMITTER_CRASH = "jobs: the submitter crashes right after its casts are acknowledged (N=5)";
    static final String PARTITION = "jobs: calls and casts across a partition that heals (N=5)";
    static final String LEAST_LOADED = "jobs: least-loaded calls and casts, one node crashes (N=5)";
    static final String EXPIRY = "jobs: finished casts forgotten after 2 s while a node restarts and a partition heals (N=5)";
    /** The finished-record retention of {@link #EXPIRY}: short enough to expire records during its faults. */
    static final Duration SHORT_RETENTION = Duration.ofSeconds(2);
    static final String WORKER_CRASH = "jobs: workers: the nodes running named workers crash, one at a time (N=5)";
    static final String WORKER_PARTITION = "jobs: workers: a partition runs a name on both sides, the heal leaves one (N=5)";
    static final String WORKER_ROLLING = "jobs: workers: two nodes join, then a rolling restart (N=5)";

    /** Calls and casts spaced evenly from 3 s (after membership settles) to about 15 s. */
    private static JobWorkload.Mix mix(int calls, int casts, int submitter, int maxWorkMillis) {
        int total = calls + casts;
        return new JobWorkload.Mix(calls, casts, submitter, Duration.ofSeconds(3),
                Duration.ofMillis(Math.max(1, 12_000 / total)), maxWorkMillis);
    }

    @Override
    public List<Scenario> scenarios() {
        return List.of(
                calm(""),
                executorCrash(""),
                base(SUBMITTER_CRASH, "", mix(0, 150, 0, 2_000), "uniform")
                        .faults(FaultPlans.fixed(FaultSchedule.of(new FaultStep(Duration.ofSeconds(15),
                                new Fault.Crash(0)))))
                        .description("all casts go through n1, which crashes when the last are acknowledged;"
                                + " every acknowledged one still runs").build(),
                partition(""),
                base(LEAST_LOADED, "", mix(300, 200, -1, 2_000), "least-loaded").faults(FaultPlans.crash(1))
                        .description("power of two choices over gossiped load; failover as with uniform").build(),
                expiry(),
                workerCrash(""),
                workerPartition(""),
                workerRolling(""));
    }

    @Override
    public List<Sabotage> sabotages() {
        return List.of(
                sabotage("jobs/accept-stale-results", "a holder takes a finished record from an older attempt;"
                        + " caught by '" + JobWorkload.NO_STALE + "'", PARTITION, JobScenarios::partition),
                sabotage("jobs/forget-casts-on-crash", "a backup drops the casts of a crashed executor instead of"
                        + " restarting them; caught by '" + JobWorkload.CASTS_RUN + "'", EXECUTOR_CRASH,
                        JobScenarios::executorCrash),
                sabotage("jobs/never-resolve-duplicates", "a worker instance superseded by a newer one of its name keeps"
                        + " running; caught by '" + WorkerWorkload.STARTS_LIVE + "' or, if a message reaches it first, '"
                        + WorkerWorkload.NO_STALE_DELIVERY + "'", WORKER_PARTITION,
                        JobScenarios::workerPartition));
    }

    private static Sabotage sabotage(String name, String description, String scenario, Function<String, Scenario> make) {
        String rule = name.substring("jobs/".length());
        return new Sabotage(name, description, scenario, target -> {
            if (!target.name().equals(scenario)) {
                throw new IllegalArgumentException("sabotage " + name + " applies to '" + scenario + "', not to '"
                        + target.name() + "'");
            }
            return Scenario.builder(make.apply(rule)).faults(target.faults()).nodes(target.defaultNodes()).build();
        });
    }

    private static Scenario calm(String sabotage) {
        return base(CALM, sabotage, mix(1_000, 0, -1, 0), "uniform")
                .description("every call returns its result; the spread over nodes passes a chi-square test"
                        + " (figure jobs.calls.spread.p)").build();
    }

    private static Scenario executorCrash(String sabotage) {
        return executorCrash(sabotage, JobsConfig.defaults());
    }

    /** The executor-crash scenario with another jobs configuration (tests: a sabotage under a short retention). */
    static Scenario executorCrash(String sabotage, JobsConfig config) {
        return base(EXECUTOR_CRASH, sabotage, mix(0, 300, -1, 3_000), "uniform", config)
                .faults(FaultPlans.fixed(FaultSchedule.of(new FaultStep(Duration.ofSeconds(9), new Fault.Crash(2)))))
                .description("n3 crashes with jobs running; their backups restart them elsewhere with a higher"
                        + " attempt").build();
    }

    /** n1 and n2 are cut off from n3, n4 and n5 from 9 s to 21 s, while jobs of up to 3 s run. */
    static final FaultPlan SPLIT = FaultPlans.fixed(FaultSchedule.of(
            new FaultStep(Duration.ofSeconds(9), new Fault.Partition(List.of(List.of(0, 1), List.of(2, 3, 4)))),
            new FaultStep(Duration.ofSeconds(21), new Fault.Heal())));

    private static Scenario partition(String sabotage) {
        return partition(sabotage, JobsConfig.defaults());
    }

    /** The partition scenario with another jobs configuration (tests: a sabotage under a short retention). */
    static Scenario partition(String sabotage, JobsConfig config) {
        return base(PARTITION, sabotage, mix(200, 250, -1, 3_000), "uniform", config).faults(SPLIT)
                .description("both sides restart what the other side was running; on heal the newer attempt wins"
                        + " and stale results are rejected").build();
    }

    /**
     * n4 crashes at 7 s and is back (empty) at 10 s; n1,n2 | n3,n4,n5 from 13 s to 21 s; casts of up
     * to 2 s from 3 s to 15 s, finished records forgotten after {@link #SHORT_RETENTION}.
     */
    static final FaultPlan RESTART_THEN_SPLIT = FaultPlans.fixed(FaultSchedule.of(
            new FaultStep(Duration.ofSeconds(7), new Fault.Crash(3)),
            new FaultStep(Duration.ofSeconds(10), new Fault.Restart(3)),
            new FaultStep(Duration.ofSeconds(13), new Fault.Partition(List.of(List.of(0, 1), List.of(2, 3, 4)))),
            new FaultStep(Duration.ofSeconds(21), new Fault.Heal())));

    private static Scenario expiry() {
        return base(EXPIRY, "", mix(100, 300, -1, 2_000), "uniform",
                JobsConfig.defaults().withFinishedRetention(SHORT_RETENTION)).faults(RESTART_THEN_SPLIT)
                .description("holders forget finished casts 2 s after both hold the result, during the faults;"
                        + " every acknowledged cast still ran and no stale result is accepted (figures"
                        + " jobs.records.expired; jobs.executions.after.expiry: executions of a job some node had"
                        + " already forgotten)").build();
    }

    // ------------------------------------------------------------------ named workers

    /** Ten names started at 3 s (each twice, from two nodes), two stopped at 5 s, messages until 26 s. */
    private static WorkerWorkload.Mix workers(Duration restartAt, List<Integer> restartFrom) {
        return new WorkerWorkload.Mix(Duration.ofSeconds(3), restartAt, restartFrom, Duration.ofSeconds(26));
    }

    private static Scenario workerCrash(String sabotage) {
        return workerBase(WORKER_CRASH, sabotage, workers(Duration.ZERO, List.of()))
                .faults(FaultPlans.fixed(FaultSchedule.of(
                        new FaultStep(Duration.ofSeconds(9), new Fault.Crash(2)),
                        new FaultStep(Duration.ofSeconds(20), new Fault.Crash(4)))))
                .description("n3 crashes at 9 s and n5 at 20 s (one repair window apart) while clients send and ask:"
                        + " their workers restart elsewhere with a higher incarnation (figure"
                        + " workers.restart.after.crash.seconds.max)").build();
    }

    private static Scenario workerPartition(String sabotage) {
        return workerBase(WORKER_PARTITION, sabotage, workers(Duration.ofSeconds(20), List.of(0, 3))).faults(WORKER_SPLIT)
                .description("n1,n2 | n3,n4,n5 from 6 s to 27 s; the side that lost a worker's node restarts it and"
                        + " at 20 s every name is started again on both sides; after the heal one instance per name"
                        + " remains (figure workers.duplicates.resolved.seconds.after.heal)").build();
    }

    /** n1 and n2 are cut off from n3, n4 and n5 from 6 s to 27 s (SWIM may take over 10 s to declare the other side dead). */
    static final FaultPlan WORKER_SPLIT = FaultPlans.fixed(FaultSchedule.of(
            new FaultStep(Duration.ofSeconds(6), new Fault.Partition(List.of(List.of(0, 1), List.of(2, 3, 4)))),
            new FaultStep(Duration.ofSeconds(27), new Fault.Heal())));

    private static Scenario workerRolling(String sabotage) {
        return workerBase(WORKER_ROLLING, sabotage, workers(Duration.ZERO, List.of()))
                .faults(FaultPlans.fixed(FaultSchedule.of(
                        new FaultStep(Duration.ofSeconds(5), new Fault.Join(3)),
                        new FaultStep(Duration.ofSeconds(7), new Fault.Join(4)),
                        new FaultStep(Duration.ofSeconds(10), new Fault.Crash(0)),
                        new FaultStep(Duration.ofSeconds(12), new Fault.Restart(0)),
                        new FaultStep(Duration.ofSeconds(21), new Fault.Crash(1)),
                        new FaultStep(Duration.ofSeconds(23), new Fault.Restart(1)))))
                .description("workers start on n1-n3; n4 and n5 join; n1 then n2 restart, 11 s apart: every worker"
                        + " keeps exactly one instance").build();
    }

    private static Scenario.Builder workerBase(String name, String sabotage, WorkerWorkload.Mix mix) {
        return Scenario.builder(name, WorkerWorkload.workload("jobs: workers", sabotage, mix))
                .nodes(5).minNodes(3).duration(Duration.ofSeconds(30)).livenessBound(Duration.ofSeconds(40))
                .convergenceCheckInterval(Duration.ofMillis(250));
    }

    private static Scenario.Builder base(String name, String sabotage, JobWorkload.Mix mix, String scheduler) {
        return base(name, sabotage, mix, scheduler, JobsConfig.defaults());
    }

    private static Scenario.Builder base(String name, String sabotage, JobWorkload.Mix mix, String scheduler,
                                         JobsConfig config) {
        return Scenario.builder(name, JobWorkload.workload(name.substring(0, name.indexOf(':')), sabotage, mix, scheduler,
                        config))
                .nodes(5).minNodes(3).duration(Duration.ofSeconds(30)).livenessBound(Duration.ofSeconds(40))
                .convergenceCheckInterval(Duration.ofMillis(250));
    }
}
