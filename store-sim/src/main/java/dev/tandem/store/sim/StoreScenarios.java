package dev.tandem.store.sim;

import dev.tandem.simulator.Fault;
import dev.tandem.simulator.FaultPlan;
import dev.tandem.simulator.FaultPlans;
import dev.tandem.simulator.FaultSchedule;
import dev.tandem.simulator.FaultStep;
import dev.tandem.simulator.Sabotage;
import dev.tandem.simulator.Scenario;
import dev.tandem.simulator.ScenarioProvider;
import dev.tandem.simulator.Workload;
import dev.tandem.store.api.StoreConfig;
import dev.tandem.store.internal.SimAccess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The store's named simulator scenarios ({@code tandem sim --list}) and the store's sabotages
 * ({@code tandem sim --sabotage store/NAME}): each breaks one rule in every store node and names
 * the scenario whose checkers must catch it (the run ends with {@code CORRECTNESS}, exit 129);
 * it applies to any {@code "store: ..."} scenario.
 */
public final class StoreScenarios implements ScenarioProvider {
    /** The prefix of every store scenario name. */
    static final String PREFIX = "store: ";
    static final String KILL_ONE_OF_3 = PREFIX + "kill one of 3";
    static final String JOIN_ONE_BY_ONE = PREFIX + "5 nodes join one by one while clients write";
    static final String MISSED_WRITES = PREFIX + "an owner is cut off for 1.6 s, its writes time out on one copy,"
            + " no view change (N=3)";
    static final String DUPLICATION = PREFIX + "10% loss, 20% duplication and reordering (N=5)";

    @Override
    public List<Scenario> scenarios() {
        List<Scenario> out = new ArrayList<>(all("").values());
        out.addAll(StoreFigures.scenarios(StoreFigures.SMALL));
        out.addAll(StoreFigures.scenarios(StoreFigures.LARGE));
        return List.copyOf(out);
    }

    @Override
    public List<Sabotage> sabotages() {
        return List.of(
                sabotage("ack-after-one-copy", "a put completes when one node holds it; caught by: a write is held"
                        + " by two nodes when acknowledged", KILL_ONE_OF_3),
                sabotage("drop-before-confirm", "a node drops a partition it no longer owns before the new owners"
                        + " confirmed their copies; caught by: no failure => never fewer than two copies",
                        JOIN_ONE_BY_ONE),
                sabotage("skip-anti-entropy", "owners never compare digests; caught by: owners that disagree"
                        + " agree again within 10 s (a write that reached one owner only stays there)", MISSED_WRITES),
                sabotage("ignore-versions", "replicas apply whatever version arrives last (no LWW); caught by:"
                        + " two copies of the latest acknowledged write at convergence", DUPLICATION));
    }

    private static Sabotage sabotage(String rule, String description, String scenario) {
        if (!SimAccess.sabotages().contains(rule)) {
            throw new IllegalStateException("the store has no sabotage '" + rule + "': " + SimAccess.sabotages());
        }
        return new Sabotage("store/" + rule, description, scenario, target -> {
            Scenario broken = all(rule).get(target.name());
            if (broken == null) {
                throw new IllegalArgumentException("sabotage store/" + rule + " breaks the store; it applies to the '"
                        + PREFIX + "...' scenarios, not to '" + target.name() + "'");
            }
            return broken;
        });
    }

    /** Every store scenario, by name, with the store nodes running {@code sabotage} ({@code ""}: none). */
    static Map<String, Scenario> all(String sabotage) {
        return all(sabotage, StoreWorkload.CONFIG);
    }

