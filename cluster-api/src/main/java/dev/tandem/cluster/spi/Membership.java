package dev.tandem.cluster.spi;

import dev.tandem.cluster.MembershipView;

/**
 * A running membership protocol on one node: the source of the {@link MembershipView} that the
 * rest of Tandem (placement, store, jobs) consumes. The view changes only through the protocol.
 * Methods are called on the node's thread.
 */
public interface Membership extends AutoCloseable {

    /** The current local view, including this node. */
    MembershipView view();

    /** Announces a graceful departure to the cluster; the view stops changing afterwards. */
    void leave();

    /** Stops the protocol without announcing anything (as a crash would look to others). */
    @Override
    void close();
}
