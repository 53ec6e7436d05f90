package dev.tandem.simulator;

import dev.tandem.cluster.KeyHash;
import java.util.random.RandomGenerator;

/**
 * SplitMix64 (the generator inside {@link java.util.SplittableRandom}, Steele, Lea and Flood,
 * OOPSLA 2014) with every derived draw written out here.
 *
 * <p>Why not hand out a {@code SplittableRandom}: its bounded and floating-point draws are
 * inherited from JDK-internal helpers that a JDK may change; a simulation must replay bit for bit
 * on every JDK, so every method a node or the network is likely to call is defined here, on top
 * of the one frozen 64-bit step. Gaussian and exponential draws use {@link StrictMath} for the
 * same reason. Not thread-safe: each stream belongs to one node or one simulator concern.
 */
final class SimRandom implements RandomGenerator {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    private long state;

    SimRandom(long seed) {
        this.state = seed;
    }

    @Override
    public long nextLong() {
        state += GOLDEN_GAMMA;
        return KeyHash.mix(state);
    }

    @Override
    public int nextInt() {
        return (int) (nextLong() >>> 32);
    }

    @Override
    public boolean nextBoolean() {
        return nextLong() < 0;
    }

    @Override
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    @Override
    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    @Override
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, was " + bound);
        }
        return (int) boundedLong(bound);
    }

    @Override
    public int nextInt(int origin, int bound) {
        if (origin >= bound) {
            throw new IllegalArgumentException("origin " + origin + " must be below bound " + bound);
        }
        return (int) (origin + boundedLong((long) bound - origin));
    }

    @Override
    public long nextLong(long bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, was " + bound);
        }
        return boundedLong(bound);
    }

    @Override
    public long nextLong(long origin, long bound) {
        if (origin >= bound) {
            throw new IllegalArgumentException("origin " + origin + " must be below bound " + bound);
        }
        long range = bound - origin;
        if (range > 0) {
            return origin + boundedLong(range);
        }
        // The range exceeds Long.MAX_VALUE: at least half of all longs qualify, so this rejection
        // loop ends after two draws on average; 64 misses in a row has probability 2^-64.
        for (int i = 0; i < 64; i++) {
            long r = nextLong();
            if (r >= origin && r < bound) {
                return r;
            }
        }
        throw new IllegalStateException("random draw in [" + origin + ", " + bound + ") failed 64 times");
    }

    @Override
    public double nextDouble(double bound) {
        if (!(bound > 0 && bound < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("bound must be positive and finite, was " + bound);
        }
        double r = nextDouble() * bound;
        return r < bound ? r : Math.nextDown(bound);
    }

    @Override
    public double nextDouble(double origin, double bound) {
        if (!(origin < bound && bound - origin < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("need a finite origin < bound, was [" + origin + ", " + bound + ")");
        }
        double r = origin + nextDouble() * (bound - origin);
        return r < bound ? r : Math.nextDown(bound);
    }

    @Override
    public void nextBytes(byte[] bytes) {
        int i = 0;
        while (i < bytes.length) {
            long r = nextLong();
            for (int k = 0; k < 8 && i < bytes.length; k++, r >>>= 8) {
                bytes[i++] = (byte) r;
            }
        }
    }

    /** Marsaglia's polar method; the second value is discarded so no state hides between calls. */
    @Override
    public double nextGaussian() {
        for (int i = 0; i < 1_000; i++) {
            double u = 2 * nextDouble() - 1;
            double v = 2 * nextDouble() - 1;
            double s = u * u + v * v;
            if (s > 0 && s < 1) {
                return u * StrictMath.sqrt(-2 * StrictMath.log(s) / s);
            }
        }
        throw new IllegalStateException("gaussian draw rejected 1000 times");
    }

    @Override
    public double nextGaussian(double mean, double stddev) {
        if (stddev < 0) {
            throw new IllegalArgumentException("stddev must be >= 0, was " + stddev);
        }
        return mean + stddev * nextGaussian();
    }

    @Override
    public double nextExponential() {
        return -StrictMath.log(1 - nextDouble());
    }

    /**
     * Uniform in {@code [0, bound)} for {@code bound > 0}: the classic rejection on 63-bit draws.
     * A draw is rejected with probability below {@code bound / 2^63}, so the loop's 64-round
     * limit is never reached in practice.
     */
    private long boundedLong(long bound) {
        long m = bound - 1;
        if ((bound & m) == 0) {
            return nextLong() & m;
        }
        for (int i = 0; i < 64; i++) {
            long bits = nextLong() >>> 1;
            long value = bits % bound;
            if (bits - value + m >= 0) {
                return value;
            }
        }
        throw new IllegalStateException("bounded random draw rejected 64 times for bound " + bound);
    }
}
