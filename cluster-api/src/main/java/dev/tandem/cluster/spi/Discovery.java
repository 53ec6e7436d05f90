package dev.tandem.cluster.spi;

import dev.tandem.cluster.runtime.NodeContext;

/**
 * A configured discovery strategy: how a node finds its first peers (multicast beacons, a seed
 * list, DNS, ...) and, from them, runs the membership protocol that keeps the view current.
 */
public interface Discovery {

    /** The strategy's name, as its provider reports it. */
    String name();

    /**
     * Starts discovery and membership for the node of {@code context}. Must be called on the
     * node's thread; {@code listener} is told of every later view change.
     */
    Membership start(NodeContext context, MembershipListener listener);
}
