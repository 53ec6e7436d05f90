package dev.tandem.simulator;

import dev.tandem.cluster.runtime.Clock;

/**
 * One machine's clocks in virtual time. The monotonic clock runs at {@code 1 + ppm/10^6} times
 * virtual time from an arbitrary origin (so it is not comparable across nodes, as on real
 * machines); a drift change re-anchors it at the current instant so it never goes back. The wall
 * clock is the monotonic clock plus an offset that jumps move either way.
 *
 * <pre>
 *   mono(t) = anchorLocal + (t - anchorGlobal) * (1 + ppm / 1e6)      floor, exact integer math
 *   wall(t) = mono(t) + wallOffset                                      jumps add to wallOffset
 * </pre>
 *
 * The machine outlives its processes: a restarted node keeps its clock.
 */
final class SimClock implements Clock {
    private static final long MILLION = 1_000_000L;

    private final Simulation sim;
    private long anchorGlobal;
    private long anchorLocal;
    private int ppm;
    private long wallOffsetNanos;

    SimClock(Simulation sim, long monoOrigin, long wallOffsetNanos) {
        this.sim = sim;
        this.anchorLocal = monoOrigin;
        this.wallOffsetNanos = wallOffsetNanos;
    }

    long monoAt(long t) {
        long el = t - anchorGlobal;
        return anchorLocal + el + (el / MILLION) * ppm + Math.floorDiv((el % MILLION) * ppm, MILLION);
    }

    @Override
    public long monotonicNanos() {
        return monoAt(sim.now);
    }

    @Override
    public long wallMillis() {
        return Math.floorDiv(monoAt(sim.now) + wallOffsetNanos, MILLION);
    }

    int driftPpm() {
        return ppm;
    }

    void setDrift(int newPpm, long now) {
        anchorLocal = monoAt(now);
        anchorGlobal = now;
        ppm = newPpm;
    }

    void jump(long byNanos) {
        wallOffsetNanos += byNanos;
    }

    /**
     * The virtual time after which this clock has advanced by {@code localDelay} from
     * {@code now}: the smallest such delay, found from a floating-point estimate and corrected
     * by at most a few nanoseconds against the exact clock function.
     */
    long globalDelay(long localDelay, long now) {
        if (ppm == 0 || localDelay == 0) {
            return localDelay;
        }
        long start = monoAt(now);
        long g = (long) Math.ceil(localDelay * (double) MILLION / (MILLION + ppm));
        for (int i = 0; i < 64 && g > 0 && monoAt(now + g - 1) - start >= localDelay; i++) {
            g--;
        }
        for (int i = 0; i < 64 && monoAt(now + g) - start < localDelay; i++) {
            g++;
        }
        return g;
    }
}
