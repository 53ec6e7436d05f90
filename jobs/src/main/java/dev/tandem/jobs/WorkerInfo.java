package dev.tandem.jobs;

import dev.tandem.cluster.NodeId;
import java.util.Objects;

/**
 * Where a named worker runs, as the cluster's registration records say.
 *
 * @param name        the worker's name
 * @param type        its {@link WorkerHandler#type()}
 * @param node        the node assigned to run it
 * @param incarnation 1 for the first instance of a start, raised by each restart elsewhere
 * @param epoch       the registration's fencing epoch
 * @param state       RUNNING, STOPPED ({@link WorkerService#stopWorker}) or FAILED (its start threw, or its
 *                    node has no such type)
 */
public record WorkerInfo(String name, String type, NodeId node, int incarnation, long epoch, State state) {

    public enum State {
        RUNNING,
        STOPPED,
        FAILED
    }

    public WorkerInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(state, "state");
    }
}
