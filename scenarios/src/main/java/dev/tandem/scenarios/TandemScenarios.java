package dev.tandem.scenarios;

import dev.tandem.cluster.NodeAddress;
import dev.tandem.discovery.gossip.GossipDiscoveryProvider;
import dev.tandem.discovery.gossip.GossipSettings;
import dev.tandem.discovery.gossip.StaticDiscoveryProvider;
import dev.tandem.simulator.Fault;
import dev.tandem.simulator.FaultPlan;
import dev.tandem.simulator.FaultSchedule;
import dev.tandem.simulator.FaultStep;
import dev.tandem.simulator.MembershipScenarios;
import dev.tandem.simulator.Sabotage;
import dev.tandem.simulator.Scenario;
import dev.tandem.simulator.ScenarioProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Tandem's own scenarios, found by {@code ScenarioCatalog.installed()}: the standard membership
 * scenarios run over the real SWIM membership of {@code discovery-gossip}, once joining through a
 * static seed list ({@value #STATIC}) and once through authenticated beacons ({@value #GOSSIP});
 * and the membership sabotages.
 *
 * <p>Bounds follow from SWIM's default settings (1s protocol period, suspicion multiplier 4, max
 * multiplier 6): a lone accuser's suspicion lasts at most {@code 24 s × max(1, log10 n)}; a
 * crashed node must be gone from every healthy view within that plus 10 periods (a probe round,
 * the confirmations and the spread of the verdict), and a node counts as healthy again that long
 * plus 10 s after its last trouble.
 */
public final class TandemScenarios implements ScenarioProvider {
    /** Prefix of the scenarios that join through seeds {@code n1..n3}. */
    public static final String STATIC = "membership";
    /** Prefix of the scenarios that join through beacons. */
    public static final String GOSSIP = "membership (gossip)";
    /** The cluster secret of the simulated beacon clusters (simulation only). */
    static final String SECRET = "simulated-cluster-secret";
    private static final int SEEDS = 3;

    /** How long SWIM may take to remove a crashed node from every healthy view, for {@code nodes} nodes. */
    static Duration detectionBound(int nodes) {
        double log = Math.max(1, Math.log10(Math.max(1, nodes)));
        return Duration.ofMillis(Math.round(24_000 * log) + 10_000);
    }

    static final MembershipScenarios.Bounds SWIM_BOUNDS = new MembershipScenarios.Bounds(
            TandemScenarios::detectionBound, n -> detectionBound(n).plusSeconds(10), 0.10,
            Duration.ofSeconds(30), Duration.ofSeconds(60));

    /**
     * The measurement behind the detection figures: a crash among partitions and loss, the
     * conditions under which Lifeguard's local health once slowed every survivor's probing so far
     * that a crashed member went undetected for over 10 s (jobs-sim swarm seeds 998, 1402, 2236).
     */
    public static final String CRASH_AMID_PARTITIONS = STATIC + ": crash one of 5 amid partitions and 5-20% loss";

    @Override
    public List<Scenario> scenarios() {
        List<Scenario> all = new ArrayList<>(membership(GossipSettings.Sabotage.NONE).values());
        all.add(crashAmidPartitions());
        return all;
    }

    /**
     * {@value #CRASH_AMID_PARTITIONS}: 5 nodes, loss drawn from 5-20% for the whole 60 s safety
     * phase, and partitions that come and go all along it (every 1-6 s, each lasting 1-6 s, each
     * one of: split in two, isolate one, a bridge, one-way). One node crashes 15-30 s in, once the
     * partitions have had time to weigh on every node's local health, and stays down. Its figure
     * {@code membership.detection.seconds.max} is the time from the crash until no up node lists
     * it live any more: how long a survivor can go on counting a dead member.
     */
    static Scenario crashAmidPartitions() {
        MembershipScenarios.Bounds bounds = new MembershipScenarios.Bounds(SWIM_BOUNDS.detection(), SWIM_BOUNDS.quiet(),
                SWIM_BOUNDS.maxHealthyLossRate(), Duration.ofSeconds(60), Duration.ofSeconds(60));
        return Scenario.builder(CRASH_AMID_PARTITIONS, MembershipScenarios.workload(STATIC, (node, roster) ->
                        new StaticDiscoveryProvider().create(GossipSettings.staticSeeds(
                                roster.addresses().subList(0, Math.min(SEEDS, roster.size())))), bounds))
                .description("how long survivors keep counting a crashed member while partitions and loss"
                        + " weigh on their local health; see membership.detection.seconds.max")
                .nodes(5).minNodes(3).duration(bounds.safety()).livenessBound(bounds.liveness())
                .bootSpread(Duration.ofMillis(500)).restartCrashedForLiveness(false)
                .faults(partitionsLossAndACrash()).build();
    }

    private static FaultPlan partitionsLossAndACrash() {
        return c -> {
            List<FaultStep> steps = new ArrayList<>();
            long total = c.duration().toMillis();
            double loss = Math.round(c.random().nextDouble(0.05, 0.20) * 1000) / 1000.0;
            steps.add(new FaultStep(Duration.ZERO, new Fault.LossAndDuplication(loss, 0)));
            long crashAt = total / 4 + c.random().nextLong(total / 4 + 1);
            int crashed = c.anyNode();
            steps.add(new FaultStep(Duration.ofMillis(crashAt), new Fault.Crash(crashed)));
            for (long t = 1_000 + c.random().nextLong(5_000); t < total - 1_000; ) {
                steps.add(new FaultStep(Duration.ofMillis(t), partition(c.shuffledNodes(), c.random().nextInt(4))));
                long heal = Math.min(total - 1, t + 1_000 + c.random().nextLong(5_000));
                steps.add(new FaultStep(Duration.ofMillis(heal), new Fault.Heal()));
                t = heal + 1_000 + c.random().nextLong(5_000);
            }
            return FaultSchedule.of(steps);
        };
    }

    /** One of the swarm's partition shapes over the shuffled {@code order}. */
    private static Fault partition(List<Integer> order, int variant) {
        int n = order.size();
        int half = n / 2;
        return switch (variant) {
            case 0 -> new Fault.Partition(List.of(order.subList(0, half), order.subList(half, n)));
            case 1 -> new Fault.Partition(List.of(order.subList(0, 1), order.subList(1, n)));
            case 2 -> {
                List<Integer> left = new ArrayList<>(order.subList(1, 1 + (n - 1) / 2));
                List<Integer> right = new ArrayList<>(order.subList(1 + (n - 1) / 2, n));
                left.add(order.get(0));
                right.add(order.get(0));
                yield new Fault.Partition(List.of(left, right));
            }
            default -> new Fault.OneWay(order.subList(0, 1), order.subList(1, n));
        };
    }

    @Override
    public List<Sabotage> sabotages() {
        return List.of(
                sabotage(GossipSettings.Sabotage.IGNORE_REFUTATION,
                        "nodes never refute suspicions about themselves, so healthy nodes are declared DEAD;"
                                + " caught by: no healthy node is declared DEAD",
                        STATIC + ": 5% loss for 10 minutes, nobody fails (N=10)"),
                sabotage(GossipSettings.Sabotage.NEVER_SUSPECT,
                        "nodes never suspect a member that misses probes, so crashes go undetected;"
                                + " caught by: a crashed node is declared not live within the bound",
                        STATIC + ": crash one of 5, it stays down"));
    }

    private static Sabotage sabotage(GossipSettings.Sabotage rule, String description, String scenario) {
        return new Sabotage("membership/" + rule.optionValue(), description, scenario, target -> {
            Scenario broken = membership(rule).get(target.name());
            if (broken == null) {
                throw new IllegalArgumentException("sabotage membership/" + rule.optionValue()
                        + " breaks SWIM membership; it applies to the '" + STATIC + ": ...' and '" + GOSSIP
                        + ": ...' scenarios, not to '" + target.name() + "'");
            }
            return broken;
        });
    }

    /** Both variants of the standard membership scenarios, by name, with {@code rule} broken. */
    private static Map<String, Scenario> membership(GossipSettings.Sabotage rule) {
        Map<String, Scenario> byName = new TreeMap<>();
        for (Scenario s : MembershipScenarios.scenarios(STATIC, (node, roster) -> {
            List<NodeAddress> seeds = roster.addresses().subList(0, Math.min(SEEDS, roster.size()));
            return new StaticDiscoveryProvider().create(GossipSettings.staticSeeds(seeds).withSabotage(rule));
        }, SWIM_BOUNDS)) {
            byName.put(s.name(), s);
        }
        for (Scenario s : MembershipScenarios.scenarios(GOSSIP, (node, roster) ->
                new GossipDiscoveryProvider().create(GossipSettings.beacons(SECRET).withSabotage(rule)), SWIM_BOUNDS)) {
            byName.put(s.name(), s);
        }
        return byName;
    }
}
