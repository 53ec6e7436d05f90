package dev.tandem.jobs;

import dev.tandem.cluster.NodeId;
import java.util.Objects;

/**
 * A call's result.
 *
 * @param value   the handler's result
 * @param node    the node that ran the attempt whose result this is
 * @param attempt that attempt's number (1 unless the call failed over)
 */
public record JobResult<O>(O value, NodeId node, int attempt) {
    public JobResult {
        Objects.requireNonNull(node, "node");
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be >= 1, was " + attempt);
        }
    }
}
