package dev.tandem.jobs.internal;

import dev.tandem.cluster.NodeId;

/**
 * What a node reports to the simulator's checkers, on its thread, as it happens. Call executions
 * use job ids {@code call:<node>:<request>}.
 */
public interface JobsObserver {
    JobsObserver NONE = new JobsObserver() {
    };

    default void executionStarted(NodeId node, String jobId, int attempt) {
    }

    default void executionCompleted(NodeId node, String jobId, int attempt, boolean ok) {
    }

    /** The node now holds the job's record at {@code attempt}. */
    default void recordHeld(NodeId node, String jobId, int attempt) {
    }

    /** The node marked the job finished, taking the result of {@code resultAttempt}. */
    default void resultAccepted(NodeId node, String jobId, int resultAttempt) {
    }
}
