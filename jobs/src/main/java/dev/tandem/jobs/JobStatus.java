package dev.tandem.jobs;

import dev.tandem.cluster.NodeId;
import java.util.Objects;
import java.util.Optional;

/**
 * What the cluster knows of a cast, as {@link JobService#status} found it.
 *
 * @param jobId    the cast's id
 * @param state    {@link State#UNKNOWN} when no reachable node holds a record of it (never cast, or
 *                 finished and forgotten after {@link JobsConfig#finishedRetention()})
 * @param attempt  the current attempt (0 when unknown)
 * @param epoch    the record's fencing epoch (0 when unknown)
 * @param executor the node assigned the current attempt
 * @param ranOn    for {@link State#DONE}: the node whose result was accepted
 */
public record JobStatus(String jobId, State state, int attempt, long epoch, Optional<NodeId> executor,
                        Optional<NodeId> ranOn) {

    public enum State {
        /** Recorded and waiting for, or running on, its executor. */
        PENDING,
        /** The handler completed and its result was accepted. */
        DONE,
        /** The handler threw or its input could not be decoded; not retried. */
        FAILED,
        /** No reachable node holds a record (also once a finished cast's record was forgotten). */
        UNKNOWN
    }

    public JobStatus {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(ranOn, "ranOn");
    }

    public static JobStatus unknown(String jobId) {
        return new JobStatus(jobId, State.UNKNOWN, 0, 0, Optional.empty(), Optional.empty());
    }
}
