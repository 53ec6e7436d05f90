package dev.tandem.placement.ring;

import dev.tandem.cluster.spi.PlacementProvider;
import dev.tandem.cluster.testkit.PlacementContract;

/** The ring with default settings keeps the placement contract, with the balance target of 1.10. */
class RingPlacementContractTest extends PlacementContract {

    @Override
    protected PlacementProvider provider() {
        return new RingPlacementProvider();
    }

    @Override
    protected double balanceTarget() {
        return 1.10;
    }
}
