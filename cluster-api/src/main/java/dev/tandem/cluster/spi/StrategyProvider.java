package dev.tandem.cluster.spi;

/**
 * Common shape of every strategy provider Tandem finds with {@link java.util.ServiceLoader}.
 *
 * <p>A provider is a small public class with a no-arg constructor, declared with {@code provides}
 * in its module's {@code module-info.java}. It is picked at boot by {@link #name()}; names are
 * unique per strategy kind, lower-case, and stable across versions because they appear in
 * configuration files and command lines.
 */
public interface StrategyProvider {

    /** The name users select this strategy by, e.g. {@code "ring"}. */
    String name();

    /** One line for humans: what the strategy does and when to choose it. */
    String description();
}
