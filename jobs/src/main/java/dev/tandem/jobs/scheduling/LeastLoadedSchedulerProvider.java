package dev.tandem.jobs.scheduling;

import dev.tandem.cluster.spi.JobScheduler;
import dev.tandem.cluster.spi.JobSchedulerProvider;
import dev.tandem.cluster.spi.StrategyOptions;
import java.util.List;

/**
 * {@code least-loaded}: power of {@code choices} (default 2) random choices, the one with the lower
 * gossiped load wins.
 */
public final class LeastLoadedSchedulerProvider implements JobSchedulerProvider {
    @Override
    public String name() {
        return "least-loaded";
    }

    @Override
    public String description() {
        return "power of two random choices over the load nodes gossip (setting: choices=2..8)";
    }

    @Override
    public JobScheduler create(StrategyOptions options) {
        options.requireOnly(name(), List.of("choices"));
        return new Schedulers.LeastLoaded(options.intValue("choices", 2, 2, 8));
    }
}
