package dev.tandem.cluster.spi;

import dev.tandem.cluster.NodeId;
import java.util.Arrays;
import java.util.List;

/**
 * Owner lookups for one fixed set of nodes, precomputed by {@link Placement#assign}.
 *
 * <p>Contract every implementation passes (the shared placement contract suite checks it):
 * <ul>
 *   <li>a pure function of the node set: the same nodes, in any order, give the same owners on
 *       every node of every version;</li>
 *   <li>{@code owners(h, r)} returns {@code min(r, nodeCount())} <em>distinct</em> nodes in
 *       preference order — when a cluster has fewer nodes than the replication factor, every node
 *       is an owner and the caller sees the shortfall in the returned count;</li>
 *   <li>when a node joins or leaves, only copies that must move change owner (within a small
 *       factor of the ideal, measured by the contract suite).</li>
 * </ul>
 * Immutable and thread-safe; lookups allocate nothing with the array form.
 */
public interface PlacementTable {

    /** The nodes this table places onto, sorted by name. */
    List<PlacementNode> nodes();

    default int nodeCount() {
        return nodes().size();
    }

    /**
     * Writes the owners of {@code keyHash} into {@code out[0..n)} in preference order and returns
     * {@code n = min(replicas, nodeCount())}.
     *
     * @throws IllegalArgumentException  if {@code replicas < 1}
     * @throws IndexOutOfBoundsException if {@code out} is shorter than {@code n}
     */
    int owners(long keyHash, int replicas, NodeId[] out);

    /**
     * Checks the arguments of {@link #owners(long, int, NodeId[])} as its contract states, for
     * implementations, and returns how many owners to produce: {@code min(replicas, nodeCount)}.
     *
     * @throws IllegalArgumentException  if {@code replicas < 1}
     * @throws IndexOutOfBoundsException if {@code out} is shorter than the returned count
     */
    static int ownerCount(int replicas, int nodeCount, NodeId[] out) {
        if (replicas < 1) {
            throw new IllegalArgumentException("replicas must be >= 1, was " + replicas);
        }
        int n = Math.min(replicas, nodeCount);
        if (out.length < n) {
            throw new IndexOutOfBoundsException("out has room for " + out.length + " owners but " + n
                    + " are returned for replicas=" + replicas + " over " + nodeCount + " nodes");
        }
        return n;
    }

    /** Allocating convenience form of {@link #owners(long, int, NodeId[])}. */
    default List<NodeId> owners(long keyHash, int replicas) {
        NodeId[] out = new NodeId[Math.max(0, Math.min(replicas, nodeCount()))];
        if (replicas < 1) {
            throw new IllegalArgumentException("replicas must be >= 1, was " + replicas);
        }
        int n = owners(keyHash, replicas, out);
        return List.of(Arrays.copyOf(out, n));
    }
}
