package dev.tandem.store.api;

import dev.tandem.cluster.MembershipView;
import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.spi.MembershipListener;
import java.util.List;

/**
 * One node's store: the {@link KeyValueStore} API plus the hooks its runtime drives. Feed every
 * membership view change to {@link #onViewChange} (on the node's thread, in order); until the first
 * view arrives the node knows no peers and writes fail with {@code TOO_FEW_NODES}.
 */
public interface StoreNode extends KeyValueStore, MembershipListener, AutoCloseable {

    /** The view the node currently places keys with. Call on the node's thread. */
    MembershipView view();

    /**
     * The nodes that own {@code key} under {@link #view()}, in preference order: its partition's
     * owners (keys are placed by partition, not one by one). Call on the node's thread.
     */
    List<NodeId> owners(byte[] key);

    /**
     * Stops timers and fails pending operations with {@code CLOSED}; later messages are dropped.
     * Idempotent. Closing does not hand data off: the other nodes re-create the copies this node
     * held once membership declares it gone (see the protocol in the implementation's class comment).
     */
    @Override
    void close();
}
