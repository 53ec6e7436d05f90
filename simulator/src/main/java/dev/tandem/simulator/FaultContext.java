package dev.tandem.simulator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * What a {@link FaultPlan} may know when it draws a schedule: the node count, the length of the
 * safety phase (every step must fall inside it) and the run's fault stream, the only randomness a
 * plan may use.
 *
 * @param nodes    how many nodes the run has, indices {@code 0..nodes-1}
 * @param duration the safety phase; steps must be strictly earlier
 * @param random   the fault stream, derived from the run seed
 */
public record FaultContext(int nodes, Duration duration, RandomGenerator random) {
    public FaultContext {
        if (nodes < 1) {
            throw new IllegalArgumentException("nodes must be >= 1, was " + nodes);
        }
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(random, "random");
        if (duration.toMillis() < 1) {
            throw new IllegalArgumentException("duration must be at least 1ms, was " + SimDurations.format(duration));
        }
    }

    /**
     * A time uniformly between the two fractions of the safety phase, rounded to the millisecond
     * so schedules print short; always before the end of the phase.
     */
    public Duration timeBetween(double fromFraction, double toFraction) {
        if (!(fromFraction >= 0 && fromFraction <= toFraction && toFraction <= 1)) {
            throw new IllegalArgumentException("need 0 <= from <= to <= 1, got " + fromFraction + ", " + toFraction);
        }
        long total = duration.toMillis();
        long lo = (long) (total * fromFraction);
        long hi = Math.max(lo + 1, (long) (total * toFraction));
        long ms = Math.min(total - 1, lo + random.nextLong(hi - lo));
        return Duration.ofMillis(ms);
    }

    /** A duration uniformly in {@code [min, max]}, rounded down to the millisecond (at least 1ms). */
    public Duration durationBetween(Duration min, Duration max) {
        long lo = Math.max(1, min.toMillis());
        long hi = Math.max(lo, max.toMillis());
        return Duration.ofMillis(lo + random.nextLong(hi - lo + 1));
    }

    public int anyNode() {
        return random.nextInt(nodes);
    }

    /** All node indices in a random order. */
    public List<Integer> shuffledNodes() {
        List<Integer> all = new ArrayList<>(nodes);
        for (int i = 0; i < nodes; i++) {
            all.add(i);
        }
        for (int i = nodes - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            Integer t = all.get(i);
            all.set(i, all.get(j));
            all.set(j, t);
        }
        return all;
    }

    /** {@code at}, or the last millisecond of the safety phase if {@code at} is later. */
    public Duration clamp(Duration at) {
        Duration last = duration.minusMillis(1);
        return at.compareTo(last) > 0 ? last : at;
    }
}
