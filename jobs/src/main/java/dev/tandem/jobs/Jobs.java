package dev.tandem.jobs;

import dev.tandem.cluster.runtime.NodeContext;
import dev.tandem.cluster.spi.JobScheduler;
import dev.tandem.cluster.spi.Placement;
import dev.tandem.jobs.internal.JobNodes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;

/**
 * Creates jobs nodes.
 *
 * <pre>{@code
 * JobsNode jobs = Jobs.builder(context, wiring.jobScheduler(), wiring.placement())
 *         .handler(JobHandler.of("square", Codecs.int64(), Codecs.int64(), x -> x * x))
 *         .handlersFromServiceLoader()
 *         .worker(counterWorkerType)               // named long-lived workers
 *         .build();
 * membership listener -> jobs.onViewChange(previous, current);
 * }</pre>
 */
public final class Jobs {
    private Jobs() {
    }

    public static Builder builder(NodeContext context, JobScheduler scheduler, Placement placement) {
        return new Builder(context, scheduler, placement);
    }

    /** Not thread-safe. */
    public static final class Builder {
        private final NodeContext context;
        private final JobScheduler scheduler;
        private final Placement placement;
        private final List<JobHandler<?, ?>> handlers = new ArrayList<>();
        private final List<WorkerHandler<?, ?, ?>> workers = new ArrayList<>();
        private JobsConfig config = JobsConfig.defaults();
        private WorkersConfig workersConfig = WorkersConfig.defaults();
        private WorkerListener workerListener = WorkerListener.NONE;

        private Builder(NodeContext context, JobScheduler scheduler, Placement placement) {
            this.context = Objects.requireNonNull(context, "context");
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            this.placement = Objects.requireNonNull(placement, "placement");
        }

        public Builder config(JobsConfig c) {
            this.config = Objects.requireNonNull(c, "config");
            return this;
        }

        public Builder handler(JobHandler<?, ?> handler) {
            handlers.add(Objects.requireNonNull(handler, "handler"));
            return this;
        }

        /** Adds every {@link JobHandler} installed as a service. */
        public Builder handlersFromServiceLoader() {
            for (JobHandler<?, ?> h : ServiceLoader.load(JobHandler.class)) {
                handlers.add(h);
            }
            return this;
        }

        public Builder workersConfig(WorkersConfig c) {
            this.workersConfig = Objects.requireNonNull(c, "workersConfig");
            return this;
        }

        /** Registers a worker type (on every node that may run workers of it). */
        public Builder worker(WorkerHandler<?, ?, ?> handler) {
            workers.add(Objects.requireNonNull(handler, "worker"));
            return this;
        }

        /** Adds every {@link WorkerHandler} installed as a service. */
        public Builder workersFromServiceLoader() {
            for (WorkerHandler<?, ?, ?> h : ServiceLoader.load(WorkerHandler.class)) {
                workers.add(h);
            }
            return this;
        }

        /** Observes worker events on this node (starts, restarts, stops, duplicates stopped). */
        public Builder workerListener(WorkerListener listener) {
            this.workerListener = Objects.requireNonNull(listener, "workerListener");
            return this;
        }

        /** @throws IllegalArgumentException if two handlers (or two worker types) share a name or a name is invalid */
        public JobsNode build() {
            return JobNodes.create(context, scheduler, placement, config, handlers, "", JobNodes.Options.of(
                    workersConfig, workers, workerListener));
        }
    }
}
