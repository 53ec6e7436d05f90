package dev.tandem.discovery.gossip;

import dev.tandem.cluster.spi.Membership;

/**
 * The membership that the {@code gossip} and {@code static} strategies start: a
 * {@link Membership} that also lets tests and the simulator's checkers look inside, read-only.
 * Methods are called on the node's thread.
 */
public interface GossipMembership extends Membership {

    /** A snapshot of the protocol's own state; cheap, allocation of one small record. */
    MembershipDiagnostics diagnostics();
}
