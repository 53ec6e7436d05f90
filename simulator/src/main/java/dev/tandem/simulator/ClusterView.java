package dev.tandem.simulator;

import dev.tandem.cluster.NodeAddress;
import dev.tandem.cluster.NodeId;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Optional;

/**
 * What invariant checkers and convergence conditions see of a running simulation: each node's
 * program object (as its {@link WorkloadRun} returned it) plus what the simulator knows about the
 * node and the network. Valid only during the call it is passed to.
 *
 * <p>Checkers must only read: calling node code that sends or schedules from a checker fails the
 * run with {@link Outcome#CRASH}, because it would act outside any node's thread.
 *
 * @param <S> the type of the nodes' program objects
 */
public interface ClusterView<S> {

    /** Virtual time since the start of the run. */
    Duration now();

    long nowNanos();

    Phase phase();

    /** Node count, including nodes that are down. */
    int size();

    Roster roster();

    /** Whether the node's process is running (it may be paused). */
    boolean isUp(int node);

    boolean isPaused(int node);

    /** The node's program object while it is up; empty while it is down or has not booted yet. */
    Optional<S> state(int node);

    /** The node's current identity, or its last one while it is down. */
    NodeId id(int node);

    NodeAddress address(int node);

    /** The node's metrics (its current incarnation's registry). */
    MeterRegistry meters(int node);

    /**
     * The node whose event just ran, for a checker that only needs to look at what changed; -1
     * after a fault or phase change, when any node may have changed.
     */
    int lastNode();

    /** Whether a message from {@code from} to {@code to} would currently pass partitions and one-way blocks. */
    boolean linkOpen(int from, int to);
}
