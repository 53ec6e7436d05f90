package dev.tandem.cli;

import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.boot.StrategyCatalog;
import dev.tandem.cluster.spi.Placement;
import dev.tandem.cluster.spi.PlacementAnalysis;
import dev.tandem.cluster.spi.PlacementNode;
import dev.tandem.cluster.spi.PlacementProvider;
import dev.tandem.cluster.spi.PlacementTable;
import dev.tandem.cluster.spi.StrategyOptions;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tandem placement}: how evenly a strategy spreads keys, how many copies move when a node
 * joins or leaves (as a multiple of the copies that must move), and how fast owner lookups are.
 *
 * <p>Nodes are named {@code node-0 .. node-(N-1)}; the joining node is {@code node-N}; the leaving
 * node is drawn from the seed. Keys are {@link PlacementAnalysis#keyHashes(long, int)} of the seed.
 */
@Command(name = "placement", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Report a placement strategy's balance, movement on join/leave and lookup speed.")
final class PlacementCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--strategy", paramLabel = "NAME", defaultValue = "rendezvous",
            description = "Placement strategy, by name (default: ${DEFAULT-VALUE}; installed: ${COMPLETION-CANDIDATES}).",
            completionCandidates = InstalledPlacements.class)
    String strategy;

    @Option(names = "--nodes", paramLabel = "N", defaultValue = "3", description = "Cluster size (1-10000, default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--keys", paramLabel = "K", defaultValue = "1000000", description = "Random keys to place (1-100000000, default ${DEFAULT-VALUE}).")
    int keys;

    @Option(names = "--replicas", paramLabel = "R", defaultValue = "2", description = "Copies per key (1-16, default ${DEFAULT-VALUE}).")
    int replicas;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Seed for keys and the leaving node (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = {"-o", "--option"}, paramLabel = "KEY=VALUE", description = "Strategy setting, repeatable (e.g. virtual-nodes=256).")
    Map<String, String> options = new LinkedHashMap<>();

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Override
    public Integer call() {
        require(nodes >= 1 && nodes <= 10_000, "--nodes must be from 1 to 10000, was " + nodes);
        require(keys >= 1 && keys <= 100_000_000, "--keys must be from 1 to 100000000, was " + keys);
        require(replicas >= 1 && replicas <= 16, "--replicas must be from 1 to 16, was " + replicas);

        PlacementProvider provider = StrategyCatalog.placements().get(strategy);
        Placement placement = provider.create(StrategyOptions.of(options));

        List<PlacementNode> base = new ArrayList<>(nodes);
        for (int i = 0; i < nodes; i++) {
            base.add(new PlacementNode(new NodeId("node-" + i, 1)));
        }
        List<PlacementNode> joined = new ArrayList<>(base);
        PlacementNode joiner = new PlacementNode(new NodeId("node-" + nodes, 1));
        joined.add(joiner);
        PlacementNode leaver = base.get(new SplittableRandom(seed).nextInt(nodes));
        List<PlacementNode> left = new ArrayList<>(base);
        left.remove(leaver);

        long[] hashes = PlacementAnalysis.keyHashes(seed, keys);
        PlacementTable table = placement.assign(base);
        PlacementAnalysis.Balance balance = PlacementAnalysis.balance(table, hashes, replicas);
        PlacementAnalysis.Movement join = PlacementAnalysis.movement(table, placement.assign(joined), hashes, replicas);
        PlacementAnalysis.Movement leave = left.isEmpty() ? null
                : PlacementAnalysis.movement(table, placement.assign(left), hashes, replicas);
        LookupRate rate = LookupRate.measure(table, hashes, replicas);

        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("strategy", provider.name());
            o.put("options", new LinkedHashMap<>(options));
            o.put("nodes", nodes);
            o.put("keys", keys);
            o.put("replicas", replicas);
            o.put("seed", seed);
            o.put("balance", Map.of("maxOverMean", balance.maxOverMean(), "minOverMean", balance.minOverMean(),
                    "copiesByNode", balance.copiesByNode()));
            o.put("join", movementJson(joiner.name(), join));
            o.put("leave", leave == null ? null : movementJson(leaver.name(), leave));
            o.put("lookupsPerSecond", rate.perSecond());
            out.println(Json.write(o));
            return Tandem.OK;
        }
        long min = balance.copiesByNode().values().stream().mapToLong(Long::longValue).min().orElse(0);
        long max = balance.copiesByNode().values().stream().mapToLong(Long::longValue).max().orElse(0);
        out.printf("placement: strategy=%s nodes=%d keys=%,d replicas=%d seed=%d%s%n", provider.name(), nodes, keys,
                replicas, seed, options.isEmpty() ? "" : " options=" + options);
        out.printf("  balance   max/mean %.4f   min/mean %.4f   copies per node %,d .. %,d%n",
                balance.maxOverMean(), balance.minOverMean(), min, max);
        out.printf("  join      %-8s joins:  %,d copies moved, ideal %,.0f  ->  %.4f x ideal%n",
                joiner.name(), join.copiesMoved(), join.idealCopies(), join.ratioToIdeal());
        if (leave != null) {
            out.printf("  leave     %-8s leaves: %,d copies moved, ideal %,.0f  ->  %.4f x ideal%n",
                    leaver.name(), leave.copiesMoved(), leave.idealCopies(), leave.ratioToIdeal());
        } else {
            out.println("  leave     (a 1-node cluster has nobody to hand off to)");
        }
        out.printf("  lookups   %,.0f owner lookups/s (R=%d, one thread, best of %d timed rounds over %,d keys)%n",
                rate.perSecond(), replicas, rate.rounds(), rate.lookupsPerRound());
        return Tandem.OK;
    }

    private static Map<String, Object> movementJson(String node, PlacementAnalysis.Movement m) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("node", node);
        o.put("copiesMoved", m.copiesMoved());
        o.put("idealCopies", m.idealCopies());
        o.put("ratioToIdeal", m.ratioToIdeal());
        return o;
    }

    private void require(boolean ok, String message) {
        if (!ok) {
            throw new CommandLine.ParameterException(spec.commandLine(), message);
        }
    }

    /** Installed strategy names, for help text and shell completion. */
    static final class InstalledPlacements implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return StrategyCatalog.placements().names().iterator();
        }
    }

    /** Single-threaded lookup throughput over the report's own keys, after a warm-up. */
    record LookupRate(double perSecond, int rounds, int lookupsPerRound) {
        private static final long ROUND_BUDGET_NANOS = 300_000_000L;

        static LookupRate measure(PlacementTable table, long[] hashes, int replicas) {
            NodeId[] out = new NodeId[replicas];
            int n = Math.min(hashes.length, 2_000_000);
            long sink = 0;
            // Warm-up: let the JIT compile the lookup path before anything is timed.
            for (int w = 0; w < 3; w++) {
                for (int i = 0; i < Math.min(n, 200_000); i++) {
                    sink += table.owners(hashes[i], replicas, out);
                }
            }
            double best = 0;
            int rounds = 0;
            for (; rounds < 5; rounds++) {
                int done = 0;
                long start = System.nanoTime();
                long elapsed;
                do {
                    for (int i = 0; i < n; i++) {
                        sink += table.owners(hashes[i], replicas, out);
                    }
                    done += n;
                    elapsed = System.nanoTime() - start;
                } while (elapsed < ROUND_BUDGET_NANOS / 10 && done < 50_000_000);
                best = Math.max(best, done * 1e9 / elapsed);
            }
            if (sink == 42) {
                System.out.print(""); // keeps the loop's result observable to the JIT
            }
            return new LookupRate(best, rounds, n);
        }
    }
}
