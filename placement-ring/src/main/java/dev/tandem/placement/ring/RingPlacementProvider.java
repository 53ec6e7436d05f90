package dev.tandem.placement.ring;

import dev.tandem.cluster.spi.Placement;
import dev.tandem.cluster.spi.PlacementProvider;
import dev.tandem.cluster.spi.StrategyOptions;
import java.util.Set;

/**
 * Provides consistent-hash ring placement under the name {@value #NAME}.
 *
 * <p>Setting {@value #VIRTUAL_NODES}: points on the ring per node of weight 1 (a node of weight
 * {@code w} places {@code round(w × virtual-nodes)}, at least 1), from {@value #MIN_VIRTUAL_NODES}
 * to {@value #MAX_VIRTUAL_NODES}; default {@value #DEFAULT_VIRTUAL_NODES}. Every node of a cluster
 * must use the same value, or they disagree on where keys live.
 */
public final class RingPlacementProvider implements PlacementProvider {
    /** The name users select this strategy by. */
    public static final String NAME = "ring";
    /** The setting that chooses the number of virtual nodes (ring points) per unit of weight. */
    public static final String VIRTUAL_NODES = "virtual-nodes";
    public static final int MIN_VIRTUAL_NODES = 1;
    public static final int MAX_VIRTUAL_NODES = 16_384;
    /** PLACEHOLDER: chosen by measurement below. */
    public static final int DEFAULT_VIRTUAL_NODES = 256;

    public RingPlacementProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "consistent-hash ring with virtual nodes: the owners of a key are the next R distinct nodes "
                + "clockwise; O(log points) per lookup";
    }

    /**
     * @throws IllegalArgumentException for a setting other than {@value #VIRTUAL_NODES}, or a value
     *                                  of it that is not an integer in range
     */
    @Override
    public Placement create(StrategyOptions options) {
        options.requireOnly(NAME, Set.of(VIRTUAL_NODES));
        return new RingPlacement(options.intValue(VIRTUAL_NODES, DEFAULT_VIRTUAL_NODES, MIN_VIRTUAL_NODES,
                MAX_VIRTUAL_NODES));
    }
}
