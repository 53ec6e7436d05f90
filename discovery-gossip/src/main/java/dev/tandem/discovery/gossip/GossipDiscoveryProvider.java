package dev.tandem.discovery.gossip;

import dev.tandem.cluster.spi.Discovery;
import dev.tandem.cluster.spi.DiscoveryProvider;
import dev.tandem.cluster.spi.StrategyOptions;

/**
 * Discovery strategy {@code "gossip"}: nodes announce themselves with multicast beacons
 * authenticated by the cluster secret (as libcluster's Gossip strategy, but authenticated rather
 * than only encrypted), optionally also join through seed addresses, and then keep the view
 * current with SWIM gossip membership. Settings: see {@link GossipSettings}; {@code secret} is
 * required.
 */
public final class GossipDiscoveryProvider implements DiscoveryProvider {
    /** The strategy name. */
    public static final String NAME = "gossip";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "multicast beacons authenticated with the cluster secret (plus optional seeds), then SWIM gossip membership";
    }

    /**
     * @throws IllegalArgumentException for an unknown or invalid setting (a missing secret among
     *                                  them), naming it and what is allowed
     */
    @Override
    public Discovery create(StrategyOptions options) {
        return create(GossipSettings.fromOptions(NAME, true, options));
    }

    /**
     * The strategy with typed settings; {@link Discovery#start} returns a {@link GossipMembership}.
     *
     * @throws IllegalArgumentException if the settings have beacons off (use {@code static})
     */
    public Discovery create(GossipSettings settings) {
        if (!settings.beacons()) {
            throw new IllegalArgumentException("discovery 'gossip' announces nodes with beacons, but these settings turn"
                    + " them off; use discovery 'static' for a seed list alone");
        }
        return new GossipDiscovery(NAME, settings);
    }
}
