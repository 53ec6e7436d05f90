package dev.tandem.cluster.boot;

import dev.tandem.cluster.spi.Discovery;
import dev.tandem.cluster.spi.DiscoveryProvider;
import dev.tandem.cluster.spi.JobScheduler;
import dev.tandem.cluster.spi.JobSchedulerProvider;
import dev.tandem.cluster.spi.Placement;
import dev.tandem.cluster.spi.PlacementProvider;
import dev.tandem.cluster.spi.StrategyOptions;
import dev.tandem.cluster.spi.StrategyProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * The strategies a node boots with, resolved once, failing fast.
 *
 * <pre>{@code
 * Wiring w = Wiring.builder()
 *         .placement("ring").placementOption("virtual-nodes", "256")
 *         .discovery("gossip")
 *         .build();               // every error at once, e.g. unknown names with the available ones
 * Placement placement = w.placement();
 * }</pre>
 *
 * <p>Each kind is chosen by name (looked up with {@link java.util.ServiceLoader}), by provider instance, or
 * not at all — then its default name is used if a provider of that name is installed. A kind that
 * was neither chosen nor has its default installed is simply absent; asking for it throws
 * {@link UnknownStrategyException} saying which module to add. Strategy instances are created
 * once, at {@link Builder#build()}, so invalid settings fail at boot too.
 */
public final class Wiring {
    private final Placement placement;
    private final Discovery discovery;
    private final JobScheduler jobScheduler;
    private final Supplier<RuntimeException> noPlacement;
    private final Supplier<RuntimeException> noDiscovery;
    private final Supplier<RuntimeException> noJobScheduler;

    private Wiring(Resolved<Placement> p, Resolved<Discovery> d, Resolved<JobScheduler> j) {
        this.placement = p.value;
        this.discovery = d.value;
        this.jobScheduler = j.value;
        this.noPlacement = p.absent;
        this.noDiscovery = d.absent;
        this.noJobScheduler = j.absent;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** @throws UnknownStrategyException if no placement strategy was chosen or installed */
    public Placement placement() {
        if (placement == null) {
            throw noPlacement.get();
        }
        return placement;
    }

    /** @throws UnknownStrategyException if no discovery strategy was chosen or installed */
    public Discovery discovery() {
        if (discovery == null) {
            throw noDiscovery.get();
        }
        return discovery;
    }

    /** @throws UnknownStrategyException if no job scheduler was chosen or installed */
    public JobScheduler jobScheduler() {
        if (jobScheduler == null) {
            throw noJobScheduler.get();
        }
        return jobScheduler;
    }

    public boolean hasDiscovery() {
        return discovery != null;
    }

    public boolean hasJobScheduler() {
        return jobScheduler != null;
    }

    private record Resolved<T>(T value, Supplier<RuntimeException> absent) {
    }

    /** Chooses strategies; not thread-safe. */
    public static final class Builder {
        private final Selection<PlacementProvider> placement = new Selection<>(StrategyKind.PLACEMENT);
        private final Selection<DiscoveryProvider> discovery = new Selection<>(StrategyKind.DISCOVERY);
        private final Selection<JobSchedulerProvider> jobScheduler = new Selection<>(StrategyKind.JOB_SCHEDULER);
        private StrategyCatalog<PlacementProvider> placements;
        private StrategyCatalog<DiscoveryProvider> discoveries;
        private StrategyCatalog<JobSchedulerProvider> jobSchedulers;

        private Builder() {
        }

        public Builder placement(String name) {
            placement.byName(name);
            return this;
        }

        public Builder placement(PlacementProvider provider) {
            placement.byInstance(provider);
            return this;
        }

        public Builder placementOption(String key, String value) {
            placement.option(key, value);
            return this;
        }

        public Builder discovery(String name) {
            discovery.byName(name);
            return this;
        }

        public Builder discovery(DiscoveryProvider provider) {
            discovery.byInstance(provider);
            return this;
        }

        public Builder discoveryOption(String key, String value) {
            discovery.option(key, value);
            return this;
        }

        public Builder jobScheduler(String name) {
            jobScheduler.byName(name);
            return this;
        }

        public Builder jobScheduler(JobSchedulerProvider provider) {
            jobScheduler.byInstance(provider);
            return this;
        }

        public Builder jobSchedulerOption(String key, String value) {
            jobScheduler.option(key, value);
            return this;
        }

        /** Uses these catalogs instead of {@link java.util.ServiceLoader} (tests, custom module layers). */
        public Builder catalogs(StrategyCatalog<PlacementProvider> placements,
                                StrategyCatalog<DiscoveryProvider> discoveries,
                                StrategyCatalog<JobSchedulerProvider> jobSchedulers) {
            this.placements = Objects.requireNonNull(placements);
            this.discoveries = Objects.requireNonNull(discoveries);
            this.jobSchedulers = Objects.requireNonNull(jobSchedulers);
            return this;
        }

        /**
         * Resolves and creates every chosen strategy.
         *
         * @throws IllegalArgumentException listing every problem found (unknown names with the
         *                                  available ones, invalid settings), one per line; when
         *                                  there is exactly one it is thrown as is
         */
        public Wiring build() {
            List<RuntimeException> errors = new ArrayList<>();
            Resolved<Placement> p = placement.resolve(
                    () -> placements != null ? placements : StrategyCatalog.placements(), PlacementProvider::create, errors);
            Resolved<Discovery> d = discovery.resolve(
                    () -> discoveries != null ? discoveries : StrategyCatalog.discoveries(), DiscoveryProvider::create, errors);
            Resolved<JobScheduler> j = jobScheduler.resolve(
                    () -> jobSchedulers != null ? jobSchedulers : StrategyCatalog.jobSchedulers(), JobSchedulerProvider::create, errors);
            if (errors.size() == 1) {
                throw errors.get(0);
            }
            if (!errors.isEmpty()) {
                StringBuilder sb = new StringBuilder(errors.size() + " problems with the chosen strategies:");
                for (RuntimeException e : errors) {
                    sb.append("\n  - ").append(e.getMessage());
                }
                IllegalArgumentException all = new IllegalArgumentException(sb.toString());
                errors.forEach(all::addSuppressed);
                throw all;
            }
            return new Wiring(p, d, j);
        }
    }

    private static final class Selection<P extends StrategyProvider> {
        private final StrategyKind kind;
        private String name;
        private P instance;
        private StrategyOptions options = StrategyOptions.none();

        Selection(StrategyKind kind) {
            this.kind = kind;
        }

        void byName(String n) {
            Objects.requireNonNull(n, kind.label() + " name");
            name = n;
            instance = null;
        }

        void byInstance(P p) {
            instance = Objects.requireNonNull(p, kind.label() + " provider");
            name = null;
        }

        void option(String key, String value) {
            options = options.with(key, value);
        }

        <T> Resolved<T> resolve(Supplier<StrategyCatalog<P>> catalogs, BiFunction<P, StrategyOptions, T> create, List<RuntimeException> errors) {
            P provider = instance;
            Supplier<RuntimeException> absent = () -> new IllegalStateException(kind.label() + " strategy failed to start");
            try {
                if (provider == null) {
                    StrategyCatalog<P> catalog = catalogs.get();
                    if (name != null) {
                        provider = catalog.get(name);
                    } else {
                        provider = catalog.find(kind.defaultName()).orElse(null);
                        if (provider == null) {
                            if (!options.asMap().isEmpty()) {
                                throw new IllegalArgumentException("settings " + options + " were given for the "
                                        + kind.label() + " strategy, but none was chosen or installed");
                            }
                            List<String> names = catalog.names();
                            return new Resolved<>(null, () -> new UnknownStrategyException(kind, kind.defaultName(), names));
                        }
                    }
                }
                return new Resolved<>(create.apply(provider, options), absent);
            } catch (RuntimeException e) {
                errors.add(e);
                return new Resolved<>(null, absent);
            }
        }
    }

}
