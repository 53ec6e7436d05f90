package dev.tandem.store.internal;

import dev.tandem.cluster.runtime.NodeContext;
import dev.tandem.cluster.spi.Placement;
import dev.tandem.store.api.StoreConfig;
import dev.tandem.store.api.StoreNode;

/** The one public type of the (non-exported) implementation package: the API's way in. */
public final class StoreFactory {
    private StoreFactory() {
    }

    public static StoreNode create(NodeContext context, Placement placement, StoreConfig config) {
        return new ReplicaNode(context, placement, config, Sabotage.NONE);
    }
}
