package dev.tandem.cluster.spi;

/**
 * Service interface of job-scheduling strategies ("uniform", "least-loaded", "key-affinity"),
 * found with {@link java.util.ServiceLoader} and chosen by {@link #name()}.
 */
public interface JobSchedulerProvider extends StrategyProvider {

    /**
     * @throws IllegalArgumentException for an unknown or invalid setting, naming it
     */
    JobScheduler create(StrategyOptions options);
}
