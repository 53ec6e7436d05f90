package dev.tandem.simulator;

import java.util.Objects;

/**
 * The latency model of each directed link, by node index. Called for every message, so it must
 * be cheap and must depend only on its arguments.
 */
@FunctionalInterface
public interface LinkLatencies {

    LatencyModel between(int from, int to);

    /** Every link alike. */
    static LinkLatencies uniform(LatencyModel model) {
        Objects.requireNonNull(model, "model");
        return (from, to) -> model;
    }

    /**
     * Nodes in {@code zoneCount} zones by index ({@code node % zoneCount}): links within a zone
     * use {@code intra}, links across zones {@code inter}.
     */
    static LinkLatencies zones(int zoneCount, LatencyModel intra, LatencyModel inter) {
        if (zoneCount < 1) {
            throw new IllegalArgumentException("zoneCount must be >= 1, was " + zoneCount);
        }
        Objects.requireNonNull(intra, "intra");
        Objects.requireNonNull(inter, "inter");
        return (from, to) -> from % zoneCount == to % zoneCount ? intra : inter;
    }
}
