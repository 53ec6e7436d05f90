package dev.tandem.discovery.gossip;

import dev.tandem.cluster.NodeId;

/**
 * What a node's SWIM protocol believes about itself, for checkers and operators.
 *
 * @param self               this node
 * @param ownVersion         this node's own {@link dev.tandem.cluster.Member#version()}; only grows
 * @param localHealth        Lifeguard's local health score, 0 (healthy) to {@code healthMax - 1}
 * @param healthMax          the score's ceiling (from the settings)
 * @param activeSuspicions   members this node currently holds as SUSPECT
 * @param suspicionsRaised   suspicions this node raised after failed probes, since start
 * @param refutations        times this node refuted a claim that it was suspect or dead
 * @param pauses             times this node noticed it had been paused (a timer firing late)
 * @param pendingBroadcasts  updates waiting in the piggy-back buffer
 * @param left               whether {@link GossipMembership#leave()} was called
 */
public record MembershipDiagnostics(NodeId self, long ownVersion, int localHealth, int healthMax,
                                    int activeSuspicions, long suspicionsRaised, long refutations, long pauses,
                                    int pendingBroadcasts, boolean left) {
}
