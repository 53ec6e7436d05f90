package dev.tandem.placement.ring;

import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.spi.PlacementAnalysis;
import dev.tandem.cluster.spi.PlacementNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Measures what the virtual-node count buys, to choose the default: for each count, the worst
 * balance (max/mean, R = 2) over every cluster size N = 3..128, exactly (from arc lengths, i.e.
 * infinitely many keys) for nodes {@code node-1..node-N} and for 20 random name sets per N, and
 * with 1,000,000 keys at a few N; the ring's memory at N = 128; single-thread lookups/s at N = 128.
 *
 * <p>Run: {@code java -cp <test classpath> dev.tandem.placement.ring.VirtualNodeSurvey [counts...]}.
 * Not a test: it asserts nothing and takes minutes.
 */
final class VirtualNodeSurvey {
    private static final double TWO_POW_64 = 0x1p64;

    private VirtualNodeSurvey() {
    }

    public static void main(String[] args) {
        int[] counts = args.length == 0 ? new int[] {64, 128, 256, 512, 1024, 2048} : parse(args);
        long[] keys = PlacementAnalysis.keyHashes(20_261_121L, 1_000_000);
        System.out.println("vnodes | worst exact max/mean N=3..128 node-i (at N) | worst exact, 20 random name sets"
                + " per N (at N) | 1M keys max/mean N=3,16,100,128 | points & bytes at N=128 | M lookups/s N=128");
        for (int v : counts) {
            double worst = 0;
            int worstN = 0;
            double worstRandom = 0;
            int worstRandomN = 0;
            for (int n = 3; n <= 128; n++) {
                double b = exactMaxOverMean(RingTable.of(named(n), v), 2);
                if (b > worst) {
                    worst = b;
                    worstN = n;
                }
                for (int s = 0; s < 20; s++) {
                    double r = exactMaxOverMean(RingTable.of(random(n, n * 1000L + s), v), 2);
                    if (r > worstRandom) {
                        worstRandom = r;
                        worstRandomN = n;
                    }
                }
            }
            StringBuilder sampled = new StringBuilder();
            for (int n : new int[] {3, 16, 100, 128}) {
                sampled.append(String.format(Locale.ROOT, "%.4f ",
                        PlacementAnalysis.balance(RingTable.of(named(n), v), keys, 2).maxOverMean()));
            }
            RingTable big = RingTable.of(named(128), v);
            System.out.printf(Locale.ROOT, "%6d | %.4f (N=%d) | %.4f (N=%d) | %s| %d, %d KiB | %.2f%n", v, worst, worstN,
                    worstRandom, worstRandomN, sampled, big.pointCount(), big.pointCount() * 12L / 1024,
                    lookupsPerSecond(big, keys) / 1e6);
        }
    }

    /** Each node's exact share of copies from the arcs it owns, over its fair share R/N; the largest. */
    static double exactMaxOverMean(RingTable table, int replicas) {
        int m = table.pointCount();
        Map<NodeId, Double> share = new HashMap<>();
        NodeId[] out = new NodeId[replicas];
        for (int p = 0; p < m; p++) {
            long from = table.point(p == 0 ? m - 1 : p - 1);
            long arc = table.point(p) - from; // unsigned length, wraps for p == 0
            double length = m == 1 ? TWO_POW_64 : unsigned(arc);
            // keys in (from, point(p)] start their walk at p: the owners of point(p) itself
            int n = table.owners(table.point(p), replicas, out);
            for (int i = 0; i < n; i++) {
                share.merge(out[i], length / TWO_POW_64, Double::sum);
            }
        }
        double fair = (double) Math.min(replicas, table.nodeCount()) / table.nodeCount();
        double max = 0;
        for (double s : share.values()) {
            max = Math.max(max, s / fair);
        }
        return max;
    }

    private static double unsigned(long x) {
        return (x >>> 1) * 2.0 + (x & 1);
    }

    private static double lookupsPerSecond(RingTable table, long[] keys) {
        NodeId[] out = new NodeId[2];
        long sink = 0;
        double best = 0;
        for (int round = 0; round < 8; round++) {
            long start = System.nanoTime();
            for (long h : keys) {
                sink += table.owners(h, 2, out);
            }
            double perSecond = keys.length / ((System.nanoTime() - start) / 1e9);
            if (round >= 3) {
                best = Math.max(best, perSecond);
            }
        }
        if (sink == 42) {
            System.out.println();
        }
        return best;
    }

    static List<PlacementNode> named(int n) {
        List<PlacementNode> out = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            out.add(new PlacementNode(new NodeId("node-" + i, 1)));
        }
        return out;
    }

    static List<PlacementNode> random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<PlacementNode> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            StringBuilder name = new StringBuilder();
            int length = 1 + r.nextInt(12);
            for (int c = 0; c < length; c++) {
                name.append((char) ('a' + r.nextInt(26)));
            }
            out.add(new PlacementNode(new NodeId(name.append('_').append(i).toString(), 1)));
        }
        return out;
    }

    private static int[] parse(String[] args) {
        int[] out = new int[args.length];
        for (int i = 0; i < args.length; i++) {
            out[i] = Integer.parseInt(args[i]);
        }
        return out;
    }
}
