package dev.tandem.jobs;

import java.util.concurrent.CompletionStage;

/**
 * One running instance of a named worker. Messages are handled one at a time, in arrival order: the
 * next is handed over once the stage returned for the previous one has completed (a mailbox, as an
 * Erlang process has; bounded by {@link WorkersConfig#maxMailbox()}).
 *
 * @param <M> message type
 * @param <R> reply type
 */
public interface Worker<M, R> {

    /**
     * Handles one message on the node's thread; must not block (return a stage that completes
     * later for long work). The stage's value is the reply of an {@link WorkerService#ask}; for a
     * {@link WorkerService#send} it is discarded. A failed stage fails that ask only: the instance
     * keeps running.
     */
    CompletionStage<R> handle(M message, WorkerContext context);

    /**
     * The instance stopped: {@link WorkerService#stopWorker}, a newer instance of the name won
     * (failover, or duplicate resolution after a partition healed), or the node closed. Node thread.
     */
    default void stopped(WorkerContext context) {
    }
}
