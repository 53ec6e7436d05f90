package dev.tandem.cluster.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tandem.cluster.KeyHash;
import dev.tandem.cluster.NodeId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.ToIntBiFunction;
import org.junit.jupiter.api.Test;

class PlacementAnalysisTest {

    /**
     * A table whose first owner is {@code first.applyAsInt(hash, n)} and the next ones follow in
     * name order, wrapping: easy to reason about exactly.
     */
    record RotationTable(List<PlacementNode> nodes, ToIntBiFunction<Long, Integer> first) implements PlacementTable {
        RotationTable {
            nodes = nodes.stream().sorted(Comparator.comparing(PlacementNode::name)).toList();
        }

        @Override
        public int owners(long keyHash, int replicas, NodeId[] out) {
            int n = Math.min(replicas, nodes.size());
            int start = nodes.isEmpty() ? 0 : first.applyAsInt(keyHash, nodes.size());
            for (int i = 0; i < n; i++) {
                out[i] = nodes.get((start + i) % nodes.size()).id();
            }
            return n;
        }
    }

    private static List<PlacementNode> nodes(String... names) {
        List<PlacementNode> out = new ArrayList<>();
        for (String n : names) {
            out.add(new PlacementNode(new NodeId(n, 1)));
        }
        return out;
    }

    private static RotationTable modulo(List<PlacementNode> nodes) {
        return new RotationTable(nodes, (h, n) -> (int) Math.floorMod(h, (long) n));
    }

    private static RotationTable always(List<PlacementNode> nodes, String firstName) {
        List<String> sorted = nodes.stream().map(PlacementNode::name).sorted().toList();
        int at = sorted.indexOf(firstName);
        return new RotationTable(nodes, (h, n) -> at);
    }

    private static long[] counting(int count) {
        long[] keys = new long[count];
        for (int i = 0; i < count; i++) {
            keys[i] = i;
        }
        return keys;
    }

