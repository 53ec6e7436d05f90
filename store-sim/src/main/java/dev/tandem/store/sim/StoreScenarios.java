package dev.tandem.store.sim;

import dev.tandem.simulator.FaultPlans;
import dev.tandem.simulator.Scenario;
import dev.tandem.simulator.ScenarioProvider;
import dev.tandem.simulator.Workload;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The store's named simulator scenarios ({@code tandem sim --list}), plus sabotaged variants named
 * {@code "store sabotage NAME: ..."} whose runs must end with {@code CORRECTNESS} (exit 129):
 * {@code ack-after-one-copy}, {@code drop-before-confirm}, {@code ignore-versions}. (The store's
 * fourth sabotage, {@code skip-anti-entropy}, needs a write that times out on one owner with no
 * membership change; its check lives in the store module's own {@code SabotageTest}.)
 */
public final class StoreScenarios implements ScenarioProvider {

    @Override
    public List<Scenario> scenarios() {
        Workload<StoreWorkload.StoreSimNode> w = StoreWorkload.workload("");
        List<Scenario> all = new ArrayList<>(List.of(
                base("store: kill one of 3", w, 3).faults(FaultPlans.crash(1)).restartCrashedForLiveness(false)
                        .description("the survivors re-create the lost copies; every acknowledged write survives").build(),
                base("store: crash one of 5, restart it", w, 5).faults(FaultPlans.crashAndRestart(1))
                        .description("the restarted node (new incarnation, empty) gets its partitions back").build(),
                base("store: rolling restart of every node (N=4)", w, 4).faults(rolling(4))
                        .description("each node in turn crashes and restarts, one repair window apart").build(),
                base("store: split in two with writes on both sides, then heal (N=5)", w, 5).minNodes(4)
                        .faults(FaultPlans.splitInTwo())
                        .description("both sides stay available; versions merge on heal (LWW)").build(),
                base("store: 10% loss and 5% duplication (N=5)", w, 5).faults(FaultPlans.lossy(0.10, 0.05)).build(),
                base("store: a long GC pause on one of 5", w, 5).faults(FaultPlans.pause(1)).build(),
                base("store: clocks skewed by up to 500 ms and drifting (N=4)", w, 4).clockSkew(Duration.ofMillis(500))
                        .faults(FaultPlans.clockDrift(2_000)).build(),
                joins("store: 5 nodes join one by one while clients write", StoreWorkload.failureFree(""))
                        .description("every join rebalances make-before-break: never below two copies").build()));
        all.add(base("store sabotage ack-after-one-copy: kill one of 3", StoreWorkload.workload("ack-after-one-copy"), 3)
                .faults(FaultPlans.crash(1)).restartCrashedForLiveness(false)
                .description("deliberately broken; the run must fail with CORRECTNESS").build());
        all.add(joins("store sabotage drop-before-confirm: 5 nodes join one by one",
                StoreWorkload.failureFree("drop-before-confirm"))
                .description("deliberately broken; the run must fail with CORRECTNESS").build());
        all.add(base("store sabotage ignore-versions: 10% loss and 20% duplication (N=5)",
                StoreWorkload.workload("ignore-versions"), 5).faults(FaultPlans.lossy(0.10, 0.20))
                .description("deliberately broken; the run must fail with CORRECTNESS").build());
        return all;
    }

    private static dev.tandem.simulator.FaultPlan rolling(int nodes) {
        return c -> {
            List<dev.tandem.simulator.FaultStep> steps = new ArrayList<>();
            long slot = c.duration().toMillis() / (nodes + 1);
            for (int i = 0; i < nodes; i++) {
                steps.add(new dev.tandem.simulator.FaultStep(Duration.ofMillis(slot * i + slot / 4),
                        new dev.tandem.simulator.Fault.Crash(i)));
                steps.add(new dev.tandem.simulator.FaultStep(Duration.ofMillis(slot * i + slot / 2),
                        new dev.tandem.simulator.Fault.Restart(i)));
            }
            return dev.tandem.simulator.FaultSchedule.of(steps);
        };
    }

    private static Scenario.Builder joins(String name, Workload<StoreWorkload.StoreSimNode> w) {
        return base(name, w, 5).bootSpread(Duration.ofSeconds(15));
    }

    private static Scenario.Builder base(String name, Workload<StoreWorkload.StoreSimNode> w, int nodes) {
        return Scenario.builder(name, w).nodes(nodes).minNodes(3).duration(Duration.ofSeconds(30))
                .livenessBound(Duration.ofSeconds(40)).convergenceCheckInterval(Duration.ofMillis(250));
    }
}
