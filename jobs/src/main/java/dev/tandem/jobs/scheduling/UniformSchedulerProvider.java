package dev.tandem.jobs.scheduling;

import dev.tandem.cluster.spi.JobScheduler;
import dev.tandem.cluster.spi.JobSchedulerProvider;
import dev.tandem.cluster.spi.StrategyOptions;
import java.util.List;

/** {@code uniform} (the default): every live node equally likely, whatever the job's arguments. */
public final class UniformSchedulerProvider implements JobSchedulerProvider {
    @Override
    public String name() {
        return "uniform";
    }

    @Override
    public String description() {
        return "each job to a live node drawn uniformly at random (the default; even spread regardless of arguments)";
    }

    @Override
    public JobScheduler create(StrategyOptions options) {
        options.requireOnly(name(), List.of());
        return new Schedulers.Uniform();
    }
}
