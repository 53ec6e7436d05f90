package dev.tandem.store.api;

import dev.tandem.cluster.NodeId;

/**
 * What one store node holds, as that node sees it (its own membership view).
 *
 * @param node               the node
 * @param keysAsOwner        live keys (not tombstones) in partitions this node owns
 * @param keysInTransit      live keys in partitions this node holds but no longer owns; they are
 *                           being handed to the owners and dropped once the owners confirm
 * @param keysBelowReplicas  live owned keys whose partition is not yet confirmed in sync with every
 *                           co-owner since the owner set last changed (or whose partition has
 *                           fewer live owners than the replication factor)
 * @param tombstones         deletion markers held (purged once all owners hold them and the grace
 *                           period has passed)
 * @param partitionsOwned    partitions for which this node is one of the owners
 */
public record NodeInfo(NodeId node, long keysAsOwner, long keysInTransit, long keysBelowReplicas,
                       long tombstones, int partitionsOwned) {
}
