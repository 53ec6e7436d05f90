package dev.tandem.cluster.runtime;

import dev.tandem.cluster.NodeAddress;

/** Receives the messages of one {@link Transport} channel, on the node's thread. */
@FunctionalInterface
public interface MessageHandler {

    /**
     * Handles one message. {@code payload} belongs to the handler. A handler must treat the
     * payload as untrusted input: a malformed message is dropped (and counted), never thrown at
     * the transport.
     *
     * @param from the sender's transport address, as authenticated by the transport
     */
    void onMessage(NodeAddress from, byte[] payload);
}
