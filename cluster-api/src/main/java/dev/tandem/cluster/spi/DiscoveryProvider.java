package dev.tandem.cluster.spi;

/**
 * Service interface of discovery strategies ("gossip", "static", ...), found with
 * {@link java.util.ServiceLoader} and chosen by {@link #name()}.
 */
public interface DiscoveryProvider extends StrategyProvider {

    /**
     * @throws IllegalArgumentException for an unknown or invalid setting, naming it
     */
    Discovery create(StrategyOptions options);
}
