package dev.tandem.simulator;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The named scenarios a runner can run, sorted by name. Immutable; compose catalogs with
 * {@link #with} and {@link #plus}. Names are unique: adding a second scenario of the same name
 * fails rather than silently shadowing the first.
 */
public final class ScenarioCatalog {
    private static final ScenarioCatalog EMPTY = new ScenarioCatalog(new TreeMap<>());

    private final TreeMap<String, Scenario> byName;

    private ScenarioCatalog(TreeMap<String, Scenario> byName) {
        this.byName = byName;
    }

    public static ScenarioCatalog empty() {
        return EMPTY;
    }

    /**
     * @throws IllegalArgumentException if two scenarios share a name
     */
    public static ScenarioCatalog of(Collection<? extends Scenario> scenarios) {
        ScenarioCatalog c = EMPTY;
        for (Scenario s : scenarios) {
            c = c.with(s);
        }
        return c;
    }

    public static ScenarioCatalog of(Scenario... scenarios) {
        return of(List.of(scenarios));
    }

    /** The simulator's own self-test scenarios, which need no other module. */
    public static ScenarioCatalog builtIn() {
        return of(BuiltInScenarios.all());
    }

    /**
     * The built-in scenarios plus every scenario of every {@link ScenarioProvider} on the module
     * path (or class path).
     *
     * @throws IllegalArgumentException if two scenarios share a name
     */
    public static ScenarioCatalog installed() {
        ScenarioCatalog c = builtIn();
        for (ScenarioProvider p : ServiceLoader.load(ScenarioProvider.class)) {
            try {
                c = c.plus(of(p.scenarios()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("scenario provider " + p.getClass().getName() + ": " + e.getMessage(), e);
            }
        }
        return c;
    }

    /**
     * @throws IllegalArgumentException if a scenario of that name is already present
     */
    public ScenarioCatalog with(Scenario scenario) {
        Objects.requireNonNull(scenario, "scenario");
        Scenario existing = byName.get(scenario.name());
        if (existing != null) {
            throw new IllegalArgumentException("two scenarios are named '" + scenario.name() + "'; rename one");
        }
        TreeMap<String, Scenario> copy = new TreeMap<>(byName);
        copy.put(scenario.name(), scenario);
        return new ScenarioCatalog(copy);
    }

    public ScenarioCatalog plus(ScenarioCatalog other) {
        ScenarioCatalog c = this;
        for (Scenario s : other.byName.values()) {
            c = c.with(s);
        }
        return c;
    }

    /** Every scenario, sorted by name. */
    public List<Scenario> scenarios() {
        return Collections.unmodifiableList(new ArrayList<>(byName.values()));
    }

    public List<String> names() {
        return List.copyOf(byName.keySet());
    }

    public boolean isEmpty() {
        return byName.isEmpty();
    }

    public Optional<Scenario> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /**
     * @throws IllegalArgumentException naming the unknown scenario, close matches and all names
     */
    public Scenario get(String name) {
        Scenario s = byName.get(Objects.requireNonNull(name, "name"));
        if (s != null) {
            return s;
        }
        String needle = name.toLowerCase(Locale.ROOT).strip();
        List<String> close = byName.keySet().stream()
                .filter(n -> !needle.isEmpty() && n.toLowerCase(Locale.ROOT).contains(needle))
                .collect(Collectors.toList());
        StringBuilder msg = new StringBuilder("no scenario is named '").append(name).append("'");
        if (!close.isEmpty()) {
            msg.append("; did you mean: ").append(String.join(" / ", close));
        }
        msg.append(byName.isEmpty()
                ? "; no scenarios are installed: put a module that provides dev.tandem.simulator.ScenarioProvider"
                + " on the module path"
                : "; available: " + String.join(" / ", byName.keySet()));
        throw new IllegalArgumentException(msg.toString());
    }
}
