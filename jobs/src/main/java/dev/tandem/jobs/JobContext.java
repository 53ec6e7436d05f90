package dev.tandem.jobs;

import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.runtime.Scheduler;

/** What a running job may know about its execution. */
public interface JobContext {

    /** The cast's job id, or {@code call:<node>:<request>} for a call. */
    String jobId();

    /** 1 for the first execution; higher after a failover. */
    int attempt();

    /** The node running it. */
    NodeId node();

    /** Whether the caller cancelled, the call timed out, or this attempt was fenced off. */
    boolean isCancelled();

    /** The node's scheduler, for handlers that wait (in the simulator: in virtual time). */
    Scheduler scheduler();
}
