/**
 * Tandem's cluster API: the types every other module speaks, the strategy SPIs, and the seams
 * through which node logic reaches the outside world.
 *
 * <p>Nothing in this module opens a socket, starts a thread, reads the wall clock or draws
 * unseeded randomness. Node logic written against {@link dev.tandem.cluster.runtime.NodeContext}
 * therefore runs unchanged in production (Netty behind the seams) and in the deterministic
 * simulator (virtual time behind the seams).
 */
module dev.tandem.cluster.api {
    requires transitive micrometer.core;

    exports dev.tandem.cluster;
    exports dev.tandem.cluster.boot;
    exports dev.tandem.cluster.codec;
    exports dev.tandem.cluster.runtime;
    exports dev.tandem.cluster.spi;

    uses dev.tandem.cluster.spi.DiscoveryProvider;
    uses dev.tandem.cluster.spi.JobSchedulerProvider;
    uses dev.tandem.cluster.spi.PlacementProvider;
}
