package dev.tandem.cluster.spi;

import dev.tandem.cluster.NodeId;

/** A configured job-scheduling strategy. Called on the submitting node's thread. */
public interface JobScheduler {

    /** The strategy's name, as its provider reports it. */
    String name();

    /** Chooses the node to run {@code job}: one of {@code context.candidates()}. */
    NodeId choose(JobRequest job, SchedulingContext context);
}
