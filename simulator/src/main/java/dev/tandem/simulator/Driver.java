package dev.tandem.simulator;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * How a workload acts as the cluster's clients: it schedules operations that run on a node's
 * thread at a virtual time, e.g. "at 2s, put key 17 through n3". An operation on a node that is
 * down when its time comes is skipped (and counted); on a paused node it waits for the pause to
 * end. Operations may schedule further operations.
 *
 * @param <S> the type of the nodes' program objects
 */
public interface Driver<S> {

    /** Virtual time since the start of the run. */
    Duration now();

    Phase phase();

    /** Node count. */
    int size();

    /** The workload's own stream, independent of the network's, the faults' and the nodes'. */
    RandomGenerator random();

    /**
     * Runs {@code operation} with the node's program object on its thread after {@code delay}.
     *
     * @throws IllegalArgumentException if {@code delay} is negative or {@code node} is out of range
     */
    void at(Duration delay, int node, Consumer<? super S> operation);

    /** Adds a line to the run's timeline. */
    void note(String text);
}
