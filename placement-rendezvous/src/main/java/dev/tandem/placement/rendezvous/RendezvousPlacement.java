package dev.tandem.placement.rendezvous;

import dev.tandem.cluster.spi.Placement;
import dev.tandem.cluster.spi.PlacementNode;
import dev.tandem.cluster.spi.PlacementTable;
import java.util.Collection;

/** Rendezvous placement; stateless, so one instance serves every node set. Thread-safe. */
final class RendezvousPlacement implements Placement {

    @Override
    public String name() {
        return RendezvousPlacementProvider.NAME;
    }

    @Override
    public PlacementTable assign(Collection<PlacementNode> nodes) {
        return RendezvousTable.of(nodes);
    }

    @Override
    public String toString() {
        return RendezvousPlacementProvider.NAME;
    }
}
