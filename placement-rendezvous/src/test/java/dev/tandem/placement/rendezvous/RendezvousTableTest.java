package dev.tandem.placement.rendezvous;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tandem.cluster.KeyHash;
import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.spi.PlacementAnalysis;
import dev.tandem.cluster.spi.PlacementNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Rendezvous-specific properties beyond the shared contract. */
class RendezvousTableTest {
    private static final long SEED = 7_771;

    private static List<PlacementNode> named(int n) {
        List<PlacementNode> out = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            out.add(new PlacementNode(new NodeId("node-" + i, 1)));
        }
        return out;
    }

    private static List<String> owners(RendezvousTable table, String key, int replicas) {
        return table.owners(KeyHash.of(key), replicas).stream().map(NodeId::name).toList();
    }

    /**
     * Pinned owners: where keys live is a commitment between versions, so a change to the draw,
     * the score or the tie-breaks must fail here and be a decision.
     */
    @Test
    void placementIsFrozen() {
        RendezvousTable uniform = RendezvousTable.of(named(5));
        assertThat(owners(uniform, "key-1", 5)).containsExactly(GOLDEN_UNIFORM_KEY_1);
        assertThat(owners(uniform, "tandem", 2)).containsExactly(GOLDEN_UNIFORM_TANDEM);
        List<PlacementNode> weighted = new ArrayList<>(named(5));
        weighted.set(2, new PlacementNode(weighted.get(2).id(), 3.0));
        RendezvousTable scored = RendezvousTable.of(weighted);
        assertThat(owners(scored, "key-1", 5)).containsExactly(GOLDEN_WEIGHTED_KEY_1);
        assertThat(owners(scored, "tandem", 2)).containsExactly(GOLDEN_WEIGHTED_TANDEM);
    }

    private static final String[] GOLDEN_UNIFORM_KEY_1 = {"node-1", "node-3", "node-5", "node-2", "node-4"};
    private static final String[] GOLDEN_UNIFORM_TANDEM = {"node-5", "node-1"};
    private static final String[] GOLDEN_WEIGHTED_KEY_1 = {"node-1", "node-3", "node-5", "node-2", "node-4"};
    private static final String[] GOLDEN_WEIGHTED_TANDEM = {"node-5", "node-3"};

    /** The shortcut for equal weights (rank by draw) must rank exactly as the logarithmic score does. */
    @Test
    void equalWeights_shortcutRanksExactlyLikeTheScore() {
        for (int n : new int[] {2, 5, 16, 128}) {
            RendezvousTable table = RendezvousTable.of(named(n));
            NodeId[] fast = new NodeId[Math.min(4, n)];
            NodeId[] scored = new NodeId[fast.length];
            for (long h : PlacementAnalysis.keyHashes(SEED + n, 200_000 / n)) {
                for (int r = 1; r <= fast.length; r++) {
                    table.owners(h, r, fast);
                    table.ownersByScore(h, r, scored);
                    assertThat(Arrays.copyOf(fast, r)).as("N=%s R=%s key %s", n, r, h).isEqualTo(Arrays.copyOf(scored, r));
                }
            }
        }
    }

    /** The logarithmic method gives a node exactly its weight's fraction of first copies. */
    @Test
    void weightedFirstCopies_areExactlyProportional() {
        List<PlacementNode> nodes = List.of(new PlacementNode(new NodeId("a", 1), 1.0),
                new PlacementNode(new NodeId("b", 1), 2.0), new PlacementNode(new NodeId("c", 1), 3.0));
        PlacementAnalysis.Balance b = PlacementAnalysis.balance(RendezvousTable.of(nodes),
                PlacementAnalysis.keyHashes(SEED, 600_000), 1);
        // Binomial noise: sd of a's 100000 is 289, so 1% is 3.5 sd.
        assertThat(b.copiesByNode().get("a") / 100_000.0).isCloseTo(1.0, within(0.01));
        assertThat(b.copiesByNode().get("b") / 200_000.0).isCloseTo(1.0, within(0.01));
        assertThat(b.copiesByNode().get("c") / 300_000.0).isCloseTo(1.0, within(0.01));
    }

    /**
     * Draws of different nodes are independent: every ordered (first, second) owner pair is
     * equally likely, so a failed node's keys are re-replicated evenly over all survivors.
     * Chi-square over the 240 pairs of 16 nodes, 960,000 keys: df = 239, and 400 lies about 7.4
     * standard deviations above the mean.
     */
    @Test
    void ownerPairs_areUniform() {
        int n = 16;
        RendezvousTable table = RendezvousTable.of(named(n));
        long[][] pairs = new long[n][n];
        NodeId[] out = new NodeId[2];
        int keys = 960_000;
        for (long h : PlacementAnalysis.keyHashes(SEED, keys)) {
            table.owners(h, 2, out);
            pairs[index(out[0])][index(out[1])]++;
        }
        double expected = (double) keys / (n * (n - 1));
        double chiSquare = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j) {
                    chiSquare += Math.pow(pairs[i][j] - expected, 2) / expected;
                } else {
                    assertThat(pairs[i][j]).isZero();
                }
            }
        }
        assertThat(chiSquare).as("chi-square of owner pairs, df 239").isLessThan(400);
    }

    private static int index(NodeId id) {
        return Integer.parseInt(id.name().substring("node-".length())) - 1;
    }

    @Test
    void nodes_areSortedByName_andIncarnationsAreKept() {
        RendezvousTable table = RendezvousTable.of(List.of(new PlacementNode(new NodeId("b", 4)),
                new PlacementNode(new NodeId("a", 9), 2.5)));
        assertThat(table.nodes()).extracting(PlacementNode::id).containsExactly(new NodeId("a", 9), new NodeId("b", 4));
        assertThat(table.nodes().get(0).weight()).isEqualTo(2.5);
        assertThat(table.nodeCount()).isEqualTo(2);
    }
}
