package dev.tandem.node;

import dev.tandem.cluster.boot.Wiring;
import dev.tandem.cluster.runtime.NodeContext;
import dev.tandem.cluster.spi.JobSchedulerProvider;
import dev.tandem.cluster.spi.Placement;
import dev.tandem.jobs.JobHandler;
import dev.tandem.jobs.Jobs;
import dev.tandem.jobs.JobsConfig;
import dev.tandem.jobs.JobsNode;
import dev.tandem.jobs.WorkerHandler;
import dev.tandem.jobs.WorkerListener;
import dev.tandem.jobs.WorkersConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The jobs part of {@link TandemNode.Builder}: which handlers and worker types, which scheduling
 * strategy (by name through {@link Wiring}, like placement) and which limits. Not thread-safe; used
 * while building.
 */
final class NodeJobs {
    private final List<JobHandler<?, ?>> handlers = new ArrayList<>();
    private boolean fromServiceLoader;
    private String schedulerName = "uniform";
    private JobSchedulerProvider schedulerProvider;
    private final Map<String, String> schedulerOptions = new LinkedHashMap<>();
    private JobsConfig config = JobsConfig.defaults();
    private final List<WorkerHandler<?, ?, ?>> workers = new ArrayList<>();
    private boolean workersFromServiceLoader;
    private WorkersConfig workersConfig = WorkersConfig.defaults();
    private WorkerListener workerListener = WorkerListener.NONE;

    void handler(JobHandler<?, ?> handler) {
        handlers.add(Objects.requireNonNull(handler, "handler"));
    }

    void handlersFromServiceLoader() {
        fromServiceLoader = true;
    }

    void worker(WorkerHandler<?, ?, ?> handler) {
        workers.add(Objects.requireNonNull(handler, "worker"));
    }

    void workersFromServiceLoader() {
        workersFromServiceLoader = true;
    }

    void workersConfig(WorkersConfig c) {
        workersConfig = Objects.requireNonNull(c, "workers config");
    }

    void workerListener(WorkerListener listener) {
        workerListener = Objects.requireNonNull(listener, "workerListener");
    }

    void scheduler(String name) {
        schedulerName = Objects.requireNonNull(name, "jobScheduler");
        schedulerProvider = null;
    }

    void scheduler(JobSchedulerProvider provider) {
        schedulerProvider = Objects.requireNonNull(provider, "jobScheduler");
    }

    void schedulerOption(String key, String value) {
        schedulerOptions.put(key, value);
    }

    void config(JobsConfig c) {
        config = Objects.requireNonNull(c, "jobs config");
    }

    /** Adds the chosen scheduler to the wiring, so an unknown name fails with the others' problems. */
    void wire(Wiring.Builder wiring) {
        if (schedulerProvider != null) {
            wiring.jobScheduler(schedulerProvider);
        } else {
            wiring.jobScheduler(schedulerName);
        }
        schedulerOptions.forEach(wiring::jobSchedulerOption);
    }

    /** What {@link #create} needs, frozen at {@code start()}. */
    Frozen freeze(Wiring wiring) {
        return new Frozen(wiring, List.copyOf(handlers), fromServiceLoader, config,
                new Workers(List.copyOf(workers), workersFromServiceLoader, workersConfig, workerListener));
    }

    /** The worker part of {@link Frozen}. */
    record Workers(List<WorkerHandler<?, ?, ?>> types, boolean fromServiceLoader, WorkersConfig config,
                   WorkerListener listener) {
    }

    record Frozen(Wiring wiring, List<JobHandler<?, ?>> handlers, boolean fromServiceLoader, JobsConfig config,
                  Workers workers) {
        /**
         * Creates the jobs node. Node thread.
         *
         * @throws IllegalArgumentException if two handlers (or two worker types) share a name
         */
        JobsNode create(NodeContext context, Placement placement) {
            Jobs.Builder b = Jobs.builder(context, wiring.jobScheduler(), placement).config(config);
            handlers.forEach(b::handler);
            if (fromServiceLoader) {
                b.handlersFromServiceLoader();
            }
            b.workersConfig(workers.config()).workerListener(workers.listener());
            workers.types().forEach(b::worker);
            if (workers.fromServiceLoader()) {
                b.workersFromServiceLoader();
            }
            return b.build();
        }
    }
}
