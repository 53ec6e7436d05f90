package dev.tandem.placement.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.cluster.KeyHash;
import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.spi.PlacementAnalysis;
import dev.tandem.cluster.spi.PlacementNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Ring-specific properties beyond the shared contract, including white-box checks of the points. */
class RingTableTest {

    private static List<PlacementNode> named(int n) {
        List<PlacementNode> out = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            out.add(new PlacementNode(new NodeId("node-" + i, 1)));
        }
        return out;
    }

    private static List<String> owners(RingTable table, String key, int replicas) {
        return table.owners(KeyHash.of(key), replicas).stream().map(NodeId::name).toList();
    }

    /**
     * Pinned owners: where keys live is a commitment between versions, so a change to point
     * positions, key positions or tie-breaks must fail here and be a decision.
     */
    @Test
    void placementIsFrozen() {
        RingTable defaults = RingTable.of(named(5), RingPlacementProvider.DEFAULT_VIRTUAL_NODES);
        assertThat(owners(defaults, "key-1", 5)).containsExactly("node-5", "node-2", "node-1", "node-4", "node-3");
        assertThat(owners(defaults, "tandem", 2)).containsExactly("node-4", "node-5");
        RingTable sixteen = RingTable.of(named(5), 16);
        assertThat(owners(sixteen, "key-1", 5)).containsExactly("node-3", "node-5", "node-1", "node-2", "node-4");
        assertThat(owners(sixteen, "tandem", 2)).containsExactly("node-2", "node-5");
        List<PlacementNode> weighted = new ArrayList<>(named(5));
        weighted.set(2, new PlacementNode(weighted.get(2).id(), 3.0));
        RingTable heavy = RingTable.of(weighted, RingPlacementProvider.DEFAULT_VIRTUAL_NODES);
        assertThat(owners(heavy, "key-1", 5)).containsExactly("node-5", "node-3", "node-2", "node-1", "node-4");
        assertThat(owners(heavy, "tandem", 2)).containsExactly("node-4", "node-5");
    }

    @Test
    void pointsAreSorted_andEveryNodePlacesRoundOfWeightTimesVirtualNodes() {
        List<PlacementNode> nodes = List.of(new PlacementNode(new NodeId("a", 1), 1.0),
                new PlacementNode(new NodeId("b", 1), 2.5), new PlacementNode(new NodeId("c", 1), 0.001));
        RingTable table = RingTable.of(nodes, 10);
        assertThat(table.pointCount()).isEqualTo(10 + 25 + 1);
        int a = 0;
        int b = 0;
        int c = 0;
        for (int p = 0; p < table.pointCount(); p++) {
            if (p > 0) {
                assertThat(table.point(p)).isGreaterThanOrEqualTo(table.point(p - 1));
            }
            switch (table.pointOwner(p).name()) {
                case "a" -> a++;
                case "b" -> b++;
                default -> c++;
            }
        }
        assertThat(new int[] {a, b, c}).as("points of a, b, c").containsExactly(10, 25, 1);
    }

    /** White-box form of the contract's wrap-around check: keys beyond the largest point. */
    @Test
    void keysPastTheLargestPoint_areOwnedFromTheSmallestPointOn() {
        for (int n = 2; n <= 6; n++) {
            RingTable table = RingTable.of(named(n), 3);
            long last = table.point(table.pointCount() - 1);
            for (long key : new long[] {last + 1, Long.MAX_VALUE}) {
                if (key <= last) {
                    continue; // last == MAX_VALUE: nothing lies beyond it
                }
                List<NodeId> owners = table.owners(key, n);
                assertThat(owners).as("N=%s key %s past %s", n, key, last).hasSize(n);
                assertThat(owners.get(0)).isEqualTo(table.pointOwner(0));
                assertThat(new HashSet<>(owners)).hasSize(n);
            }
            // A key exactly on a point belongs to that point's node first.
            assertThat(table.owners(table.point(1), 1)).containsExactly(table.pointOwner(1));
        }
    }

    @Test
    void ownersSkipFurtherPointsOfNodesAlreadyChosen() {
        RingTable table = RingTable.of(named(3), 50);
        for (int p = 0; p + 1 < table.pointCount(); p++) {
            if (table.pointOwner(p).equals(table.pointOwner(p + 1))) {
                List<NodeId> owners = table.owners(table.point(p), 2);
                assertThat(owners.get(0)).isEqualTo(table.pointOwner(p));
                assertThat(owners.get(1)).isNotEqualTo(owners.get(0));
                return;
            }
        }
        throw new AssertionError("150 points of 3 nodes with no two neighbours of one node");
    }

    @Test
    void aLeaversCopiesAreSpreadOverManySurvivors() {
        // With many points per node, the arcs a leaver owned follow points of many different nodes.
        List<PlacementNode> nodes = named(16);
        RingTable before = RingTable.of(nodes, RingPlacementProvider.DEFAULT_VIRTUAL_NODES);
        RingTable after = RingTable.of(nodes.subList(1, 16), RingPlacementProvider.DEFAULT_VIRTUAL_NODES);
        Set<String> receivers = new HashSet<>();
        for (long h : PlacementAnalysis.keyHashes(5, 50_000)) {
            List<NodeId> was = before.owners(h, 2);
            if (was.stream().anyMatch(id -> id.name().equals("node-1"))) {
                for (NodeId now : after.owners(h, 2)) {
                    if (!was.contains(now)) {
                        receivers.add(now.name());
                    }
                }
            }
        }
        assertThat(receivers).hasSize(15);
    }

    @Test
    void weightsNeedingTooManyPoints_areRejected_sayingWhatToDo() {
        List<PlacementNode> nodes = List.of(new PlacementNode(new NodeId("a", 1)),
                new PlacementNode(new NodeId("huge", 1), 1_000_000));
        assertThatThrownBy(() -> RingTable.of(nodes, 2048))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a ring of 2 nodes with virtual-nodes=2048 and these weights needs more than 4194304 points"
                        + " (node huge#1 of weight 1000000.0 alone needs 2048000000); weights are relative, so give a"
                        + " typical node weight 1, or lower virtual-nodes");
    }

    @Test
    void duplicateNames_areRejected_withBothIds() {
        assertThatThrownBy(() -> RingTable.of(List.of(new PlacementNode(new NodeId("x", 1)),
                new PlacementNode(new NodeId("x", 2))), 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("two nodes are named 'x': x#1 and x#2; placement needs one node per name"
                        + " (keep only the newest incarnation)");
    }
}