    @Test
    void keyHashes_areTheXxh64OfASplittableRandomStream_andStable() {
        long seed = 42;
        long[] hashes = PlacementAnalysis.keyHashes(seed, 1000);
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < hashes.length; i++) {
            assertThat(hashes[i]).as("key %d", i).isEqualTo(KeyHash.of(random.nextLong()));
        }
        // Pinned so a change of the derivation is a decision: tools compare figures across versions.
        assertThat(PlacementAnalysis.keyHashes(1, 2)).containsExactly(
                KeyHash.of(KeyHash.mix(1 + 0x9E3779B97F4A7C15L)), KeyHash.of(KeyHash.mix(1 + 2 * 0x9E3779B97F4A7C15L)));
        assertThat(PlacementAnalysis.keyHashes(seed, 1000)).isEqualTo(hashes);
        assertThat(PlacementAnalysis.keyHashes(seed + 1, 1000)).isNotEqualTo(hashes);
    }

    @Test
    void keyHashes_areDistinct_andCoverBothHalvesOfTheRange() {
        long[] hashes = PlacementAnalysis.keyHashes(7, 100_000);
        Set<Long> seen = new HashSet<>();
        int negative = 0;
        for (long h : hashes) {
            seen.add(h);
            negative += h < 0 ? 1 : 0;
        }
        assertThat(seen).hasSize(hashes.length);
        // Binomial(100000, 1/2): 6 standard deviations is +-949.
        assertThat(negative).isBetween(50_000 - 949, 50_000 + 949);
    }

    @Test
    void keyHashes_countZero_isEmpty_andNegativeCount_isRejected() {
        assertThat(PlacementAnalysis.keyHashes(3, 0)).isEmpty();
        assertThatThrownBy(() -> PlacementAnalysis.keyHashes(3, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("count must be >= 0, was -1");
    }

    @Test
    void fairShares_areWeightProportional() {
        List<PlacementNode> weighted = List.of(new PlacementNode(new NodeId("a", 0), 2.0),
                new PlacementNode(new NodeId("b", 0)), new PlacementNode(new NodeId("c", 0)));
        assertThat(PlacementAnalysis.fairShares(weighted, 1000, 1))
                .isEqualTo(Map.of("a", 500.0, "b", 250.0, "c", 250.0));
        assertThat(PlacementAnalysis.fairShares(nodes("a", "b", "c"), 300, 2))
                .isEqualTo(Map.of("a", 200.0, "b", 200.0, "c", 200.0));
    }

    @Test
    void fairShares_capANodeAtOneCopyOfEveryKey_andSpreadTheRest() {
        // 2*1200 copies by weight 10:1:1 would give a 2000 > 1200 keys; it can hold only 1200.
        List<PlacementNode> skewed = List.of(new PlacementNode(new NodeId("a", 0), 10.0),
                new PlacementNode(new NodeId("b", 0)), new PlacementNode(new NodeId("c", 0)));
        Map<String, Double> fair = PlacementAnalysis.fairShares(skewed, 1200, 2);
        assertThat(fair.get("a")).isEqualTo(1200.0);
        assertThat(fair.get("b")).isCloseTo(600.0, within(1e-9));
        assertThat(fair.get("c")).isCloseTo(600.0, within(1e-9));
    }

    @Test
    void fairShares_withMoreReplicasThanNodes_areEveryKeyOnEveryNode() {
        assertThat(PlacementAnalysis.fairShares(nodes("a", "b"), 500, 5))
                .isEqualTo(Map.of("a", 500.0, "b", 500.0));
        assertThat(PlacementAnalysis.fairShares(List.of(), 500, 2)).isEmpty();
    }

    @Test
    void fairShares_rejectBadInput() {
        assertThatThrownBy(() -> PlacementAnalysis.fairShares(nodes("a", "a"), 1, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the node list has two nodes named 'a': a#1 and a#1");
        assertThatThrownBy(() -> PlacementAnalysis.fairShares(nodes("a"), -1, 1))
                .hasMessage("keys must be >= 0, was -1");
        assertThatThrownBy(() -> PlacementAnalysis.fairShares(nodes("a"), 1, 0))
                .hasMessage("replicas must be >= 1, was 0");
    }

    @Test
    void balance_ofAnExactRotation_isPerfect() {
        PlacementAnalysis.Balance b = PlacementAnalysis.balance(modulo(nodes("c", "a", "b")), counting(3000), 2);
        assertThat(b.nodes()).isEqualTo(3);
        assertThat(b.replicas()).isEqualTo(2);
        assertThat(b.keys()).isEqualTo(3000);
        assertThat(b.copiesByNode()).isEqualTo(Map.of("a", 2000L, "b", 2000L, "c", 2000L));
        assertThat(b.maxOverMean()).isEqualTo(1.0);
        assertThat(b.minOverMean()).isEqualTo(1.0);
    }

    @Test
    void balance_ofAFixedPair_showsTheOverloadAndTheIdleNode() {
        PlacementAnalysis.Balance b = PlacementAnalysis.balance(always(nodes("a", "b", "c"), "a"), counting(600), 2);
        assertThat(b.copiesByNode()).isEqualTo(Map.of("a", 600L, "b", 600L, "c", 0L));
        assertThat(b.maxOverMean()).isCloseTo(1.5, within(1e-12));
        assertThat(b.minOverMean()).isEqualTo(0.0);
    }

    @Test
    void balance_judgesWeightedTablesAgainstTheirWeightedShare() {
        // a (weight 2) first for keys 0,1 of every 4, b for 2, c for 3: exactly weight-proportional.
        List<PlacementNode> weighted = List.of(new PlacementNode(new NodeId("a", 0), 2.0),
                new PlacementNode(new NodeId("b", 0)), new PlacementNode(new NodeId("c", 0)));
        RotationTable table = new RotationTable(weighted, (h, n) -> (int) Math.max(0, Math.floorMod(h, 4L) - 1));
        PlacementAnalysis.Balance b = PlacementAnalysis.balance(table, counting(4000), 1);
        assertThat(b.copiesByNode()).isEqualTo(Map.of("a", 2000L, "b", 1000L, "c", 1000L));
        assertThat(b.maxOverMean()).isEqualTo(1.0);
        assertThat(b.minOverMean()).isEqualTo(1.0);
    }

    @Test
    void balance_ofAnEmptyTableOrNoKeys_isVacuouslyPerfect() {
        PlacementAnalysis.Balance empty = PlacementAnalysis.balance(modulo(List.of()), counting(10), 2);
        assertThat(empty.nodes()).isZero();
        assertThat(empty.copiesByNode()).isEmpty();
        assertThat(empty.maxOverMean()).isEqualTo(1.0);
        PlacementAnalysis.Balance noKeys = PlacementAnalysis.balance(modulo(nodes("a")), new long[0], 2);
        assertThat(noKeys.copiesByNode()).isEqualTo(Map.of("a", 0L));
        assertThat(noKeys.minOverMean()).isEqualTo(1.0);
    }

    @Test
    void balance_rejectsBadReplicas_andOwnersOutsideTheTable() {
        assertThatThrownBy(() -> PlacementAnalysis.balance(modulo(nodes("a")), counting(1), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("replicas must be >= 1, was 0");
        PlacementTable liar = new PlacementTable() {
            @Override
            public List<PlacementNode> nodes() {
                return PlacementAnalysisTest.nodes("a");
            }

            @Override
            public int owners(long keyHash, int replicas, NodeId[] out) {
                out[0] = new NodeId("zz", 3);
                return 1;
            }
        };
        assertThatThrownBy(() -> PlacementAnalysis.balance(liar, counting(1), 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the table placed key hash 0 on zz#3, which is not one of its nodes [PlacementNode[id=a#1, weight=1.0]]");
    }

    @Test
    void movement_ofTheSameTable_isNothing_andCountsAsIdeal() {
        RotationTable t = modulo(nodes("a", "b", "c"));
        PlacementAnalysis.Movement m = PlacementAnalysis.movement(t, t, counting(999), 2);
        assertThat(m).isEqualTo(new PlacementAnalysis.Movement(999, 0, 0.0, 1.0));
    }

    @Test
    void movement_identifiesOwnersByName_soARestartMovesNothing() {
        RotationTable before = modulo(nodes("a", "b", "c"));
        RotationTable after = modulo(List.of(new PlacementNode(new NodeId("a", 1)), new PlacementNode(new NodeId("b", 9)),
                new PlacementNode(new NodeId("c", 1))));
        assertThat(PlacementAnalysis.movement(before, after, counting(999), 2).copiesMoved()).isZero();
    }

    @Test
    void movement_comparesWithTheShareTheNewNodeMustReceive() {
        // R=1: every key on a, then every key on c. c's fair share after is K/3, so the ideal is
        // K/3 copies, but K moved: three times the ideal.
        PlacementTable before = always(nodes("a", "b"), "a");
        PlacementTable after = always(nodes("a", "b", "c"), "c");
        PlacementAnalysis.Movement m = PlacementAnalysis.movement(before, after, counting(900), 1);
        assertThat(m.copiesMoved()).isEqualTo(900);
        assertThat(m.idealCopies()).isCloseTo(300.0, within(1e-9));
        assertThat(m.ratioToIdeal()).isCloseTo(3.0, within(1e-9));
    }

    @Test
    void movement_whenALeaverHeldEveryKey_isMeasuredAgainstTheBalancedIdeal() {
        // R=1, 3 -> 2 nodes. a held everything and leaves; b takes all. Ideal: b and c each gain
        // K/2 - K/3 = K/6, total K/3, but K copies had to be re-created: ratio 3, because the
        // "before" table was unbalanced.
        PlacementTable before = always(nodes("a", "b", "c"), "a");
        PlacementTable after = always(nodes("b", "c"), "b");
        PlacementAnalysis.Movement m = PlacementAnalysis.movement(before, after, counting(600), 1);
        assertThat(m.copiesMoved()).isEqualTo(600);
        assertThat(m.idealCopies()).isCloseTo(200.0, within(1e-9));
    }

    @Test
    void movement_fromOneNodeToTwoWithTwoReplicas_createsTheSecondCopyOfEveryKey() {
        PlacementAnalysis.Movement m = PlacementAnalysis.movement(modulo(nodes("a")), modulo(nodes("a", "b")), counting(500), 2);
        assertThat(m.copiesMoved()).isEqualTo(500);
        assertThat(m.idealCopies()).isEqualTo(500.0);
        assertThat(m.ratioToIdeal()).isEqualTo(1.0);
    }

    @Test
    void movement_thatNoNodeCountChangeRequired_isInfinitelyWorseThanIdeal() {
        PlacementAnalysis.Movement m = PlacementAnalysis.movement(always(nodes("a", "b"), "a"),
                always(nodes("a", "b"), "b"), counting(10), 1);
        assertThat(m.copiesMoved()).isEqualTo(10);
        assertThat(m.idealCopies()).isZero();
        assertThat(m.ratioToIdeal()).isEqualTo(Double.POSITIVE_INFINITY);
    }

    @Test
    void movement_rejectsBadReplicas() {
        assertThatThrownBy(() -> PlacementAnalysis.movement(modulo(nodes("a")), modulo(nodes("a")), counting(1), -2))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("replicas must be >= 1, was -2");
    }

    @Test
    void balance_recordIsImmutable() {
        PlacementAnalysis.Balance b = PlacementAnalysis.balance(modulo(nodes("a")), counting(3), 1);
        assertThatThrownBy(() -> b.copiesByNode().put("x", 1L)).isInstanceOf(UnsupportedOperationException.class);
    }
}
