package dev.tandem.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.cluster.runtime.NodeContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Each way a run can end, with its exit code, and the minimiser on a planted bug. */
class OutcomesTest {
    private static final long SEED = 0x5EED_0003L;

    /** Six faults, of which only the duplication can expose the planted duplicate-pong bug. */
    private static final String NOISY_SCHEDULE = "at 0s net loss=0.1 dup=0.3; at 0.5s drift n4 +300ppm;"
            + " at 1s crash n2; at 1.5s pause n3 0.8s; at 2s partition n1,n2 | n3,n4,n5; at 2.5s jump n5 -3s;"
            + " at 3s restart n2; at 3.2s clog n1 -> n4 0.5s; at 4s heal";

    @Test
    void plantedBug_endsCorrectness_andTheMinimiserFindsTheOneFaultThatMatters() {
        Ping.PingWorkload buggy = new Ping.PingWorkload(Ping.Config.defaults().withDuplicatePongBug());
        Scenario s = Ping.scenario("test: duplicate pongs are counted twice", buggy).nodes(5).build();
        SimulationRunner runner = new SimulationRunner(ScenarioCatalog.of(s));
        SimulationResult failing = runner.run(SimulationOptions.scenario(SEED, s.name())
                .withFaults(FaultSchedule.parse(NOISY_SCHEDULE)));
        assertThat(failing.outcome()).as(failing.report()).isEqualTo(Outcome.CORRECTNESS);
        assertThat(failing.exitCode()).isEqualTo(129);
        assertThat(failing.failureKey()).isEqualTo("CORRECTNESS: " + Ping.PONGS_NEVER_EXCEED_PINGS);
        assertThat(failing.report()).contains("SEED=" + SEED, "reproduce: tandem sim --seed " + SEED,
                "FAILED  " + Ping.PONGS_NEVER_EXCEED_PINGS);

        Minimization m = new Minimizer(runner).minimize(failing);
        System.out.println(m);
        assertThat(m.reproduced()).as(m.toString()).isTrue();
        assertThat(m.minimal().outcome()).isEqualTo(Outcome.CORRECTNESS);
        assertThat(m.minimal().faults().size()).as(m.toString()).isEqualTo(1);
        Fault only = m.minimal().faults().steps().get(0).fault();
        assertThat(only).as(m.toString()).isInstanceOf(Fault.LossAndDuplication.class);
        assertThat(((Fault.LossAndDuplication) only).lossRate()).as(m.toString()).isZero();
        assertThat(((Fault.LossAndDuplication) only).duplicateRate()).as(m.toString()).isPositive();
        assertThat(m.minimal().duration()).as(m.toString()).isLessThan(failing.duration());
        assertThat(m.runs()).isLessThanOrEqualTo(Minimizer.DEFAULT_MAX_RUNS);
        // The printed reproduction replays the minimal failure exactly.
        SimulationResult replay = runner.run(SimulationOptions.fromArgs(m.minimal().reproductionArgs(), () -> 0));
        assertThat(replay.traceHash()).isEqualTo(m.minimal().traceHash());
        assertThat(m.reproductionCommand()).startsWith("tandem sim --seed " + SEED + " --scenario 'test: duplicate pongs")
                .contains("--faults 'at 0s net loss=0.0 dup=");
    }

