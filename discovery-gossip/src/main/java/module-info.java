/**
 * Gossip discovery and SWIM membership.
 *
 * <p>Two discovery strategies share one membership protocol (SWIM with the Lifeguard extensions,
 * written sans-IO against {@link dev.tandem.cluster.runtime.NodeContext}):
 * <ul>
 *   <li>{@code gossip}: finds peers through multicast beacons authenticated with the cluster
 *       secret (HMAC-SHA256), optionally also through seed addresses;</li>
 *   <li>{@code static}: joins through a fixed list of seed addresses.</li>
 * </ul>
 */
module dev.tandem.discovery.gossip {
    requires transitive dev.tandem.cluster.api;

    exports dev.tandem.discovery.gossip;

    provides dev.tandem.cluster.spi.DiscoveryProvider
        with dev.tandem.discovery.gossip.GossipDiscoveryProvider,
             dev.tandem.discovery.gossip.StaticDiscoveryProvider;
}
