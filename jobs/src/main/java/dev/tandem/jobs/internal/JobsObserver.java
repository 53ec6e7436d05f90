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

    /** The node no longer holds any record of the job (superseded, forgotten, or the sabotage). */
    default void recordDropped(NodeId node, String jobId) {
    }

    /** The node marked the job finished, taking the result of {@code resultAttempt}. */
    default void resultAccepted(NodeId node, String jobId, int resultAttempt) {
    }

    /**
     * The node forgot its finished record of the job, a cast or a stopped worker ({@code worker:}
     * ids) (attempt, epoch, holders; {@code done}: DONE rather than FAILED) after {@code
     * finishedRetention} or beyond {@code maxFinishedRecords}.
     */
    default void recordExpired(NodeId node, String jobId, int attempt, long epoch, NodeId executor, NodeId backup,
                               boolean done) {
    }

    /**
     * Make-before-break held a record copy back: the node did not show a record not yet on both its
     * holders to a node that does not hold it, or kept its own copy on hearing of such a record.
     */
    default void makeBeforeBreak(NodeId node, String jobId) {
    }

    /** The node dropped a message meant for an earlier incarnation of its name. */
    default void messageForEarlierLifeDropped(NodeId node, NodeId sender) {
    }

    /**
     * A worker instance started on the node. Instances and registrations of a name are ordered by
     * (lineage, incarnation, epoch): the lineage (the start a registration came from, see {@code Record})
     * first.
     */
    default void workerStarted(NodeId node, String name, long lineage, int incarnation, long epoch) {
    }

    /** A worker instance stopped on the node ({@code duplicate}: because a newer instance won). */
    default void workerStopped(NodeId node, String name, long lineage, int incarnation, long epoch, boolean duplicate) {
    }

    /** The newest registration of the worker the node knows is now (lineage, incarnation, epoch). */
    default void workerRecordSeen(NodeId node, String name, long lineage, int incarnation, long epoch) {
    }

    /**
     * A message was handed to the node's instance (lineage, incarnation, epoch) of the worker; its
     * sender addressed the instance it knew as (knownLineage, knownIncarnation, knownEpoch).
     */
    default void workerMessageDelivered(NodeId node, String name, long lineage, int incarnation, long epoch,
                                        long knownLineage, int knownIncarnation, long knownEpoch) {
    }
}
