package dev.tandem.jobs;

import dev.tandem.cluster.MembershipView;
import dev.tandem.cluster.spi.MembershipListener;

/**
 * A jobs node: the {@link JobService} and {@link WorkerService} plus the hooks its runtime drives. Feed it every membership
 * view change ({@link #onViewChange}, on the node's thread).
 */
public interface JobsNode extends JobService, WorkerService, MembershipListener, AutoCloseable {

    /** The view this node last applied. */
    MembershipView view();

    /** Jobs queued plus running here. */
    int load();

    /** Stops timers and fails pending futures with {@code CLOSED}. Node thread. */
    @Override
    void close();
}
