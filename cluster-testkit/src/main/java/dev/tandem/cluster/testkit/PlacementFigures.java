package dev.tandem.cluster.testkit;

import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.boot.StrategyCatalog;
import dev.tandem.cluster.spi.Placement;
import dev.tandem.cluster.spi.PlacementAnalysis;
import dev.tandem.cluster.spi.PlacementNode;
import dev.tandem.cluster.spi.PlacementProvider;
import dev.tandem.cluster.spi.PlacementTable;
import dev.tandem.cluster.spi.StrategyOptions;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Prints the placement figures a person compares between strategies: balance and movement at
 * 1,000,000 keys, R = 2, N = 3, 10, 100 (nodes {@code node-1..node-N}, keys from
 * {@link PlacementAnalysis#keyHashes} with seed {@link PlacementContract#KEY_SEED}), and
 * single-thread lookups per second at N = 3, 16, 128.
 *
 * <p>Lookups/s: a plain loop over 1,048,576 precomputed key hashes calling
 * {@code owners(hash, 2, out)}, run 5 times to warm up and then 7 measured times; the median and
 * the best round are printed, and lookups per second of the thread's own CPU time (less
 * disturbed by other processes on a shared machine), with the median time of 7 {@code assign} calls (building the table
 * for a new membership view). Not JMH: compare figures within one run on one machine only.
 *
 * <p>Run with the strategy modules on the class or module path:
 * {@code java dev.tandem.cluster.testkit.PlacementFigures [name[:key=value,...]]...}; without
 * arguments, every installed strategy with default settings.
 */
public final class PlacementFigures {
    private static final int KEYS = 1_000_000;
    private static final int LOOKUP_KEYS = 1 << 20;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private PlacementFigures() {
    }

    public static void main(String[] args) {
        StrategyCatalog<PlacementProvider> catalog = StrategyCatalog.placements();
        List<String> specs = args.length > 0 ? Arrays.asList(args) : catalog.names();
        if (specs.isEmpty()) {
            System.err.println("no placement strategy installed: put placement-rendezvous or placement-ring on the path");
            System.exit(2);
        }
        System.out.printf(Locale.ROOT, "java %s (%s), %d processors%n", System.getProperty("java.version"),
                System.getProperty("java.vm.name"), Runtime.getRuntime().availableProcessors());
        for (String spec : specs) {
            String[] parts = spec.split(":", 2);
            StrategyOptions options = StrategyOptions.none();
            if (parts.length == 2) {
                for (String kv : parts[1].split(",")) {
                    String[] p = kv.split("=", 2);
                    if (p.length != 2) {
                        System.err.println("setting '" + kv + "' is not key=value");
                        System.exit(2);
                    }
                    options = options.with(p[0], p[1]);
                }
            }
            Placement placement = catalog.get(parts[0]).create(options);
            figures(placement, options);
        }
    }

    static void figures(Placement placement, StrategyOptions options) {
        String label = placement.name() + (options.asMap().isEmpty() ? "" : " " + options);
        long[] keys = PlacementAnalysis.keyHashes(PlacementContract.KEY_SEED, KEYS);
        for (int n : new int[] {3, 10, 100}) {
            PlacementTable table = placement.assign(named(n));
            PlacementAnalysis.Balance b = PlacementAnalysis.balance(table, keys, 2);
            PlacementAnalysis.Movement join = PlacementAnalysis.movement(table, placement.assign(named(n + 1)), keys, 2);
            PlacementAnalysis.Movement leave = PlacementAnalysis.movement(table, placement.assign(named(n - 1)), keys, 2);
            System.out.printf(Locale.ROOT, "%s N=%d R=2 keys=%d: balance max/mean %.4f min/mean %.4f;"
                            + " join moves %d copies = %.4f x ideal; leave moves %d copies = %.4f x ideal%n",
                    label, n, KEYS, b.maxOverMean(), b.minOverMean(), join.copiesMoved(), join.ratioToIdeal(),
                    leave.copiesMoved(), leave.ratioToIdeal());
        }
        long[] lookups = PlacementAnalysis.keyHashes(1, LOOKUP_KEYS);
        for (int n : new int[] {3, 16, 128}) {
            PlacementTable table = placement.assign(named(n));
            NodeId[] out = new NodeId[2];
            long sink = 0;
            for (int round = 0; round < 5; round++) {
                sink += lookupRound(table, lookups, out);
            }
            double[] perSecond = new double[7];
            double[] perCpuSecond = new double[perSecond.length];
            for (int round = 0; round < perSecond.length; round++) {
                long cpuStart = THREADS.getCurrentThreadCpuTime();
                long start = System.nanoTime();
                sink += lookupRound(table, lookups, out);
                perSecond[round] = LOOKUP_KEYS / ((System.nanoTime() - start) / 1e9);
                perCpuSecond[round] = LOOKUP_KEYS / ((THREADS.getCurrentThreadCpuTime() - cpuStart) / 1e9);
            }
            Arrays.sort(perCpuSecond);
            Arrays.sort(perSecond);
            List<PlacementNode> nodes = named(n);
            double[] assignMillis = new double[7];
            for (int round = 0; round < assignMillis.length; round++) {
                long start = System.nanoTime();
                sink += placement.assign(nodes).nodeCount();
                assignMillis[round] = (System.nanoTime() - start) / 1e6;
            }
            Arrays.sort(assignMillis);
            System.out.printf(Locale.ROOT, "%s N=%d R=2: %.2f M lookups/s median (wall clock), %.2f M best;"
                            + " %.2f M per CPU-second median; assign() %.2f ms median (checksum %d)%n", label, n,
                    perSecond[perSecond.length / 2] / 1e6, perSecond[perSecond.length - 1] / 1e6,
                    perCpuSecond[perCpuSecond.length / 2] / 1e6, assignMillis[assignMillis.length / 2], sink);
        }
    }

    private static long lookupRound(PlacementTable table, long[] hashes, NodeId[] out) {
        long sink = 0;
        for (long h : hashes) {
            table.owners(h, 2, out);
            sink += out[0] == out[1] ? 7 : 1; // keeps the JIT from dropping the lookup
        }
        return sink;
    }

    private static List<PlacementNode> named(int n) {
        List<PlacementNode> out = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            out.add(new PlacementNode(new NodeId("node-" + i, 1)));
        }
        return out;
    }
}
