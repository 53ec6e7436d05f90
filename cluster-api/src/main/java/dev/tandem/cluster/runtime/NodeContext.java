package dev.tandem.cluster.runtime;

import dev.tandem.cluster.NodeId;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Everything node logic may use to reach the world: its identity and the sans-IO seams.
 *
 * <p>A protocol component takes a {@code NodeContext} and nothing else from outside. The
 * production runtime backs it with Netty and the system clocks; the simulator backs it with
 * virtual time, a simulated network and a {@link RandomGenerator} split from the run's seed — so
 * the very same component runs in both, and a simulation replays bit for bit from its seed.
 *
 * <p>All seams must be used from the node's thread (see {@link Scheduler}).
 *
 * @param self      this node's identity
 * @param clock     the only source of time
 * @param scheduler the only way to wait or defer
 * @param random    the only source of randomness (seeded in the simulator)
 * @param transport node-to-node messages
 * @param beacons   local-segment broadcast for discovery ({@link BeaconChannel#none()} if absent)
 * @param meters    where the node's metrics go
 */
public record NodeContext(NodeId self, Clock clock, Scheduler scheduler, RandomGenerator random,
                          Transport transport, BeaconChannel beacons, MeterRegistry meters) {
    public NodeContext {
        Objects.requireNonNull(self, "self");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(scheduler, "scheduler");
        Objects.requireNonNull(random, "random");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(beacons, "beacons");
        Objects.requireNonNull(meters, "meters");
    }
}
