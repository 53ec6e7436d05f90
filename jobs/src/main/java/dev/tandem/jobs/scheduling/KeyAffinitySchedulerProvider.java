package dev.tandem.jobs.scheduling;

import dev.tandem.cluster.spi.JobScheduler;
import dev.tandem.cluster.spi.JobSchedulerProvider;
import dev.tandem.cluster.spi.StrategyOptions;
import java.util.List;

/**
 * {@code key-affinity}: a job with an affinity key runs on the key's first placement owner (where
 * the store keeps it); a job without one is placed uniformly.
 */
public final class KeyAffinitySchedulerProvider implements JobSchedulerProvider {
    @Override
    public String name() {
        return "key-affinity";
    }

    @Override
    public String description() {
        return "jobs with an affinity key run on the key's placement owner; others uniformly";
    }

    @Override
    public JobScheduler create(StrategyOptions options) {
        options.requireOnly(name(), List.of());
        return new Schedulers.KeyAffinity();
    }
}
