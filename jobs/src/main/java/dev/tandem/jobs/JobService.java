package dev.tandem.jobs;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Running jobs on the cluster. Methods may be called from any thread; the work hops onto the
 * node's thread and the futures complete there.
 */
public interface JobService {

    /**
     * Runs the job named {@code name} on a node the scheduler picks and returns its result, the
     * node that ran it and the attempt. Cancelling the future, or its timeout, also stops the remote
     * execution; a reply arriving after that is dropped and counted
     * ({@code tandem.jobs.late.replies}). If the executor dies the call is retried on another node
     * with a higher attempt number, up to {@link JobsConfig#maxCallAttempts()}.
     *
     * <p>Fails with {@link JobException}: {@code UNKNOWN_JOB} at once if no handler of that name is
     * registered here, {@code REJECTED} under back-pressure, {@code TIMEOUT}, {@code FAILED}.
     */
    <I, O> CompletableFuture<JobResult<O>> call(String name, I input, CallOptions options);

    default <I, O> CompletableFuture<JobResult<O>> call(String name, I input) {
        return call(name, input, CallOptions.none());
    }

    /**
     * Records the job on two nodes (its executor and a backup that is neither the executor nor,
     * with three or more nodes, this submitter) and completes with the job id once both confirmed.
     * From then on the job runs at least once even if the submitter and the executor die (the
     * backup restarts it elsewhere with a higher attempt); losing it takes both record holders
     * failing before either re-replicated it. Fails {@code NOT_ACKNOWLEDGED} (may or may not run)
     * or {@code REJECTED} (did not record).
     */
    <I> CompletableFuture<String> cast(String name, I input, CastOptions options);

    default <I> CompletableFuture<String> cast(String name, I input) {
        return cast(name, input, CastOptions.none());
    }

    /**
     * The cast's status from any node: the local record, or the newest any live node holds. A
     * finished cast's record is kept for {@link JobsConfig#finishedRetention()} (or less beyond
     * {@link JobsConfig#maxFinishedRecords()}); once both holders forgot it the status is
     * {@link JobStatus.State#UNKNOWN}, as for an id never cast.
     */
    CompletableFuture<JobStatus> status(String jobId);

    /** Names of the handlers registered on this node, sorted. */
    List<String> handlerNames();
}
