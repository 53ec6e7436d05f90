package dev.tandem.store.api;

import dev.tandem.cluster.runtime.NodeContext;
import dev.tandem.cluster.spi.Placement;
import dev.tandem.store.internal.StoreFactory;

/** Creates store nodes. */
public final class Stores {
    private Stores() {
    }

    /**
     * A store node that talks over {@code context}'s transport on
     * {@link dev.tandem.cluster.runtime.Channels#STORE} and places keys with {@code placement}.
     * Call on the node's thread (it binds the channel and starts the node's timer).
     *
     * @throws IllegalStateException if the store channel is already bound
     */
    public static StoreNode create(NodeContext context, Placement placement, StoreConfig config) {
        return StoreFactory.create(context, placement, config);
    }
}
