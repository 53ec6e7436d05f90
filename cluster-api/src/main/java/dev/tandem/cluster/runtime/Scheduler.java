package dev.tandem.cluster.runtime;

import java.time.Duration;

/**
 * Runs tasks on the node's single logical thread — the only way node logic may wait.
 *
 * <p>Every task of one node runs on that node's one executor (a Netty event loop in production,
 * the simulator's event queue in tests), never concurrently with another task of the same node.
 * Protocol state therefore needs no locks, and the simulator can order everything from one seed.
 * Tasks scheduled for the same instant run in the order they were scheduled.
 */
public interface Scheduler {

    /**
     * Runs {@code task} once, no earlier than {@code delay} from now on the node's monotonic clock.
     *
     * @throws IllegalArgumentException if {@code delay} is negative
     */
    Cancellable schedule(Duration delay, Runnable task);

    /** Runs {@code task} on the node's thread as soon as the tasks before it have run. */
    void execute(Runnable task);
}
