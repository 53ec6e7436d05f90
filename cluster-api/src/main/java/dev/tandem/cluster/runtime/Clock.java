package dev.tandem.cluster.runtime;

/**
 * A node's view of time. The only way node logic may learn the time.
 *
 * <p>In production this reads the operating system's clocks; in the simulator it reads virtual
 * time, skewed, drifting or jumping as the fault schedule says. Node logic must therefore survive
 * a wall clock that jumps backwards: use {@link #monotonicNanos()} for timeouts and durations,
 * and {@link #wallMillis()} only where a physical timestamp is part of the protocol (the physical
 * half of a hybrid logical clock).
 */
public interface Clock {

    /** Milliseconds since the Unix epoch as this node's wall clock shows it; may jump either way. */
    long wallMillis();

    /** Nanoseconds from an arbitrary origin; never decreases on one node; not comparable across nodes. */
    long monotonicNanos();
}
