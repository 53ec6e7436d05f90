package dev.tandem.discovery.gossip;

import dev.tandem.cluster.Member;
import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.NodeId;
import java.util.List;
import java.util.Objects;

/**
 * The membership protocol's messages (channel {@link dev.tandem.cluster.runtime.Channels#MEMBERSHIP}).
 * Immutable; encoded and decoded by {@link SwimCodec}. Every message names its sender and
 * carries piggy-backed gossip.
 */
sealed interface SwimMessage {

    NodeId sender();

    List<Claim> gossip();

    /** "Are you alive?" — answered with an {@link Ack} of the same {@code seq}, only by {@code target}. */
    record Ping(NodeId sender, long seq, NodeId target, List<Claim> gossip) implements SwimMessage {
        public Ping {
            Objects.requireNonNull(sender);
            Objects.requireNonNull(target);
            gossip = List.copyOf(gossip);
        }
    }

    /** Answer to a {@link Ping}, or relayed answer to a {@link PingReq}. */
    record Ack(NodeId sender, long seq, List<Claim> gossip) implements SwimMessage {
        public Ack {
            Objects.requireNonNull(sender);
            gossip = List.copyOf(gossip);
        }
    }

    /** "Please ping {@code target} for me": answered with an {@link Ack}, or a {@link Nack} on timeout. */
    record PingReq(NodeId sender, long seq, NodeId target, NodeAddress targetAddress, List<Claim> gossip)
            implements SwimMessage {
        public PingReq {
            Objects.requireNonNull(sender);
            Objects.requireNonNull(target);
            Objects.requireNonNull(targetAddress);
            gossip = List.copyOf(gossip);
        }
    }

    /** Lifeguard: "I reached no answer from the target" — proves the requester can still hear peers. */
    record Nack(NodeId sender, long seq, List<Claim> gossip) implements SwimMessage {
        public Nack {
            Objects.requireNonNull(sender);
            gossip = List.copyOf(gossip);
        }
    }

    /** Gossip only (used to announce a graceful leave without waiting for probes). */
    record Gossip(NodeId sender, List<Claim> gossip) implements SwimMessage {
        public Gossip {
            Objects.requireNonNull(sender);
            gossip = List.copyOf(gossip);
        }
    }

    /** A full-state exchange: a request is answered with a response carrying the responder's state. */
    record PushPull(NodeId sender, boolean response, String cluster, List<Member> state) implements SwimMessage {
        public PushPull {
            Objects.requireNonNull(sender);
            Objects.requireNonNull(cluster);
            state = List.copyOf(state);
        }

        @Override
        public List<Claim> gossip() {
            return List.of();
        }
    }
}
