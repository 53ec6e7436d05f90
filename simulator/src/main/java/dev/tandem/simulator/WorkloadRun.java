package dev.tandem.simulator;

import dev.tandem.cluster.runtime.NodeContext;
import java.util.List;

/**
 * One run's worth of a {@link Workload}: the program every node runs, and the per-run state that
 * checkers and client operations share (for a store: the acknowledged writes).
 *
 * @param <S> the type of the nodes' program objects
 */
public interface WorkloadRun<S> {

    /**
     * Starts the node's program on its thread — at boot and again after every restart, with a new
     * incarnation and fresh seams — and returns the object checkers will inspect (e.g. a holder of
     * the node's {@code Membership}). Node code must reach the world only through
     * {@code context}; a started {@code Discovery} is the typical body:
     * {@code discovery.start(context, listener)}.
     */
    S startNode(int node, NodeContext context);

    /** Called once per run; return fresh objects if they keep state. */
    default List<Invariant<S>> invariants() {
        return List.of();
    }

    /**
     * Whether the cluster has converged: checked periodically in the liveness phase; the run
     * passes once it holds (and the {@link Invariant.When#AT_CONVERGENCE} checkers agree).
     */
    default boolean converged(ClusterView<S> cluster) {
        return true;
    }

    /** Called once at time zero, before any node boots, to schedule client operations. */
    default void drive(Driver<S> driver) {
    }
}
