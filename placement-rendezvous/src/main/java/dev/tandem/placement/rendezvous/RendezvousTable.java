package dev.tandem.placement.rendezvous;

import dev.tandem.cluster.KeyHash;
import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.spi.PlacementNode;
import dev.tandem.cluster.spi.PlacementTable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Rendezvous (highest-random-weight) owner lookups for one node set.
 *
 * <p><b>Why it works.</b> Every node draws a pseudo-random number for every key,
 * {@code h = mix(keyHash ^ nameHash)}, and the key's owners are the {@code R} nodes with the
 * highest draws. The draw of a node for a key depends on nothing but that node's name and the
 * key, so:
 * <ul>
 *   <li><em>balance</em>: each node is equally likely to be in the top {@code R} of every key, so
 *       each holds {@code R/N} of the copies up to sampling noise alone — there is no ring
 *       structure whose unlucky arcs could skew it;</li>
 *   <li><em>minimal movement</em>: when a node joins, a key's owners change only where the new
 *       node's draw enters the top {@code R}, and then exactly one copy moves to the new node;
 *       when a node leaves, only keys it owned change, each gaining the next-best survivor;</li>
 *   <li><em>determinism</em>: owners are a pure function of (key, names, weights); the input order
 *       of nodes and their incarnations play no part.</li>
 * </ul>
 *
 * <p><b>Weights</b> use the logarithmic method: with {@code u ∈ (0,1)} taken from the top 52
 * bits of {@code h}, a node's score is {@code -w / ln(u)}. That makes the winner the smallest of
 * independent exponential clocks {@code -ln(u)/w} of rates {@code w}, which is won by a node with
 * probability {@code w/Σw} exactly. For {@code R > 1} the top {@code R} behaves like drawing
 * without replacement proportionally to weight, which gives heavy nodes slightly less than a
 * proportional share of second copies (for one weight-2 node among 16, 1.93× a light node's
 * copies instead of 2×). {@link StrictMath#log} keeps scores bit-identical on every JVM.
 *
 * <p>When all weights are equal — the common case and the store's hot path — the score is a
 * monotone function of {@code u}, so nodes are ranked by the unsigned value of {@code h} itself
 * and no logarithm is taken. Ties (equal scores, then equal {@code h}) go to the node whose name
 * sorts first. The ranking is therefore a total order and identical on every node.
 *
 * <p>Lookup costs {@code N} mixes for {@code R ≤ 2} (a single pass keeping the best two) and
 * {@code R·N} for larger {@code R} (one selection pass per owner), and allocates nothing.
 *
 * <p><b>Frozen:</b> the draw, the score and the tie-breaks decide where data lives; changing any
 * of them moves data between versions. Immutable and thread-safe.
 */
final class RendezvousTable implements PlacementTable {
    /** 2^-52: scales a 52-bit integer into [0, 1). */
    private static final double TWO_POW_MINUS_52 = 0x1p-52;

    private final List<PlacementNode> nodes;
    private final NodeId[] ids;
    private final long[] nameHashes;
    private final double[] weights;
    private final boolean uniform;

    private RendezvousTable(List<PlacementNode> sorted) {
        this.nodes = List.copyOf(sorted);
        int n = sorted.size();
        this.ids = new NodeId[n];
        this.nameHashes = new long[n];
        this.weights = new double[n];
        boolean same = true;
        for (int i = 0; i < n; i++) {
            PlacementNode node = sorted.get(i);
            ids[i] = node.id();
            nameHashes[i] = KeyHash.of(node.name());
            weights[i] = node.weight();
            same &= weights[i] == weights[0];
        }
        this.uniform = same;
    }

    /**
     * @throws IllegalArgumentException if two nodes share a name
     * @throws NullPointerException     if {@code nodes} is or contains {@code null}
     */
    static RendezvousTable of(Collection<PlacementNode> nodes) {
        Objects.requireNonNull(nodes, "nodes");
        List<PlacementNode> sorted = new ArrayList<>(nodes.size());
        for (PlacementNode node : nodes) {
            sorted.add(Objects.requireNonNull(node, "nodes must not contain null"));
        }
        sorted.sort(Comparator.comparing(PlacementNode::name));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).name().equals(sorted.get(i - 1).name())) {
                throw new IllegalArgumentException("two nodes are named '" + sorted.get(i).name() + "': "
                        + sorted.get(i - 1).id() + " and " + sorted.get(i).id()
                        + "; placement needs one node per name (keep only the newest incarnation)");
            }
        }
        return new RendezvousTable(sorted);
    }

    @Override
    public List<PlacementNode> nodes() {
        return nodes;
    }

    @Override
    public int nodeCount() {
        return ids.length;
    }

    @Override
    public int owners(long keyHash, int replicas, NodeId[] out) {
        int n = PlacementTable.ownerCount(replicas, ids.length, out);
        if (n == 0) {
            return 0;
        }
        if (uniform && n <= 2) {
            topTwoUniform(keyHash, n, out);
        } else {
            selectByPasses(keyHash, n, out, !uniform);
        }
        return n;
    }

    /**
     * Owners ranked by the logarithmic score even when all weights are equal; for tests that the
     * uniform shortcut ranks the same.
     */
    int ownersByScore(long keyHash, int replicas, NodeId[] out) {
        int n = Math.min(replicas, ids.length);
        if (n > 0) {
            selectByPasses(keyHash, n, out, true);
        }
        return n;
    }

    private long draw(long keyHash, int node) {
        return KeyHash.mix(keyHash ^ nameHashes[node]);
    }

    private double score(long h, int node) {
        double u = ((h >>> 12) + 0.5) * TWO_POW_MINUS_52; // exactly representable, strictly inside (0, 1)
        return -weights[node] / StrictMath.log(u);
    }

    /** Single pass keeping the best two draws; equal draws keep the earlier (lower-named) node. */
    private void topTwoUniform(long keyHash, int n, NodeId[] out) {
        int first = 0;
        long firstDraw = draw(keyHash, 0);
        int second = -1;
        long secondDraw = 0;
        for (int i = 1; i < ids.length; i++) {
            long h = draw(keyHash, i);
            if (Long.compareUnsigned(h, firstDraw) > 0) {
                second = first;
                secondDraw = firstDraw;
                first = i;
                firstDraw = h;
            } else if (second < 0 || Long.compareUnsigned(h, secondDraw) > 0) {
                second = i;
                secondDraw = h;
            }
        }
        out[0] = ids[first];
        if (n == 2) {
            out[1] = ids[second];
        }
    }

    /**
     * One pass per owner: pass {@code k} picks the best node ranked strictly below the pick of pass
     * {@code k-1}. The rank is (score desc, draw unsigned desc, index asc); in uniform tables the
     * score is left out ({@code scored == false}) because it is a monotone function of the draw.
     */
    private void selectByPasses(long keyHash, int n, NodeId[] out, boolean scored) {
        int prev = -1;
        double prevScore = 0;
        long prevDraw = 0;
        for (int k = 0; k < n; k++) {
            int best = -1;
            double bestScore = 0;
            long bestDraw = 0;
            for (int i = 0; i < ids.length; i++) {
                long h = draw(keyHash, i);
                double s = scored ? score(h, i) : 0;
                if (prev >= 0 && !ranksBefore(prevScore, prevDraw, prev, s, h, i)) {
                    continue; // already picked, or ranked above an earlier pick
                }
                if (best < 0 || ranksBefore(s, h, i, bestScore, bestDraw, best)) {
                    best = i;
                    bestScore = s;
                    bestDraw = h;
                }
            }
            out[k] = ids[best];
            prev = best;
            prevScore = bestScore;
            prevDraw = bestDraw;
        }
    }

    /** Whether node a (score, draw, index) ranks strictly before node b. */
    private static boolean ranksBefore(double scoreA, long drawA, int a, double scoreB, long drawB, int b) {
        int c = Double.compare(scoreA, scoreB);
        if (c != 0) {
            return c > 0;
        }
        c = Long.compareUnsigned(drawA, drawB);
        if (c != 0) {
            return c > 0;
        }
        return a < b;
    }

    @Override
    public String toString() {
        return "RendezvousTable" + nodes;
    }
}
