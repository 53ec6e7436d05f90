package dev.tandem.cluster.spi;

import dev.tandem.cluster.Member;
import dev.tandem.cluster.NodeId;
import java.util.List;
import java.util.OptionalInt;
import java.util.random.RandomGenerator;

/** What the jobs runtime tells a {@link JobScheduler} when it asks for a node. */
public interface SchedulingContext {

    /** Live members that may run jobs, sorted by name; never empty. */
    List<Member> candidates();

    /** The load {@code node} last reported (jobs queued + running), if known. */
    OptionalInt load(NodeId node);

    /** Current key placement, for key-affine scheduling. */
    PlacementTable placement();

    /** The node's seeded random source. */
    RandomGenerator random();
}
