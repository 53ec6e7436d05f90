package dev.tandem.cluster.boot;

import java.util.List;

/**
 * No provider of the requested name is installed. The message lists the names that are, and
 * which modules to put on the module path for more.
 */
public final class UnknownStrategyException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final StrategyKind kind;
    private final String requested;
    private final List<String> available;

    UnknownStrategyException(StrategyKind kind, String requested, List<String> available) {
        super("no " + kind.label() + " strategy named '" + requested + "'; available: "
                + (available.isEmpty() ? "none" : String.join(", ", available))
                + ". Put the module that provides it (" + kind.modulesHint() + ") on the module path.");
        this.kind = kind;
        this.requested = requested;
        this.available = List.copyOf(available);
    }

    public StrategyKind kind() {
        return kind;
    }

    public String requested() {
        return requested;
    }

    /** Installed names of this kind, sorted. */
    public List<String> available() {
        return available;
    }
}
