package dev.tandem.cluster.runtime;

/** A handle to a scheduled task. */
@FunctionalInterface
public interface Cancellable {

    /**
     * Stops the task from running if it has not run yet. Idempotent; cancelling a task that
     * already ran does nothing.
     */
    void cancel();
}
