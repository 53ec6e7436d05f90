package dev.tandem.simulator;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * One-way latency of a link: {@code base}, plus a uniform jitter in {@code [0, jitter)}, plus —
 * with probability {@code tailProbability} — a long-tail delay in {@code [0, tailMax)} drawn so
 * that small tail delays are common and large ones rare (the cube of a uniform draw). Independent
 * per message, so messages on one link overtake each other whenever jitter exceeds their spacing:
 * that is how the simulator reorders.
 *
 * @param base            at least this long, >= 0
 * @param jitter          uniform spread, >= 0
 * @param tailProbability chance of a tail delay, 0..1
 * @param tailMax         longest tail delay, >= 0
 */
public record LatencyModel(Duration base, Duration jitter, double tailProbability, Duration tailMax) {
    private static final Duration MAX_TOTAL = Duration.ofHours(1);

    public LatencyModel {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(jitter, "jitter");
        Objects.requireNonNull(tailMax, "tailMax");
        if (base.isNegative() || jitter.isNegative() || tailMax.isNegative()) {
            throw new IllegalArgumentException("latency parts must be >= 0: base " + SimDurations.format(base)
                    + ", jitter " + SimDurations.format(jitter) + ", tail " + SimDurations.format(tailMax));
        }
        if (!(tailProbability >= 0 && tailProbability <= 1)) {
            throw new IllegalArgumentException("tail probability must be within 0..1, was " + tailProbability);
        }
        if (base.plus(jitter).plus(tailMax).compareTo(MAX_TOTAL) > 0) {
            throw new IllegalArgumentException("worst-case latency must be at most 1h, was "
                    + SimDurations.format(base.plus(jitter).plus(tailMax)));
        }
    }

    /** Always exactly {@code latency}: no jitter, no tail, so no reordering. */
    public static LatencyModel fixed(Duration latency) {
        return new LatencyModel(latency, Duration.ZERO, 0, Duration.ZERO);
    }

    /** A data-centre LAN: 100us + up to 400us jitter, 1% of messages up to 20ms late. */
    public static LatencyModel lan() {
        return new LatencyModel(Duration.ofNanos(100_000), Duration.ofNanos(400_000), 0.01, Duration.ofMillis(20));
    }

    /** Across regions: 30ms + up to 20ms jitter, 2% of messages up to 500ms late. */
    public static LatencyModel wan() {
        return new LatencyModel(Duration.ofMillis(30), Duration.ofMillis(20), 0.02, Duration.ofMillis(500));
    }

    /** The longest latency this model can produce. */
    public Duration max() {
        return base.plus(jitter).plus(tailMax);
    }

    /** Draws one latency in nanoseconds; always makes exactly three draws. */
    long sampleNanos(RandomGenerator r) {
        double u1 = r.nextDouble();
        double u2 = r.nextDouble();
        double u3 = r.nextDouble();
        long nanos = base.toNanos() + (long) (jitter.toNanos() * u1);
        if (u2 < tailProbability) {
            nanos += (long) (tailMax.toNanos() * (u3 * u3 * u3));
        }
        return nanos;
    }
}
