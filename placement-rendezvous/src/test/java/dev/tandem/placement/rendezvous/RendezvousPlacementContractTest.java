package dev.tandem.placement.rendezvous;

import dev.tandem.cluster.spi.PlacementProvider;
import dev.tandem.cluster.testkit.PlacementContract;

/** Rendezvous keeps the placement contract, with the balance target of 1.03. */
class RendezvousPlacementContractTest extends PlacementContract {

    @Override
    protected PlacementProvider provider() {
        return new RendezvousPlacementProvider();
    }

    @Override
    protected double balanceTarget() {
        return 1.03;
    }
}
