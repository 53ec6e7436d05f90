package dev.tandem.cluster.spi;

import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * String-valued settings for one strategy instance (e.g. {@code virtual-nodes=160}), with typed,
 * validated accessors whose errors say which setting was wrong and what is allowed.
 *
 * <p>Immutable. Keys are kebab-case.
 */
public final class StrategyOptions {
    private static final StrategyOptions NONE = new StrategyOptions(Map.of());
    private final Map<String, String> values;

    private StrategyOptions(Map<String, String> values) {
        this.values = values;
    }

    public static StrategyOptions none() {
        return NONE;
    }

    public static StrategyOptions of(Map<String, String> values) {
        return values.isEmpty() ? NONE : new StrategyOptions(Map.copyOf(values));
    }

    public StrategyOptions with(String key, String value) {
        Map<String, String> m = new TreeMap<>(values);
        m.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return new StrategyOptions(Map.copyOf(m));
    }

    public Map<String, String> asMap() {
        return values;
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    /**
     * Rejects settings this strategy does not know, so a typo fails at boot instead of being
     * silently ignored.
     *
     * @throws IllegalArgumentException naming the unknown keys and the known ones
     */
    public StrategyOptions requireOnly(String strategy, Collection<String> known) {
        Set<String> unknown = new TreeSet<>(values.keySet());
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("strategy '" + strategy + "' has no setting "
                    + String.join(", ", unknown) + "; known settings: "
                    + (known.isEmpty() ? "(none)" : String.join(", ", new TreeSet<>(known))));
        }
        return this;
    }

    /**
     * An integer setting within {@code [min, max]}, or {@code defaultValue} when absent.
     *
     * @throws IllegalArgumentException if present but not an integer in range
     */
    public int intValue(String key, int defaultValue, int min, int max) {
        String raw = values.get(key);
        if (raw == null) {
            return defaultValue;
        }
        try {
            int v = Integer.parseInt(raw.strip());
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // fall through to the error below
        }
        throw new IllegalArgumentException("setting " + key + "=" + raw + " is invalid: expected an integer from "
                + min + " to " + max);
    }

    /** A text setting, or {@code defaultValue} when absent. */
    public String stringValue(String key, String defaultValue) {
        return values.getOrDefault(key, defaultValue);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StrategyOptions s && s.values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return new TreeMap<>(values).toString();
    }
}
