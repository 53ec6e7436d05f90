package dev.tandem.jobs.internal;

import dev.tandem.cluster.runtime.NodeContext;
import dev.tandem.cluster.spi.JobScheduler;
import dev.tandem.cluster.spi.Placement;
import dev.tandem.jobs.JobHandler;
import dev.tandem.jobs.JobsConfig;
import dev.tandem.jobs.JobsNode;
import dev.tandem.jobs.WorkerHandler;
import dev.tandem.jobs.WorkerListener;
import dev.tandem.jobs.WorkersConfig;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Creates jobs nodes, and what the simulator scenarios (module {@code dev.tandem.jobs.sim}, the
 * only module this package is exported to) may do beyond the public API: start a node with a named
 * sabotage and an observer, and read a node's local state without sending anything. Node thread only.
 */
public final class JobNodes {
    private JobNodes() {
    }

    /** Sabotage names as the command line spells them: {@code accept-stale-results}, ... */
    public static List<String> sabotages() {
        return Arrays.stream(Sabotage.values()).filter(s -> s != Sabotage.NONE)
                .map(s -> s.name().toLowerCase(Locale.ROOT).replace('_', '-')).toList();
    }

    /** @throws IllegalArgumentException for an unknown sabotage or invalid handlers */
    public static JobsNode create(NodeContext context, JobScheduler scheduler, Placement placement, JobsConfig config,
                                  List<JobHandler<?, ?>> handlers, String sabotage) {
        return create(context, scheduler, placement, config, handlers, sabotage, JobsObserver.NONE);
    }

    /** Worker settings of a node. */
    public record Options(WorkersConfig workersConfig, List<WorkerHandler<?, ?, ?>> workers, WorkerListener listener) {
        public static Options of(WorkersConfig c, List<WorkerHandler<?, ?, ?>> workers, WorkerListener listener) {
            return new Options(c, List.copyOf(workers), listener);
        }

        static Options none() {
            return new Options(WorkersConfig.defaults(), List.of(), WorkerListener.NONE);
        }
    }

    /** @throws IllegalArgumentException for an unknown sabotage or invalid handlers */
    public static JobsNode create(NodeContext context, JobScheduler scheduler, Placement placement, JobsConfig config,
                                  List<JobHandler<?, ?>> handlers, String sabotage, Options options) {
        return create(context, scheduler, placement, config, handlers, sabotage, JobsObserver.NONE, options);
    }

    /** @throws IllegalArgumentException for an unknown sabotage or invalid handlers */
    public static JobsNode create(NodeContext context, JobScheduler scheduler, Placement placement, JobsConfig config,
                                  List<JobHandler<?, ?>> handlers, String sabotage, JobsObserver observer) {
        return create(context, scheduler, placement, config, handlers, sabotage, observer, Options.none());
    }

    /** @throws IllegalArgumentException for an unknown sabotage or invalid handlers */
    public static JobsNode create(NodeContext context, JobScheduler scheduler, Placement placement, JobsConfig config,
                                  List<JobHandler<?, ?>> handlers, String sabotage, JobsObserver observer,
                                  Options options) {
        Sabotage s = Sabotage.NONE;
        if (!sabotage.isEmpty()) {
            try {
                s = Sabotage.valueOf(sabotage.toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown jobs sabotage '" + sabotage + "'; known: " + sabotages());
            }
        }
        return new JobNode(context, scheduler, placement, config, List.copyOf(handlers), s, observer, options);
    }

    /** A record as a holder keeps it. */
    public record RecordView(String jobId, long lineage, int attempt, long epoch, String executor, String backup,
                             String state, String ranOn) {
    }

    /** The records {@code node} holds, by job id. */
    public static Map<String, RecordView> records(JobsNode node) {
        java.util.TreeMap<String, RecordView> out = new java.util.TreeMap<>();
        ((JobNode) node).records().forEach((k, r) -> out.put(k, new RecordView(r.jobId(), r.lineage(), r.attempt(), r.epoch(),
                r.executor().toString(), r.backup().toString(),
                r.state() == Record.DONE ? "DONE" : r.state() == Record.FAILED ? "FAILED" : "PENDING",
                r.ranOn().toString())));
        return out;
    }

    /** Nothing in flight: no pending requests, no queued or running jobs, every record finished and confirmed. */
    public static boolean idle(JobsNode node) {
        return ((JobNode) node).idle();
    }

    /** A worker instance running on a node ({@code lineage}: the start its registration came from, see {@code Record}). */
    public record InstanceView(String name, String type, long lineage, int incarnation, long epoch, int mailbox) {
    }

    /** The worker instances running on {@code node}, by name (a live, read-only view). */
    public static Map<String, InstanceView> instances(JobsNode node) {
        return ((JobNode) node).instanceViews();
    }

    /** A one-line dump of what keeps a node busy (for diagnosing liveness failures). */
    public static String debug(JobsNode node) {
        return ((JobNode) node).debug();
    }
}
