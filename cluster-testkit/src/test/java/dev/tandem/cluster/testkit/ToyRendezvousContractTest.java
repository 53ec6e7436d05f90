package dev.tandem.cluster.testkit;

import dev.tandem.cluster.spi.PlacementProvider;

/**
 * The contract passes a sound strategy: a plain weighted rendezvous, at 200,000 keys (the real
 * strategies run it at 1,000,000) with the looser 1.10 balance target that fewer keys need.
 */
class ToyRendezvousContractTest extends PlacementContract {

    @Override
    protected PlacementProvider provider() {
        return ToyPlacement.rendezvous(ToyPlacement.Bug.NONE);
    }

    @Override
    protected int balanceKeys() {
        return 200_000;
    }
}
