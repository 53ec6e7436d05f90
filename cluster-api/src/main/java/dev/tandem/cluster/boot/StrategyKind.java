package dev.tandem.cluster.boot;

import dev.tandem.cluster.spi.DiscoveryProvider;
import dev.tandem.cluster.spi.JobSchedulerProvider;
import dev.tandem.cluster.spi.PlacementProvider;
import dev.tandem.cluster.spi.StrategyProvider;

/** The kinds of strategy Tandem wires at boot, with the service each is found by. */
public enum StrategyKind {
    PLACEMENT("placement", PlacementProvider.class, "rendezvous", "placement-rendezvous or placement-ring"),
    DISCOVERY("discovery", DiscoveryProvider.class, "gossip", "discovery-gossip"),
    JOB_SCHEDULER("job scheduler", JobSchedulerProvider.class, "uniform", "jobs");

    private final String label;
    private final Class<? extends StrategyProvider> service;
    private final String defaultName;
    private final String modulesHint;

    StrategyKind(String label, Class<? extends StrategyProvider> service, String defaultName, String modulesHint) {
        this.label = label;
        this.service = service;
        this.defaultName = defaultName;
        this.modulesHint = modulesHint;
    }

    /** Human name of the kind, e.g. "placement". */
    public String label() {
        return label;
    }

    public Class<? extends StrategyProvider> service() {
        return service;
    }

    /** The name used when the application chooses none. */
    public String defaultName() {
        return defaultName;
    }

    /** Which Tandem artifacts provide strategies of this kind. */
    public String modulesHint() {
        return modulesHint;
    }
}
