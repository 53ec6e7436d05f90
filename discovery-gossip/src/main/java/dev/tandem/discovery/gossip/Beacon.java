package dev.tandem.discovery.gossip;

import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.NodeId;
import java.util.Objects;

/**
 * "Node {@code node} of cluster {@code cluster} listens at {@code address}", as announced on the
 * beacon channel. The timestamp and nonce let receivers refuse stale and replayed copies.
 *
 * @param timestampMillis the sender's wall clock when it sent the beacon
 * @param nonce           random per beacon
 */
record Beacon(String cluster, NodeId node, NodeAddress address, long timestampMillis, long nonce) {
    Beacon {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(address, "address");
    }
}
