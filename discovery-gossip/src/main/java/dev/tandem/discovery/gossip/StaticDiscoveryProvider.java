package dev.tandem.discovery.gossip;

import dev.tandem.cluster.spi.Discovery;
import dev.tandem.cluster.spi.DiscoveryProvider;
import dev.tandem.cluster.spi.StrategyOptions;

/**
 * Discovery strategy {@code "static"}: nodes join through a fixed list of seed addresses (for
 * networks without multicast), then keep the view current with SWIM gossip membership. Any one
 * reachable seed is enough; list the same seeds on every node. Settings: see
 * {@link GossipSettings}; {@code seeds} is required.
 */
public final class StaticDiscoveryProvider implements DiscoveryProvider {
    /** The strategy name. */
    public static final String NAME = "static";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "a fixed list of seed addresses (no multicast needed), then SWIM gossip membership";
    }

    /**
     * @throws IllegalArgumentException for an unknown or invalid setting (missing seeds among
     *                                  them), naming it and what is allowed
     */
    @Override
    public Discovery create(StrategyOptions options) {
        return create(GossipSettings.fromOptions(NAME, false, options));
    }

    /**
     * The strategy with typed settings; {@link Discovery#start} returns a {@link GossipMembership}.
     *
     * @throws IllegalArgumentException if the settings turn beacons on (use {@code gossip})
     */
    public Discovery create(GossipSettings settings) {
        if (settings.beacons()) {
            throw new IllegalArgumentException("discovery 'static' uses seeds only, but these settings turn beacons on;"
                    + " use discovery 'gossip' for beacons");
        }
        return new GossipDiscovery(NAME, settings);
    }
}
