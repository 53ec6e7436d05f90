package dev.tandem.placement.ring;

import dev.tandem.cluster.spi.Placement;
import dev.tandem.cluster.spi.PlacementNode;
import dev.tandem.cluster.spi.PlacementTable;
import java.util.Collection;

/** Ring placement with a fixed number of virtual nodes per unit of weight. Thread-safe. */
final class RingPlacement implements Placement {
    private final int virtualNodes;

    RingPlacement(int virtualNodes) {
        this.virtualNodes = virtualNodes;
    }

    @Override
    public String name() {
        return RingPlacementProvider.NAME;
    }

    @Override
    public PlacementTable assign(Collection<PlacementNode> nodes) {
        return RingTable.of(nodes, virtualNodes);
    }

    int virtualNodes() {
        return virtualNodes;
    }

    @Override
    public String toString() {
        return RingPlacementProvider.NAME + "(" + RingPlacementProvider.VIRTUAL_NODES + "=" + virtualNodes + ")";
    }
}
