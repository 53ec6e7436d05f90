package dev.tandem.cluster.spi;

import java.util.Collection;

/** A configured placement strategy: maps node sets to owner tables. Thread-safe. */
public interface Placement {

    /** The strategy's name, as its provider reports it. */
    String name();

    /**
     * Precomputes owner lookups for exactly {@code nodes}; their order does not matter. An empty
     * collection gives a table whose lookups return no owners.
     *
     * @throws IllegalArgumentException if two nodes share a name
     */
    PlacementTable assign(Collection<PlacementNode> nodes);
}
