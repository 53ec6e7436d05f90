package dev.tandem.placement.rendezvous;

import dev.tandem.cluster.spi.Placement;
import dev.tandem.cluster.spi.PlacementProvider;
import dev.tandem.cluster.spi.StrategyOptions;
import java.util.Set;

/**
 * Provides rendezvous (highest-random-weight) placement under the name {@value #NAME}. It has no
 * settings.
 */
public final class RendezvousPlacementProvider implements PlacementProvider {
    /** The name users select this strategy by. */
    public static final String NAME = "rendezvous";

    public RendezvousPlacementProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "highest-random-weight: the owners of a key are the R nodes that score highest for it; "
                + "even spread, minimal movement, O(N) per lookup";
    }

    /**
     * @throws IllegalArgumentException if any setting is given; this strategy has none
     */
    @Override
    public Placement create(StrategyOptions options) {
        options.requireOnly(NAME, Set.of());
        return new RendezvousPlacement();
    }
}
