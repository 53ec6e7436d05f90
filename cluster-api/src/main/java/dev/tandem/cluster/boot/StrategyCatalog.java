package dev.tandem.cluster.boot;

import dev.tandem.cluster.spi.DiscoveryProvider;
import dev.tandem.cluster.spi.JobSchedulerProvider;
import dev.tandem.cluster.spi.PlacementProvider;
import dev.tandem.cluster.spi.StrategyProvider;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The installed providers of one strategy kind, by name.
 *
 * <p>Built from {@link ServiceLoader} (module path {@code provides}, or {@code META-INF/services}
 * on the class path) or from explicit instances. Names must be unique within a kind: a duplicate
 * fails the whole catalog with {@link DuplicateStrategyException} rather than letting class-path
 * order decide. Immutable and thread-safe.
 *
 * @param <P> the provider type
 */
public final class StrategyCatalog<P extends StrategyProvider> {
    private final StrategyKind kind;
    private final Map<String, P> byName; // sorted by name

    private StrategyCatalog(StrategyKind kind, Map<String, P> byName) {
        this.kind = kind;
        this.byName = Collections.unmodifiableMap(byName);
    }

    /** Installed placement strategies. */
    public static StrategyCatalog<PlacementProvider> placements() {
        return of(StrategyKind.PLACEMENT, ServiceLoader.load(PlacementProvider.class));
    }

    /** Installed discovery strategies. */
    public static StrategyCatalog<DiscoveryProvider> discoveries() {
        return of(StrategyKind.DISCOVERY, ServiceLoader.load(DiscoveryProvider.class));
    }

    /** Installed job-scheduling strategies. */
    public static StrategyCatalog<JobSchedulerProvider> jobSchedulers() {
        return of(StrategyKind.JOB_SCHEDULER, ServiceLoader.load(JobSchedulerProvider.class));
    }

    /**
     * A catalog of explicitly given providers (tests, plugin layers, applications that wire by
     * hand).
     *
     * @throws DuplicateStrategyException if two providers share a name
     * @throws IllegalArgumentException   if a provider's name is blank or not lower-case
     */
    public static <P extends StrategyProvider> StrategyCatalog<P> of(StrategyKind kind, Iterable<? extends P> providers) {
        Objects.requireNonNull(kind, "kind");
        Map<String, P> byName = new TreeMap<>();
        for (P p : providers) {
            if (!kind.service().isInstance(p)) {
                throw new IllegalArgumentException(p.getClass().getName() + " is not a " + kind.service().getSimpleName());
            }
            String name = p.name();
            if (name == null || !name.matches("[a-z0-9][a-z0-9-]{0,39}")) {
                throw new IllegalArgumentException(kind.label() + " provider " + p.getClass().getName()
                        + " has an invalid name '" + name + "': use 1-40 lower-case letters, digits or '-'");
            }
            P previous = byName.putIfAbsent(name, p);
            if (previous != null) {
                throw new DuplicateStrategyException("two " + kind.label() + " strategies are named '" + name + "': "
                        + describe(previous) + " and " + describe(p)
                        + ". Remove one of the modules from the module path.");
            }
        }
        return new StrategyCatalog<>(kind, byName);
    }

    private static String describe(Object p) {
        Module m = p.getClass().getModule();
        return p.getClass().getName() + " (" + (m.isNamed() ? "module " + m.getName() : "class path") + ")";
    }

    public StrategyKind kind() {
        return kind;
    }

    /** Installed names, sorted. */
    public List<String> names() {
        return List.copyOf(byName.keySet());
    }

    /** Installed providers, sorted by name. */
    public List<P> providers() {
        return new ArrayList<>(byName.values());
    }

    public Optional<P> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /**
     * The provider named {@code name}.
     *
     * @throws UnknownStrategyException listing the installed names
     */
    public P get(String name) {
        Objects.requireNonNull(name, "name");
        P p = byName.get(name.strip());
        if (p == null) {
            throw new UnknownStrategyException(kind, name, names());
        }
        return p;
    }
}
