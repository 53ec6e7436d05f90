package dev.tandem.store.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.cluster.KeyHash;
import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.boot.StrategyCatalog;
import dev.tandem.cluster.spi.Placement;
import dev.tandem.cluster.spi.PlacementNode;
import dev.tandem.cluster.spi.PlacementTable;
import dev.tandem.cluster.spi.StrategyOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Measures the balance of the store's partitioning (keys → P partitions by the top hash bits,
 * partitions → owners by the real placement strategies) and prints the figures quoted in
 * {@code ReplicaNode}'s class comment. Key-level balance is what matters: the number of copies a
 * node holds, for 200 000 keys.
 */
class PartitionBalanceTest {

    static Placement placement(String name) {
        return StrategyCatalog.placements().get(name).create(StrategyOptions.none());
    }

    /** max / mean of the copies per node. */
    static double imbalance(Placement placement, int nodes, int partitions, int keys) {
        List<PlacementNode> ns = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            ns.add(new PlacementNode(new NodeId("node-" + i, 0)));
        }
        PlacementTable t = placement.assign(ns);
        int bits = Integer.numberOfTrailingZeros(partitions);
        int[] perPartition = new int[partitions];
        for (long k = 0; k < keys; k++) {
            perPartition[(int) (KeyHash.of(k) >>> (64 - bits))]++;
        }
        TreeMap<String, Long> copies = new TreeMap<>();
        NodeId[] out = new NodeId[2];
        for (int p = 0; p < partitions; p++) {
            int n = t.owners(KeyHash.of((long) p), 2, out);
            for (int i = 0; i < n; i++) {
                copies.merge(out[i].name(), (long) perPartition[p], Long::sum);
            }
        }
        long max = copies.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        double mean = 2.0 * keys / nodes;
        return max / mean;
    }

    @Test
    void partitionedBalance_isWithinTenPercentOnThreeNodes_andPrinted() {
        for (String s : List.of("rendezvous", "ring")) {
            Placement pl = placement(s);
            for (int parts : new int[] {256, 1024, 4096}) {
                StringBuilder line = new StringBuilder(s + " P=" + parts + " max/mean copies per node:");
                for (int nodes : new int[] {3, 5, 10}) {
                    line.append(String.format(" N=%d %.3f", nodes, imbalance(pl, nodes, parts, 200_000)));
                }
                System.out.println(line);
            }
            assertThat(imbalance(pl, 3, 1024, 200_000)).isLessThan(1.10);
        }
    }
}
