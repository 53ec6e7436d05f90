package dev.tandem.cluster.runtime;

import java.util.function.Consumer;

/**
 * Broadcast datagrams on the local network segment (UDP multicast in production), used by
 * discovery strategies to announce a node before it knows any peer.
 *
 * <p>Anyone on the segment can send a beacon, so receivers must authenticate what they read.
 * Delivery is best effort. Callbacks run on the node's thread.
 */
public interface BeaconChannel {

    /** Largest beacon {@link #broadcast} accepts: one unfragmented UDP datagram. */
    int MAX_BEACON_BYTES = 1200;

    /** Sends {@code beacon} to every node listening on the segment, possibly including this one. */
    void broadcast(byte[] beacon);

    /** Delivers every received beacon to {@code receiver}; replaces any previous receiver. */
    void onBeacon(Consumer<byte[]> receiver);

    /** A channel that sends nowhere and never receives, for nodes without multicast. */
    static BeaconChannel none() {
        return new BeaconChannel() {
            @Override
            public void broadcast(byte[] beacon) {
            }

            @Override
            public void onBeacon(Consumer<byte[]> receiver) {
            }
        };
    }
}
