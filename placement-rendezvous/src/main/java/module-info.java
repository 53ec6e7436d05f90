/** Rendezvous (highest-random-weight) placement. */
module dev.tandem.placement.rendezvous {
    requires dev.tandem.cluster.api;

    provides dev.tandem.cluster.spi.PlacementProvider
        with dev.tandem.placement.rendezvous.RendezvousPlacementProvider;
}
