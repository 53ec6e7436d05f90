package dev.tandem.simulator;

import java.util.Objects;
import java.util.function.Function;

/**
 * What the nodes of a scenario run and what must hold of them — e.g. "membership": every node
 * runs gossip discovery, views agree at convergence. A workload is shared by all the scenarios
 * (and swarm runs) that exercise it; it makes a fresh {@link WorkloadRun} per run so no state
 * leaks between runs.
 *
 * @param <S> the type of the nodes' program objects
 */
public interface Workload<S> {

    /** Short, stable, e.g. {@code membership}. */
    String name();

    /** One line for humans. */
    String description();

    /** Called once per run, before any node starts. */
    WorkloadRun<S> newRun(Roster roster);

    static <S> Workload<S> of(String name, String description, Function<Roster, WorkloadRun<S>> newRun) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(newRun, "newRun");
        return new Workload<>() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String description() {
                return description;
            }

            @Override
            public WorkloadRun<S> newRun(Roster roster) {
                return newRun.apply(roster);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
