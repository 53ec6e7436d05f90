package dev.tandem.cluster.spi;

import dev.tandem.cluster.MembershipView;

/** Told of every change to the local membership view, in order, on the node's thread. */
@FunctionalInterface
public interface MembershipListener {

    /** {@code current.version() > previous.version()} always holds. */
    void onViewChange(MembershipView previous, MembershipView current);
}
