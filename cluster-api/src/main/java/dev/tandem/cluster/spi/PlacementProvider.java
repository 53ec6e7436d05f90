package dev.tandem.cluster.spi;

/**
 * Service interface of placement strategies ("rendezvous", "ring", ...), found with
 * {@link java.util.ServiceLoader} and chosen by {@link #name()}.
 */
public interface PlacementProvider extends StrategyProvider {

    /**
     * Creates the strategy with the given settings.
     *
     * @throws IllegalArgumentException for an unknown or invalid setting, naming it
     */
    Placement create(StrategyOptions options);
}
