package dev.tandem.cluster.runtime;

import dev.tandem.cluster.NodeAddress;
import java.util.function.Consumer;

/**
 * Messages between nodes: the only way node logic may talk to another node.
 *
 * <p>The contract is deliberately weak, because that is what networks give: a sent message may
 * be lost, delayed, duplicated (by retries) or, across reconnects, reordered; a message that
 * arrives arrives whole and unmodified, from the peer that authenticated as {@code from}.
 * Protocols built on it carry their own ids, versions and retries. Messages are multiplexed over
 * small integer channels, one per protocol (membership, store, jobs, ...).
 *
 * <p>Implementations: a Netty TCP transport in production (cluster secret checked in the
 * handshake), a simulated network in the simulator. Methods are called on the node's thread.
 */
public interface Transport {

    /** Largest payload {@link #send} accepts. */
    int MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;

    /** The address other nodes reach this node at. */
    NodeAddress localAddress();

    /**
     * Queues {@code payload} for {@code to} on {@code channel} and returns at once. Never blocks;
     * if the peer is unreachable or its queue is full the message is dropped (protocols retry).
     * The transport owns {@code payload} afterwards.
     *
     * @throws IllegalArgumentException if the payload exceeds {@link #MAX_PAYLOAD_BYTES} or the
     *                                  channel is outside 0-255
     */
    void send(NodeAddress to, int channel, byte[] payload);

    /**
     * Asks for what {@link #send} queued so far to leave now rather than when the current task of
     * the node's thread ends (where a transport may coalesce the sends of one task into one
     * write per peer). A hint for a node that has more work in this task and wants its peers to
     * start on theirs meanwhile; it changes no guarantee. The default does nothing.
     */
    default void flush() {
    }

    /**
     * Routes messages arriving on {@code channel} to {@code handler}.
     *
     * @throws IllegalStateException if the channel already has a handler
     */
    void bind(int channel, MessageHandler handler);

    /**
     * Whether a message to {@code to} would be queued now rather than dropped for back-pressure.
     * Bulk senders (rebalancing) check this to stream without unbounded buffering.
     */
    default boolean isWritable(NodeAddress to) {
        return true;
    }

    /**
     * Registers {@code listener} for hints that the process at an address is gone: an established
     * connection to it was closed or reset by the other end, or a connection attempt was refused
     * (nothing listens there any more) — what the kernel says right after a {@code kill -9}.
     * A hint is evidence, not a verdict: the peer may be restarting or behind a broken link, so
     * protocols use it only to look sooner (e.g. probe at once), never to conclude by itself.
     * Listeners are called on the node's thread. The default transport gives no hints.
     */
    default void onUnreachable(Consumer<NodeAddress> listener) {
    }
}
