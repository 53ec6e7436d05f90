/**
 * Tandem's distributed jobs: handlers registered by name, {@code call} (result + the node that ran
 * it + the attempt) and {@code cast} (acknowledged once recorded on two nodes, then run at least
 * once), scheduling strategies chosen by name, failover with attempt numbers and fencing epochs,
 * and named long-lived workers ({@code startWorker}, {@code whereis}, {@code send}/{@code ask},
 * {@code stopWorker}) restarted elsewhere when their node is lost.
 *
 * <p>The exported package {@code dev.tandem.jobs} is what applications use. The protocol lives in
 * the non-exported {@code dev.tandem.jobs.internal} package (its class comment on {@code JobNode}
 * is the protocol description) and reaches the world only through
 * {@link dev.tandem.cluster.runtime.NodeContext}. The scheduling strategies are
 * {@link dev.tandem.cluster.spi.JobSchedulerProvider}s; the protocol sees only the SPI.
 */
module dev.tandem.jobs {
    requires transitive dev.tandem.cluster.api;

    exports dev.tandem.jobs;
    exports dev.tandem.jobs.stats;
    // Only the simulator scenarios may look inside a node (records, executions, sabotage switches).
    exports dev.tandem.jobs.internal to dev.tandem.jobs.sim;

    uses dev.tandem.jobs.JobHandler;
    uses dev.tandem.jobs.WorkerHandler;

    provides dev.tandem.cluster.spi.JobSchedulerProvider with
            dev.tandem.jobs.scheduling.UniformSchedulerProvider,
            dev.tandem.jobs.scheduling.LeastLoadedSchedulerProvider,
            dev.tandem.jobs.scheduling.KeyAffinitySchedulerProvider;
}
