/** Consistent-hash ring placement with virtual nodes. */
module dev.tandem.placement.ring {
    requires dev.tandem.cluster.api;

    provides dev.tandem.cluster.spi.PlacementProvider
        with dev.tandem.placement.ring.RingPlacementProvider;
}
