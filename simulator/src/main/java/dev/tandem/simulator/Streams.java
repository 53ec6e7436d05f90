package dev.tandem.simulator;

import dev.tandem.cluster.KeyHash;

/**
 * Derives the seed of each independent random stream from the run seed and a label.
 *
 * <p>Streams are derived by hashing, not by splitting one generator in sequence, so a stream
 * depends only on the run seed and its own label: adding a node, a fault or a workload draw
 * leaves every other stream unchanged.
 */
final class Streams {
    static final String FAULTS = "faults";
    static final String SWARM = "swarm";
    static final String WORKLOAD = "workload";
    static final String BOOT = "boot";
    static final String CLOCKS = "clocks";
    static final String NETWORK = "network";
    static final String NODE = "node";

    private Streams() {
    }

    static long seed(long runSeed, String label) {
        return seed(runSeed, label, 0, 0);
    }

    static long seed(long runSeed, String label, long a, long b) {
        long h = KeyHash.mix(runSeed + 0x632BE59BD9B4E019L);
        h = KeyHash.mix(h ^ KeyHash.of(label));
        h = KeyHash.mix(h + a * 0x9E3779B97F4A7C15L);
        return KeyHash.mix(h ^ b * 0xD1B54A32D192ED03L);
    }

    static SimRandom random(long runSeed, String label) {
        return new SimRandom(seed(runSeed, label));
    }

    static SimRandom random(long runSeed, String label, long a, long b) {
        return new SimRandom(seed(runSeed, label, a, b));
    }
}
