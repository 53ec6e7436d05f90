package dev.tandem.store.internal;

import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.runtime.NodeContext;
import dev.tandem.cluster.spi.Placement;
import dev.tandem.store.api.StoreConfig;
import dev.tandem.store.api.StoreNode;
import java.util.Locale;

/**
 * What the simulator's store scenarios (module {@code dev.tandem.store.sim}, the only module this
 * package is exported to) may do beyond the public API: start a node with a named sabotage, and
 * read a node's local state without sending anything. Node thread only.
 */
public final class SimAccess {
    private SimAccess() {
    }

    /** Sabotage names as the command line spells them: {@code ack-after-one-copy}, ... */
    public static java.util.List<String> sabotages() {
        return java.util.Arrays.stream(Sabotage.values()).filter(s -> s != Sabotage.NONE)
                .map(s -> s.name().toLowerCase(Locale.ROOT).replace('_', '-')).toList();
    }

    /**
     * A store node, optionally sabotaged ({@code ""} for none).
     *
     * @throws IllegalArgumentException for an unknown sabotage, listing the known ones
     */
    public static StoreNode create(NodeContext context, Placement placement, StoreConfig config, String sabotage) {
        Sabotage s = Sabotage.NONE;
        if (!sabotage.isEmpty()) {
            try {
                s = Sabotage.valueOf(sabotage.toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown sabotage '" + sabotage + "'; known: " + sabotages());
            }
        }
        return new ReplicaNode(context, placement, config, s);
    }

    /** This node's local copy of {@code key}: {hlc, tag (top bit = tombstone)} and the value, or null. */
    public static LocalCopy peek(StoreNode node, byte[] key) {
        Messages.WireEntry e = ((ReplicaNode) node).peek(key);
        return e == null ? null : new LocalCopy(e.hlc(), e.tag(), Versions.isTombstone(e.tag()) ? null
                : Records.value(e.record()));
    }

    /** A local copy; {@code value == null} for a tombstone. */
    public record LocalCopy(long hlc, long tag, byte[] value) {
        public boolean tombstone() {
            return value == null;
        }

        /** Version order: positive if this copy is newer than {@code (hlc, tag)}. */
        public int compareTo(long otherHlc, long otherTag) {
            return Versions.compare(hlc, tag, otherHlc, otherTag);
        }
    }

    /** The owners of {@code key} in the node's current view. */
    public static NodeId[] owners(StoreNode node, byte[] key) {
        return node.owners(key).toArray(new NodeId[0]);
    }

    /** No client operation pending and no transfer under way. */
    public static boolean idle(StoreNode node) {
        return ((ReplicaNode) node).idle();
    }

    /** Keys this node has sent in transfer and handoff batches since it started. */
    public static long keysSent(StoreNode node) {
        return ((ReplicaNode) node).keysSent();
    }

    /** The local node info, computed now. */
    public static dev.tandem.store.api.NodeInfo info(StoreNode node) {
        return ((ReplicaNode) node).localInfo();
    }
}
