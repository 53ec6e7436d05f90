package dev.tandem.simulator;

import java.util.Objects;

/**
 * The network a scenario runs on when no fault is active: latencies and the per-link queue bound.
 * Loss, duplication, clogs and partitions are faults ({@link Fault}) and come from the schedule.
 *
 * @param latencies          per-link latency models
 * @param maxInFlightPerLink messages a link holds before {@code Transport.send} drops for
 *                           back-pressure and {@code isWritable} turns false; 1..1,000,000
 */
public record NetworkProfile(LinkLatencies latencies, int maxInFlightPerLink) {
    public static final int DEFAULT_MAX_IN_FLIGHT_PER_LINK = 4_096;

    public NetworkProfile {
        Objects.requireNonNull(latencies, "latencies");
        if (maxInFlightPerLink < 1 || maxInFlightPerLink > 1_000_000) {
            throw new IllegalArgumentException("maxInFlightPerLink must be 1..1000000, was " + maxInFlightPerLink);
        }
    }

    /** {@link LatencyModel#lan()} on every link. */
    public static NetworkProfile lan() {
        return of(LatencyModel.lan());
    }

    public static NetworkProfile of(LatencyModel latency) {
        return new NetworkProfile(LinkLatencies.uniform(latency), DEFAULT_MAX_IN_FLIGHT_PER_LINK);
    }

    public NetworkProfile withLatencies(LinkLatencies newLatencies) {
        return new NetworkProfile(newLatencies, maxInFlightPerLink);
    }

    public NetworkProfile withMaxInFlightPerLink(int max) {
        return new NetworkProfile(latencies, max);
    }
}
