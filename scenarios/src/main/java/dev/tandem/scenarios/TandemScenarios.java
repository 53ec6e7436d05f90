package dev.tandem.scenarios;

import dev.tandem.cluster.NodeAddress;
import dev.tandem.discovery.gossip.GossipDiscoveryProvider;
import dev.tandem.discovery.gossip.GossipSettings;
import dev.tandem.discovery.gossip.StaticDiscoveryProvider;
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

    @Override
    public List<Scenario> scenarios() {
        List<Scenario> all = new ArrayList<>(membership(GossipSettings.Sabotage.NONE).values());
        return all;
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