    /** As {@link #all(String)} with the store nodes running {@code config} (tests: e.g. a guard turned off). */
    static Map<String, Scenario> all(String sabotage, StoreConfig config) {
        Workload<StoreWorkload.StoreSimNode> w = StoreWorkload.workload(sabotage, config);
        Workload<StoreWorkload.StoreSimNode> calm = StoreWorkload.failureFree(sabotage, config);
        List<Scenario> all = List.of(
                base(KILL_ONE_OF_3, w, 3).faults(FaultPlans.crash(1)).restartCrashedForLiveness(false)
                        .description("the survivors re-create the lost copies; every acknowledged write survives").build(),
                base(PREFIX + "crash one of 5, restart it", w, 5).faults(FaultPlans.crashAndRestart(1))
                        .description("the restarted node (new incarnation, empty) gets its partitions back").build(),
                base(PREFIX + "rolling restart of every node (N=4)", w, 4).faults(rolling(4))
                        .description("each node in turn crashes and restarts, one repair window apart").build(),
                base(PREFIX + "split in two with writes on both sides, then heal (N=5)", w, 5).minNodes(4)
                        .faults(FaultPlans.splitInTwo())
                        .description("both sides stay available; versions merge on heal (LWW)").build(),
                base(DUPLICATION, w, 5).faults(FaultPlans.lossy(0.10, 0.20))
                        .description("every message may be lost, delivered twice or overtaken; replays are idempotent")
                        .build(),
                base(PREFIX + "a long GC pause on one of 5", w, 5).faults(FaultPlans.pause(1)).build(),
                base(PREFIX + "a node paused for 10 s (N=5)", w, 5)
                        .faults(FaultPlans.fixed(FaultSchedule.parse("at 8s pause n2 10s")))
                        .description("longer than SWIM's suspicion: n2 is declared dead, its partitions are "
                                + "re-replicated, it refutes on waking and rejoins; nothing acknowledged is lost")
                        .build(),
                base(PREFIX + "clocks skewed by up to 500 ms and drifting (N=4)", StoreWorkload.workload(sabotage,
                        config.withMaxClockOffset(Duration.ofMillis(1250))), 4)
                        .clockSkew(Duration.ofMillis(500)).faults(FaultPlans.clockDrift(2_000))
                        .description("two clocks may be 1 s apart (plus drift), so the store tolerates 1.25 s"
                                + " (maxClockOffset): writes must keep completing").build(),
                base(JOIN_ONE_BY_ONE, calm, 5).bootSpread(Duration.ofSeconds(15))
                        .description("every join rebalances make-before-break: never below two copies").build(),
                base(PREFIX + "a 3rd node joins 2 holding data", calm, 3).faults(joins(Duration.ofSeconds(8), 2))
                        .duration(Duration.ofSeconds(20))
                        .description("n3 boots at 8 s; its partitions move make-before-break while clients write").build(),
                base(PREFIX + "two join at once (2 + 2)", calm, 4).faults(joins(Duration.ofSeconds(8), 2, 3))
                        .minNodes(4).duration(Duration.ofSeconds(20))
                        .description("n3 and n4 boot together at 8 s; one rebalance or two, never below two copies")
                        .build(),
                base(PREFIX + "crash during a rebalance (3 + 1 joins, then one of the 3 crashes)", w, 4).minNodes(4)
                        .faults(crashDuringRebalance()).restartCrashedForLiveness(false).duration(Duration.ofSeconds(20))
                        .description("n4 joins at 8 s; an old node crashes 0.2-2.5 s later, while partitions move")
                        .build(),
                base(PREFIX + "a second crash after the repair window (N=4)", w, 4).minNodes(4)
                        .faults(secondCrash()).restartCrashedForLiveness(false).duration(Duration.ofSeconds(25))
                        .description("two nodes crash 12 s apart (repair window 10 s): no acknowledged write is lost")
                        .build(),
                base(MISSED_WRITES, StoreWorkload.workload(sabotage, StoreWorkload.CONFIG
                        .withOperationTimeout(Duration.ofMillis(500))), 3)
                        .faults(cutOffAtTheEnd()).duration(Duration.ofSeconds(12))
                        .description("only anti-entropy can repair the owners' disagreement: clients stop when the"
                                + " cut ends, and SWIM only suspects (4 s) so no view changes").build());
        Map<String, Scenario> byName = new TreeMap<>();
        all.forEach(s -> byName.put(s.name(), s));
        return byName;
    }

    /** The given nodes boot (join) at {@code at}; the others boot at the start. */
    private static FaultPlan joins(Duration at, int... nodes) {
        List<FaultStep> steps = new ArrayList<>();
        for (int n : nodes) {
            steps.add(new FaultStep(at, new Fault.Join(n)));
        }
        return FaultPlans.fixed(FaultSchedule.of(steps));
    }

    /** n4 joins 3 at 8 s; one of n1..n3 crashes 0.2-2.5 s later (views change about 1 s after the join). */
    private static FaultPlan crashDuringRebalance() {
        return c -> FaultSchedule.of(new FaultStep(Duration.ofSeconds(8), new Fault.Join(3)),
                new FaultStep(Duration.ofMillis(8_200 + c.random().nextInt(2_300)), new Fault.Crash(c.random().nextInt(3))));
    }

    /** A random node crashes at 4-6 s, another 12 s later: more than one repair window apart. */
    private static FaultPlan secondCrash() {
        return c -> {
            List<Integer> order = c.shuffledNodes();
            Duration first = Duration.ofMillis(4_000 + c.random().nextInt(2_000));
            return FaultSchedule.of(new FaultStep(first, new Fault.Crash(order.get(0))),
                    new FaultStep(first.plusSeconds(12), new Fault.Crash(order.get(1))));
        };
    }

    /**
     * One node is cut off from the others for the last 1.6 s of the safety phase (the liveness
     * phase heals the network): writes it coordinates land on its own copy only and time out after
     * 500 ms; SWIM suspects but does not remove anyone in that time.
     */
    private static FaultPlan cutOffAtTheEnd() {
        return c -> {
            List<Integer> order = c.shuffledNodes();
            Duration at = c.duration().minusMillis(1_600);
            return FaultSchedule.of(new FaultStep(at, new Fault.Partition(List.of(order.subList(0, 1),
                    order.subList(1, order.size())))));
        };
    }

    private static FaultPlan rolling(int nodes) {
        return c -> {
            List<FaultStep> steps = new ArrayList<>();
            long slot = c.duration().toMillis() / (nodes + 1);
            for (int i = 0; i < nodes; i++) {
                steps.add(new FaultStep(Duration.ofMillis(slot * i + slot / 4), new Fault.Crash(i)));
                steps.add(new FaultStep(Duration.ofMillis(slot * i + slot / 2), new Fault.Restart(i)));
            }
            return FaultSchedule.of(steps);
        };
    }

    private static Scenario.Builder base(String name, Workload<StoreWorkload.StoreSimNode> w, int nodes) {
        return Scenario.builder(name, w).nodes(nodes).minNodes(3).duration(Duration.ofSeconds(30))
                .livenessBound(Duration.ofSeconds(40)).convergenceCheckInterval(Duration.ofMillis(250));
    }
}
