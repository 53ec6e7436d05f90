package dev.tandem.placement.ring;

import dev.tandem.cluster.KeyHash;
import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.spi.PlacementNode;
import dev.tandem.cluster.spi.PlacementTable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Consistent-hash ring owner lookups for one node set.
 *
 * <pre>
 *   points (sorted long[], signed order; wraps from the largest back to the smallest)
 *   ──●a──────●c───●a──────────●b─────●c───────●b──▶ ┐
 *     ▲                ▲ key                        │
 *     └────────────────┼────────────────────────────┘
 *                      owners(key, 2) = b, c  (next points clockwise: b, c — distinct nodes)
 * </pre>
 *
 * <p><b>Why it works.</b> Each node puts {@code round(virtualNodes × weight)} (at least one)
 * points on a 64-bit circle at positions that depend only on its name:
 * {@code mix(nameHash + (j+1)·γ)} for its {@code j}-th point, γ the golden-ratio gamma. A key sits at
 * its hash; its owners are the first {@code R} <em>distinct</em> nodes met walking clockwise
 * from there, wrapping past the largest point to the smallest. Because a node's points depend
 * only on its own name and weight, a joining node only takes over the arcs just before its own
 * points (each key there gains exactly the new node as an owner and loses its last one), and a
 * leaving node's arcs pass to the nodes that follow them — only copies that must move, move.
 * Balance comes from many points per node: a node's share is a sum of many independent arcs, so
 * its relative deviation shrinks like {@code 1/√points}; the default point count was chosen by
 * measurement (see {@link RingPlacementProvider#DEFAULT_VIRTUAL_NODES}).
 *
 * <p>Lookup is a binary search (first point {@code >= keyHash}) plus a short clockwise walk that
 * skips points of nodes already chosen, and allocates nothing. Points that collide are ordered by
 * node name, so the table is a pure function of the node set. Memory: 12 bytes per point.
 *
 * <p><b>Frozen:</b> point positions, the key position and the tie-break decide where data lives;
 * changing them moves data between versions. Immutable and thread-safe.
 */
final class RingTable implements PlacementTable {
    /** Bound on points per table (48 MiB of arrays), so an absurd weight cannot exhaust memory. */
    static final int MAX_POINTS = 1 << 22;
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private final List<PlacementNode> nodes;
    private final NodeId[] ids;
    private final long[] points; // sorted ascending (signed)
    private final int[] owner;   // owner[p] = index into ids of the node that placed points[p]

    private RingTable(List<PlacementNode> sorted, long[] points, int[] owner) {
        this.nodes = List.copyOf(sorted);
        this.ids = new NodeId[sorted.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = sorted.get(i).id();
        }
        this.points = points;
        this.owner = owner;
    }

    /**
     * @throws IllegalArgumentException if two nodes share a name, or the weights would need more
     *                                  than {@value #MAX_POINTS} points
     * @throws NullPointerException     if {@code nodes} is or contains {@code null}
     */
    static RingTable of(Collection<PlacementNode> nodes, int virtualNodes) {
        Objects.requireNonNull(nodes, "nodes");
        if (virtualNodes < 1) {
            throw new IllegalArgumentException("virtualNodes must be >= 1, was " + virtualNodes);
        }
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
        int[] counts = new int[sorted.size()];
        long total = 0;
        for (int i = 0; i < counts.length; i++) {
            long c = pointsFor(sorted.get(i).weight(), virtualNodes);
            total += c;
            if (total > MAX_POINTS) {
                throw new IllegalArgumentException("a ring of " + sorted.size() + " nodes with virtual-nodes="
                        + virtualNodes + " and these weights needs more than " + MAX_POINTS
                        + " points (node " + sorted.get(i).id() + " of weight " + sorted.get(i).weight()
                        + " alone needs " + c + "); weights are relative, so give a typical node weight 1,"
                        + " or lower virtual-nodes");
            }
            counts[i] = (int) c;
        }
        // Each node's points, sorted within the node, then merged across nodes with a heap:
        // O(points · log nodes). Equal points from different nodes come out lower-named first.
        long[] raw = new long[(int) total];
        int[] next = new int[counts.length];
        int[] end = new int[counts.length];
        int at = 0;
        for (int i = 0; i < counts.length; i++) {
            long nameHash = KeyHash.of(sorted.get(i).name());
            next[i] = at;
            for (int j = 0; j < counts[i]; j++) {
                raw[at++] = pointOf(nameHash, j);
            }
            end[i] = at;
            Arrays.sort(raw, next[i], end[i]);
        }
        long[] points = new long[raw.length];
        int[] owner = new int[raw.length];
        int[] heap = new int[counts.length];
        int size = 0;
        for (int i = 0; i < counts.length; i++) {
            heap[size++] = i; // every node has at least one point
        }
        for (int k = size / 2 - 1; k >= 0; k--) {
            siftDown(heap, size, k, raw, next);
        }
        for (int p = 0; p < points.length; p++) {
            int node = heap[0];
            points[p] = raw[next[node]];
            owner[p] = node;
            if (++next[node] == end[node]) {
                heap[0] = heap[--size];
            }
            siftDown(heap, size, 0, raw, next);
        }
        return new RingTable(sorted, points, owner);
    }

    /** Restores the heap below {@code k}: a node whose next point is smaller (then whose name sorts first) rises. */
    private static void siftDown(int[] heap, int size, int k, long[] raw, int[] next) {
        int node = heap[k];
        while (true) {
            int child = 2 * k + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && before(heap[child + 1], heap[child], raw, next)) {
                child++;
            }
            if (!before(heap[child], node, raw, next)) {
                break;
            }
            heap[k] = heap[child];
            k = child;
        }
        heap[k] = node;
    }

    private static boolean before(int a, int b, long[] raw, int[] next) {
        long pa = raw[next[a]];
        long pb = raw[next[b]];
        return pa < pb || (pa == pb && a < b);
    }

    /** Points a node of this weight places: {@code round(virtualNodes × weight)}, at least 1. */
    static long pointsFor(double weight, int virtualNodes) {
        return Math.max(1L, Math.round(virtualNodes * weight));
    }

    /** Position of a node's {@code j}-th point: the {@code j}-th SplitMix64 output seeded by its name hash. */
    static long pointOf(long nameHash, int j) {
        return KeyHash.mix(nameHash + (j + 1) * GOLDEN_GAMMA);
    }

    /** First index whose point is {@code >= key}, or {@code points.length} if none. */
    private static int lowerBound(long[] points, long key) {
        int lo = 0;
        int hi = points.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (points[mid] < key) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    @Override
    public List<PlacementNode> nodes() {
        return nodes;
    }

    @Override
    public int nodeCount() {
        return ids.length;
    }

    int pointCount() {
        return points.length;
    }

    /** The {@code p}-th point in ring order; for tests and measurements. */
    long point(int p) {
        return points[p];
    }

    /** The node that placed the {@code p}-th point; for tests and measurements. */
    NodeId pointOwner(int p) {
        return ids[owner[p]];
    }

    @Override
    public int owners(long keyHash, int replicas, NodeId[] out) {
        int n = PlacementTable.ownerCount(replicas, ids.length, out);
        if (n == 0) {
            return 0;
        }
        int p = lowerBound(points, keyHash);
        int found = 0;
        // At most one full turn: every node has a point, so n distinct nodes are met within it.
        for (int step = 0; step < points.length && found < n; step++, p++) {
            if (p == points.length) {
                p = 0; // wrap past the largest point
            }
            NodeId candidate = ids[owner[p]];
            boolean chosen = false;
            for (int k = 0; k < found && !chosen; k++) {
                chosen = out[k] == candidate;
            }
            if (!chosen) {
                out[found++] = candidate;
            }
        }
        return found;
    }

    @Override
    public String toString() {
        return "RingTable(" + points.length + " points)" + nodes;
    }
}
