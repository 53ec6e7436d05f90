package dev.tandem.jobs;

import dev.tandem.cluster.NodeId;
import dev.tandem.cluster.runtime.Scheduler;

/** What a running worker instance may know about itself. */
public interface WorkerContext {

    /** The worker's name (unique in the cluster). */
    String name();

    /** Its {@link WorkerHandler#type()}. */
    String type();

    /** The node running this instance. */
    NodeId node();

    /** 1 for the first instance of a start; raised by every restart elsewhere. */
    int incarnation();

    /** The registration's fencing epoch when this instance last learned it (raised by every change of holders). */
    long epoch();

    /** Whether this instance was stopped or fenced off by a newer one; replies of a stopped instance are discarded. */
    boolean isStopped();

    /** The node's scheduler, for workers that wait (in the simulator: in virtual time). */
    Scheduler scheduler();
}
