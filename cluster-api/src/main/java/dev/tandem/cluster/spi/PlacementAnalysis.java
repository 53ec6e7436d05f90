package dev.tandem.cluster.spi;

import dev.tandem.cluster.KeyHash;
import dev.tandem.cluster.NodeId;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Measures how a {@link PlacementTable} spreads keys (balance) and how many copies a change of
 * node set forces to move (movement), against the weight-proportional ideal.
 *
 * <p><b>Fair share.</b> With {@code K} keys, {@code R' = min(replicas, nodes)} copies per key and
 * weights {@code w}, a node's fair share is {@code R'·K·w/Σw}. A node can hold at most one copy
 * of each key, so when that formula would give a node more than {@code K} copies (only possible
 * with skewed weights and {@code R' > 1}), its share is capped at {@code K} and the surplus is
 * spread over the other nodes in proportion to their weights ("water-filling"). With equal
 * weights, or whenever no cap binds, the share is exactly {@code R'·K·w/Σw}.
 *
 * <p>Owners are identified by <em>name</em>, as placement is: a node restarted under the same
 * name is the same owner.
 *
 * <p>Pure functions of their arguments: no clock, no randomness, no shared state. Thread-safe.
 */
public final class PlacementAnalysis {
    /** {@code 0x9E3779B97F4A7C15}, the gamma {@link java.util.SplittableRandom} adds per draw. */
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private PlacementAnalysis() {
    }

    /**
     * Copies per node for a set of keys.
     *
     * @param nodes        node count of the table
     * @param replicas     the replication factor asked for (a table of fewer nodes places
     *                     {@code min(replicas, nodes)} copies per key)
     * @param keys         how many keys were placed
     * @param copiesByNode copies held per node name, every node of the table present (0 if none)
     * @param maxOverMean  the largest ratio of a node's copies to its fair share (1.0 = perfect);
     *                     1.0 when there are no nodes or no keys
     * @param minOverMean  the smallest such ratio; 1.0 when there are no nodes or no keys
     */
    public record Balance(int nodes, int replicas, long keys, SortedMap<String, Long> copiesByNode,
                          double maxOverMean, double minOverMean) {
        public Balance {
            copiesByNode = Collections.unmodifiableSortedMap(new TreeMap<>(copiesByNode));
        }
    }

    /**
     * Copies a change of node set forces to be created, against the least any placement could.
     *
     * @param keys         how many keys were compared
     * @param copiesMoved  {@code Σ over keys |owners(after) \ owners(before)|}, owners by name:
     *                     the copies that must be created somewhere new
     * @param idealCopies  {@code Σ over nodes max(0, fairShareAfter(n) - fairShareBefore(n))}, a
     *                     node absent from a table having share 0: what a perfectly balanced
     *                     placement that moves nothing unnecessarily would create
     * @param ratioToIdeal {@code copiesMoved / idealCopies}; 1.0 when both are 0 (nothing had to
     *                     move and nothing did), {@link Double#POSITIVE_INFINITY} when copies
     *                     moved although none had to
     */
    public record Movement(long keys, long copiesMoved, double idealCopies, double ratioToIdeal) {
    }

    /**
     * Places every key of {@code keyHashes} with {@code table} and compares each node's copies
     * with its fair share.
     *
     * @throws IllegalArgumentException if {@code replicas < 1}
     * @throws IllegalStateException    if the table names an owner that is not one of its nodes
     */
    public static Balance balance(PlacementTable table, long[] keyHashes, int replicas) {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(keyHashes, "keyHashes");
        requireReplicas(replicas);
        List<PlacementNode> nodes = table.nodes();
        Map<String, Integer> index = indexByName(nodes, "table");
        long[] copies = new long[nodes.size()];
        NodeId[] out = new NodeId[Math.min(replicas, nodes.size())];
        for (long h : keyHashes) {
            int n = table.owners(h, replicas, out);
            for (int i = 0; i < n; i++) {
                Integer at = index.get(out[i].name());
                if (at == null) {
                    throw new IllegalStateException("the table placed key hash " + h + " on " + out[i]
                            + ", which is not one of its nodes " + nodes);
                }
                copies[at]++;
            }
        }
        double[] fair = fairShareArray(nodes, keyHashes.length, replicas);
        SortedMap<String, Long> byNode = new TreeMap<>();
        double max = 1.0;
        double min = 1.0;
        if (!nodes.isEmpty() && keyHashes.length > 0) {
            max = Double.NEGATIVE_INFINITY;
            min = Double.POSITIVE_INFINITY;
            for (int i = 0; i < copies.length; i++) {
                double ratio = copies[i] / fair[i];
                max = Math.max(max, ratio);
                min = Math.min(min, ratio);
            }
        }
        for (int i = 0; i < copies.length; i++) {
            byNode.put(nodes.get(i).name(), copies[i]);
        }
        return new Balance(nodes.size(), replicas, keyHashes.length, byNode, max, min);
    }

    /**
     * Places every key of {@code keyHashes} with both tables and counts the copies that the change
     * from {@code before} to {@code after} forces to be created.
     *
     * @throws IllegalArgumentException if {@code replicas < 1}
     */
    public static Movement movement(PlacementTable before, PlacementTable after, long[] keyHashes, int replicas) {
        Objects.requireNonNull(before, "before");
        Objects.requireNonNull(after, "after");
        Objects.requireNonNull(keyHashes, "keyHashes");
        requireReplicas(replicas);
        NodeId[] outBefore = new NodeId[Math.min(replicas, before.nodeCount())];
        NodeId[] outAfter = new NodeId[Math.min(replicas, after.nodeCount())];
        long moved = 0;
        for (long h : keyHashes) {
            int nb = before.owners(h, replicas, outBefore);
            int na = after.owners(h, replicas, outAfter);
            for (int i = 0; i < na; i++) {
                String name = outAfter[i].name();
                boolean held = false;
                for (int j = 0; j < nb && !held; j++) {
                    held = outBefore[j].name().equals(name);
                }
                if (!held) {
                    moved++;
                }
            }
        }
        SortedMap<String, Double> fairBefore = fairShares(before.nodes(), keyHashes.length, replicas);
        SortedMap<String, Double> fairAfter = fairShares(after.nodes(), keyHashes.length, replicas);
        double ideal = 0;
        for (Map.Entry<String, Double> e : fairAfter.entrySet()) {
            ideal += Math.max(0, e.getValue() - fairBefore.getOrDefault(e.getKey(), 0.0));
        }
        double ratio;
        if (ideal > 0) {
            ratio = moved / ideal;
        } else {
            ratio = moved == 0 ? 1.0 : Double.POSITIVE_INFINITY;
        }
        return new Movement(keyHashes.length, moved, ideal, ratio);
    }

    /**
     * Each node's fair share of {@code min(replicas, nodes)·keys} copies, by name (see the class
     * comment for the cap at {@code keys}).
     *
     * @throws IllegalArgumentException if {@code replicas < 1}, {@code keys < 0} or two nodes
     *                                  share a name
     */
    public static SortedMap<String, Double> fairShares(List<PlacementNode> nodes, long keys, int replicas) {
        Objects.requireNonNull(nodes, "nodes");
        requireReplicas(replicas);
        if (keys < 0) {
            throw new IllegalArgumentException("keys must be >= 0, was " + keys);
        }
        indexByName(nodes, "node list");
        double[] fair = fairShareArray(nodes, keys, replicas);
        SortedMap<String, Double> out = new TreeMap<>();
        for (int i = 0; i < fair.length; i++) {
            out.put(nodes.get(i).name(), fair[i]);
        }
        return Collections.unmodifiableSortedMap(out);
    }

    /**
     * {@code count} well-spread key hashes derived only from {@code seed}: element {@code i} is
     * {@code KeyHash.of(x_i)} (XXH64 of the 8 little-endian bytes) where {@code x_i} is the
     * {@code i}-th {@code nextLong()} of {@code new SplittableRandom(seed)}, i.e.
     * {@code x_i = KeyHash.mix(seed + (i + 1) * 0x9E3779B97F4A7C15L)}. The values are computed
     * from that formula here, not by calling {@code SplittableRandom}, so they are the same on
     * every JDK forever.
     *
     * @throws IllegalArgumentException if {@code count < 0}
     */
    public static long[] keyHashes(long seed, int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0, was " + count);
        }
        long[] out = new long[count];
        long s = seed;
        for (int i = 0; i < count; i++) {
            s += GOLDEN_GAMMA;
            out[i] = KeyHash.of(KeyHash.mix(s));
        }
        return out;
    }

    private static void requireReplicas(int replicas) {
        if (replicas < 1) {
            throw new IllegalArgumentException("replicas must be >= 1, was " + replicas);
        }
    }

    private static Map<String, Integer> indexByName(List<PlacementNode> nodes, String what) {
        Map<String, Integer> index = new HashMap<>(nodes.size() * 2);
        for (int i = 0; i < nodes.size(); i++) {
            Integer previous = index.put(nodes.get(i).name(), i);
            if (previous != null) {
                throw new IllegalArgumentException("the " + what + " has two nodes named '" + nodes.get(i).name()
                        + "': " + nodes.get(previous).id() + " and " + nodes.get(i).id());
            }
        }
        return index;
    }

    /**
     * Water-filling: give every node {@code λ·w}, cap at {@code keys} those for which that is too
     * much, recompute λ for the rest; at most one round per node because capping only raises λ.
     */
    private static double[] fairShareArray(List<PlacementNode> nodes, long keys, int replicas) {
        int n = nodes.size();
        double[] fair = new double[n];
        if (n == 0) {
            return fair;
        }
        boolean[] capped = new boolean[n];
        double remaining = (double) Math.min(replicas, n) * keys;
        double remainingWeight = 0;
        for (PlacementNode node : nodes) {
            remainingWeight += node.weight();
        }
        for (int round = 0; round < n; round++) {
            double lambda = remaining / remainingWeight;
            boolean changed = false;
            for (int i = 0; i < n; i++) {
                if (!capped[i] && lambda * nodes.get(i).weight() > keys) {
                    capped[i] = true;
                    fair[i] = keys;
                    remaining -= keys;
                    remainingWeight -= nodes.get(i).weight();
                    changed = true;
                }
            }
            if (!changed || remainingWeight <= 0) {
                break;
            }
        }
        for (int i = 0; i < n; i++) {
            if (!capped[i]) {
                fair[i] = remainingWeight > 0 ? remaining * nodes.get(i).weight() / remainingWeight : 0;
            }
        }
        return fair;
    }
}
