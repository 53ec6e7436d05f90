package dev.tandem.node;

import dev.tandem.cluster.NodeId;
import dev.tandem.store.api.NodeInfo;
import java.util.List;

/**
 * The store's state across the cluster, like {@code Borg.info()}: what every live member of the
 * asking node's view answered about itself, and who did not answer in time. Each node's figures
 * are as that node sees them (its own view), gathered within a few milliseconds of each other, not
 * one atomic snapshot.
 *
 * @param nodes      one entry per node that answered, the asking node first, then by name
 * @param unanswered live members (in the asking node's view) that did not answer before the timeout
 */
public record ClusterInfo(List<NodeInfo> nodes, List<NodeId> unanswered) {
    public ClusterInfo {
        nodes = List.copyOf(nodes);
        unanswered = List.copyOf(unanswered);
    }

    /** Sum of keys held as owner: {@code R} copies per key once the cluster has settled. */
    public long keysAsOwner() {
        return nodes.stream().mapToLong(NodeInfo::keysAsOwner).sum();
    }

    /** Sum of keys held in partitions their holder no longer owns (being handed off). */
    public long keysInTransit() {
        return nodes.stream().mapToLong(NodeInfo::keysInTransit).sum();
    }

    /** Sum of owned keys whose partition is not yet confirmed on every owner. */
    public long keysBelowReplicas() {
        return nodes.stream().mapToLong(NodeInfo::keysBelowReplicas).sum();
    }

    /** Whether every live member answered and nothing is below {@code R} copies or in transit. */
    public boolean isSettled() {
        return unanswered.isEmpty() && keysBelowReplicas() == 0 && keysInTransit() == 0;
    }
}