    @Test
    void aPassingRunCannotBeMinimised() {
        SimulationRunner runner = new SimulationRunner(ScenarioCatalog.builtIn());
        SimulationResult passed = runner.run(SimulationOptions.scenario(SEED, "simulator: a rumour spreads on a calm network"));
        assertThat(passed.outcome()).as(passed.report()).isEqualTo(Outcome.PASSED);
        assertThat(passed.exitCode()).isZero();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Minimizer(runner).minimize(passed))
                .hasMessageContaining("nothing to minimise");
    }

    @Test
    void noConvergence_endsLiveness() {
        Ping.PingWorkload w = new Ping.PingWorkload(Ping.Config.defaults().withConvergeNeedsAllUp());
        Scenario s = Ping.scenario("test: a crashed node is never restarted", w).nodes(3)
                .restartCrashedForLiveness(false).build();
        SimulationResult r = Ping.run(s, SEED, "at 1s crash n3");
        assertThat(r.outcome()).as(r.report()).isEqualTo(Outcome.LIVENESS);
        assertThat(r.exitCode()).isEqualTo(128);
        assertThat(r.summary()).contains("not converged 5s after faults stopped (the liveness bound)");
        assertThat(r.verdicts()).last().satisfies(v -> {
            assertThat(v.name()).startsWith("liveness");
            assertThat(v.status()).isEqualTo(InvariantVerdict.Status.FAILED);
            assertThat(v.checks()).isGreaterThan(40);
        });
        // The same scenario converges once the liveness phase restarts crashed nodes.
        Scenario restarting = Scenario.builder(s).restartCrashedForLiveness(true).build();
        SimulationResult ok = Ping.run(restarting, SEED, "at 1s crash n3");
        assertThat(ok.outcome()).as(ok.report()).isEqualTo(Outcome.PASSED);
    }

    @Test
    void exceptionInNodeCode_endsCrash_namingTheNodeAndTheEvent() {
        Ping.PingWorkload w = new Ping.PingWorkload(Ping.Config.defaults().withThrowAfter(Duration.ofSeconds(2)));
        SimulationResult r = Ping.run(Ping.scenario("test: a handler throws", w).nodes(3).build(), SEED, "");
        assertThat(r.outcome()).as(r.report()).isEqualTo(Outcome.CRASH);
        assertThat(r.exitCode()).isEqualTo(127);
        assertThat(r.summary()).containsPattern("n\\d#1 threw java.lang.IllegalStateException: planted bug")
                .contains("while handling a message on channel 64 from n");
        assertThat(r.detail()).contains("at dev.tandem.simulator");
        assertThat(r.failureKey()).isEqualTo("CRASH: java.lang.IllegalStateException");
    }

    @Test
    void invariantThatOnlyHoldsAtQuiescence_isCheckedAtConvergence() {
        List<Integer> everyStepChecks = new ArrayList<>();
        Ping.PingWorkload ping = new Ping.PingWorkload(Ping.Config.defaults());
        Workload<Ping.Node> w = Workload.of("ping + quiescent check", "", roster -> {
            WorkloadRun<Ping.Node> inner = ping.newRun(roster);
            return new WorkloadRun<Ping.Node>() {
                @Override
                public Ping.Node startNode(int node, NodeContext context) {
                    return inner.startNode(node, context);
                }

                @Override
                public List<Invariant<Ping.Node>> invariants() {
                    return List.of(Invariant.atConvergence("every node sent 1000 pings", c -> {
                        everyStepChecks.add(1);
                        return c.state(0).filter(n -> n.pingsSent < 1000).map(n -> "n1 sent only " + n.pingsSent);
                    }));
                }
            };
        });
        Scenario s = Scenario.builder("test: quiescent invariant", w).nodes(2).duration(Duration.ofSeconds(3)).build();
        SimulationResult r = new SimulationRunner(ScenarioCatalog.of(s)).run(SimulationOptions.scenario(SEED, s.name()));
        assertThat(r.outcome()).as(r.report()).isEqualTo(Outcome.CORRECTNESS);
        assertThat(r.summary()).contains("failed at convergence", "n1 sent only 30");
        assertThat(everyStepChecks).hasSize(1);
    }

    @Test
    void eventBudget_endsLiveness_andSaysHowToRaiseIt() {
        Scenario s = Ping.scenario("test: budget", new Ping.PingWorkload(Ping.Config.defaults())).nodes(3).build();
        SimulationResult r = new SimulationRunner(ScenarioCatalog.of(s))
                .run(SimulationOptions.scenario(SEED, s.name()).withMaxEvents(200));
        assertThat(r.outcome()).as(r.report()).isEqualTo(Outcome.LIVENESS);
        assertThat(r.summary()).contains("event budget of 200 events ran out", "raise --max-events");
        assertThat(r.figures().get("events.processed").longValue()).isEqualTo(200);
        assertThat(r.reproductionArgs()).containsSequence("--max-events", "200");
    }

    @Test
    void unboundedScheduling_hitsTheQueueBound_andEndsCrash() {
        Workload<Object> forkBomb = Workload.of("fork bomb", "every task schedules two more", roster -> (node, ctx) -> {
            Runnable[] task = new Runnable[1];
            task[0] = () -> {
                ctx.scheduler().schedule(Duration.ofMillis(1), task[0]);
                ctx.scheduler().schedule(Duration.ofMillis(1), task[0]);
            };
            ctx.scheduler().execute(task[0]);
            return new Object();
        });
        Scenario s = Scenario.builder("test: fork bomb", forkBomb).nodes(1).duration(Duration.ofSeconds(1)).build();
        SimulationResult r = new SimulationRunner(ScenarioCatalog.of(s)).run(SimulationOptions.scenario(SEED, s.name()));
        assertThat(r.outcome()).as(r.report()).isEqualTo(Outcome.CRASH);
        assertThat(r.summary()).contains("events queued", "without bound");
    }

    @Test
    void aScenarioThatFailsToSetUp_endsCrash_notAnException() {
        Workload<Object> broken = Workload.of("broken", "", roster -> {
            throw new IllegalStateException("no config file");
        });
        Scenario s = Scenario.builder("test: broken setup", broken).build();
        SimulationResult r = new SimulationRunner(ScenarioCatalog.of(s)).run(SimulationOptions.scenario(SEED, s.name()));
        assertThat(r.outcome()).isEqualTo(Outcome.CRASH);
        assertThat(r.summary()).contains("setting up scenario 'test: broken setup' failed", "no config file");
    }

    @Test
    void checkersMayNotActOnNodes() {
        Ping.PingWorkload ping = new Ping.PingWorkload(Ping.Config.defaults());
        Workload<Ping.Node> w = Workload.of("ping + meddling checker", "", roster -> {
            WorkloadRun<Ping.Node> inner = ping.newRun(roster);
            return new WorkloadRun<Ping.Node>() {
                @Override
                public Ping.Node startNode(int node, NodeContext context) {
                    return inner.startNode(node, context);
                }

                @Override
                public List<Invariant<Ping.Node>> invariants() {
                    return List.of(Invariant.everyStep("meddles", c -> {
                        c.state(0).ifPresent(n -> n.context.scheduler().execute(() -> { }));
                        return Optional.empty();
                    }));
                }
            };
        });
        Scenario s = Scenario.builder("test: meddling checker", w).nodes(2).build();
        SimulationResult r = new SimulationRunner(ScenarioCatalog.of(s)).run(SimulationOptions.scenario(SEED, s.name()));
        assertThat(r.outcome()).as(r.report()).isEqualTo(Outcome.CRASH);
        assertThat(r.summary()).contains("invariant 'meddles' threw", "outside any node's event");
    }
}
