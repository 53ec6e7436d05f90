package dev.tandem.store.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.cluster.KeyHash;
import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.spi.PlacementNode;
import dev.tandem.cluster.spi.PlacementTable;
import dev.tandem.store.api.NodeInfo;
import dev.tandem.store.api.StoreConfig;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The figures, in virtual time on the test cluster: time to restore two copies after one
 * of 3 nodes crashes, time to rebalance when a 3rd node joins 2, keys moved versus the ideal, and
 * heap bytes per stored entry. The normal test run uses 100 000 keys; the 1M with
 * {@code -Dtandem.figures.keys=1000000}.
 *
 * <p>The simulated network here has latency (0.5-3 ms) but no bandwidth limit, so transfer times
 * are bounded by round trips and the transfer window (16 batches of up to 4096 entries in flight per peer),
 * not by bytes.
 */
class StoreFiguresTest {
    static final int KEYS = Integer.getInteger("tandem.figures.keys", 100_000);
    static final StoreConfig CONFIG = StoreConfig.defaults().withMaxPendingOperations(1 << 22)
            .withOperationTimeout(Duration.ofSeconds(60));

    static byte[] key(int i) {
        return ByteBuffer.allocate(8).putLong(i).array();
    }

    static void load(TestCluster c, int keys) {
        List<TestCluster.SimNode> nodes = c.upNodes();
        for (int from = 0; from < keys; from += 10_000) {
            List<Map.Entry<byte[], byte[]>> batch = new ArrayList<>();
            for (int i = from; i < Math.min(keys, from + 10_000); i++) {
                batch.add(Map.entry(key(i), key(~i)));
            }
            c.await(nodes.get((from / 10_000) % nodes.size()).store.putAllAsync(batch), Duration.ofSeconds(120));
        }
    }

    /** Runs until every node is idle, holds nothing in transit and the owners hold 2 copies of every key. */
    static long untilTwoCopies(TestCluster c, int keys) {
        long start = c.nowNanos;
        c.runUntil(() -> {
            if (!c.settled()) {
                return false;
            }
            long owned = 0;
            for (TestCluster.SimNode n : c.upNodes()) {
                NodeInfo info = n.store.localInfo();
                if (info.keysInTransit() != 0) {
                    return false;
                }
                owned += info.keysAsOwner();
            }
            return owned == 2L * keys;
        }, Duration.ofMinutes(10), "two copies of every key on its owners");
        return (c.nowNanos - start) / 1_000_000;
    }

    static long keysSent(TestCluster c) {
        return c.nodes.values().stream().mapToLong(n -> n.store.keysSent()).sum();
    }

    /** Copies that must move: for every key, owners in {@code after} that were not owners in {@code before}. */
    static long idealMoves(TestCluster c, List<String> before, List<String> after, int keys) {
        PlacementTable tb = table(c, before);
        PlacementTable ta = table(c, after);
        int bits = Integer.numberOfTrailingZeros(CONFIG.partitions());
        long moves = 0;
        for (int i = 0; i < keys; i++) {
            long h = KeyHash.of(key(i));
            // owners are per partition, but the ideal is per key, placed directly by its own hash
            Set<String> b = names(tb.owners(h, 2));
            for (NodeId n : ta.owners(h, 2)) {
                if (!b.contains(n.name())) {
                    moves++;
                }
            }
        }
        assertThat(bits).isPositive();
        return moves;
    }

    private static Set<String> names(List<NodeId> ids) {
        Set<String> s = new HashSet<>();
        ids.forEach(i -> s.add(i.name()));
        return s;
    }

    private static PlacementTable table(TestCluster c, List<String> names) {
        List<PlacementNode> ns = new ArrayList<>();
        names.forEach(n -> ns.add(new PlacementNode(new NodeId(n, 0))));
        return c.placement.assign(ns);
    }

    @Test
    void figures_rebalanceOnJoin_restoreAfterCrash_heapPerEntry() {
        // A 3rd node joins 2 holding KEYS keys.
        TestCluster join = new TestCluster(41, CONFIG, Sabotage.NONE);
        join.start("a", "b");
        load(join, KEYS);
        untilTwoCopies(join, KEYS);
        long sentBefore = keysSent(join);
        join.join("c");
        long joinMillis = untilTwoCopies(join, KEYS);
        long moved = keysSent(join) - sentBefore;
        long ideal = idealMoves(join, List.of("a", "b"), List.of("a", "b", "c"), KEYS);
        System.out.printf("FIGURE rebalance: %d keys, 3rd node joins 2: two copies on the new owners after %d ms virtual"
                + " (from the join; views change 200 ms after it); keys moved %d, ideal %d, ratio %.3f%n",
                KEYS, joinMillis, moved, ideal, (double) moved / ideal);

        // One of 3 crashes; survivors re-create the lost copies.
        TestCluster crash = new TestCluster(42, CONFIG, Sabotage.NONE);
        crash.start("a", "b", "c");
        load(crash, KEYS);
        untilTwoCopies(crash, KEYS);
        long sent = keysSent(crash);
        crash.crash("b");
        long crashMillis = untilTwoCopies(crash, KEYS);
        long restored = keysSent(crash) - sent;
        long idealRestore = idealMoves(crash, List.of("a", "b", "c"), List.of("a", "c"), KEYS);
        System.out.printf("FIGURE restore: %d keys, 1 of 3 crashes: two copies again after %d ms virtual (including"
                + " %d ms failure detection); keys copied %d, ideal %d, ratio %.3f%n",
                KEYS, crashMillis, crash.detectionNanos / 1_000_000, restored, idealRestore,
                (double) restored / idealRestore);

        assertThat((double) moved / ideal).isLessThan(1.5);
        assertThat((double) restored / idealRestore).isLessThan(1.5);
    }

    @Test
    void figures_heapBytesPerEntry() {
        int n = KEYS;
        PartitionTable[] parts = new PartitionTable[CONFIG.partitions()];
        for (int p = 0; p < parts.length; p++) {
            parts[p] = new PartitionTable();
        }
        int bits = Integer.numberOfTrailingZeros(parts.length);
        for (int i = 0; i < n; i++) {
            byte[] k = key(i);
            long h = KeyHash.of(k);
            parts[(int) (h >>> (64 - bits))].apply(Records.of(k, key(~i)), h, 1_000_000L + i, 42);
        }
        long bytes = org.openjdk.jol.info.GraphLayout.parseInstance((Object) parts).totalSize();
        double perEntry = (double) bytes / n;
        System.out.printf("FIGURE heap: %d entries (8-byte keys, 8-byte values) in %d partition tables: %d bytes,"
                + " %.1f bytes per entry per copy, %.1f for both copies (JOL GraphLayout)%n",
                n, parts.length, bytes, perEntry, 2 * perEntry);
        assertThat(2 * perEntry).isLessThan(200);
    }
}
