package dev.tandem.store.api;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of one store node. Immutable; start from {@link #defaults()} and change with the
 * {@code with*} methods, which validate and say what is allowed.
 *
 * <p>All nodes of a cluster must use the same {@link #replicas()} and {@link #partitions()}: they
 * decide where keys live. The rest may differ per node.
 *
 * @param replicas                copies of every key (R); default 2
 * @param partitions              fixed number of partitions keys are grouped into for transfers and
 *                                digests; a power of two from 16 to 65536; default 1024
 * @param maxKeyBytes             largest key accepted; default 1 KiB
 * @param maxValueBytes           largest value accepted; default 1 MiB
 * @param writeRetry              resend interval of unanswered writes/reads (and when a fallback
 *                                node is added); default 200 ms
 * @param operationTimeout        an operation not done by then fails with {@code TIMEOUT}; default 5 s
 * @param tick                    the node's housekeeping period; default 50 ms
 * @param antiEntropyInterval     how often owners compare digests; default 2 s
 * @param handoffInterval         how often a node re-plans handing off partitions it does not own;
 *                                default 500 ms
 * @param transferBatchEntries    entries per transfer batch; default 4096
 * @param transferBatchBytes      soft byte limit per transfer batch; default 1 MiB
 * @param transferWindow          transfer batches in flight per peer; default 16
 * @param transferTimeout         a transfer batch unacknowledged this long is resent; default 1 s
 * @param transferRetries         resends of one batch before the stream to that peer is abandoned
 *                                (and re-planned later); default 8
 * @param tombstoneGrace          a tombstone is purged only when older than this (and all owners
 *                                hold it); default 60 s
 * @param minClusterSize          0 = off; otherwise writes are refused while the local view has
 *                                fewer live nodes than this (set it to a majority to make a minority
 *                                side refuse writes)
 * @param maxPendingOperations    pending client operations on one node before new ones fail with
 *                                {@code OVERLOADED}; default 262144
 * @param maxReversions           how often a write superseded by a newer version is re-versioned
 *                                before failing with {@code CONCURRENT_WRITE}; default 4
 * @param maxClockOffset          the largest wall-clock offset between nodes the store tolerates
 *                                (the clock guard, see {@code ReplicaNode}); a node whose clock is
 *                                further than this from a majority of the live nodes refuses to
 *                                coordinate writes ({@code CLOCK_SKEW}), and replicas refuse write
 *                                versions further than this ahead of their clock; 0 turns the guard
 *                                off; default 500 ms
 */
public record StoreConfig(int replicas, int partitions, int maxKeyBytes, int maxValueBytes,
                          Duration writeRetry, Duration operationTimeout, Duration tick,
                          Duration antiEntropyInterval, Duration handoffInterval,
                          int transferBatchEntries, int transferBatchBytes, int transferWindow,
                          Duration transferTimeout, int transferRetries, Duration tombstoneGrace,
                          int minClusterSize, int maxPendingOperations, int maxReversions,
                          Duration maxClockOffset) {

    private static final StoreConfig DEFAULTS = new StoreConfig(2, 1024, 1024, 1024 * 1024,
            Duration.ofMillis(200), Duration.ofSeconds(5), Duration.ofMillis(50), Duration.ofSeconds(2),
            Duration.ofMillis(500), 4096, 1024 * 1024, 16, Duration.ofSeconds(1), 8, Duration.ofSeconds(60),
            0, 262_144, 4, Duration.ofMillis(500));

    public StoreConfig {
        range("replicas", replicas, 1, 5);
        range("partitions", partitions, 16, 65_536);
        if (Integer.bitCount(partitions) != 1) {
            throw new IllegalArgumentException("partitions must be a power of two from 16 to 65536, was " + partitions);
        }
        range("maxKeyBytes", maxKeyBytes, 1, 64 * 1024);
        range("maxValueBytes", maxValueBytes, 0, 8 * 1024 * 1024);
        positive("writeRetry", writeRetry);
        positive("operationTimeout", operationTimeout);
        positive("tick", tick);
        positive("antiEntropyInterval", antiEntropyInterval);
        positive("handoffInterval", handoffInterval);
        range("transferBatchEntries", transferBatchEntries, 1, 65_536);
        range("transferBatchBytes", transferBatchBytes, 1024, 8 * 1024 * 1024);
        range("transferWindow", transferWindow, 1, 64);
        positive("transferTimeout", transferTimeout);
        range("transferRetries", transferRetries, 0, 1000);
        positive("tombstoneGrace", tombstoneGrace);
        range("minClusterSize", minClusterSize, 0, 100_000);
        range("maxPendingOperations", maxPendingOperations, 1, 1 << 24);
        range("maxReversions", maxReversions, 0, 100);
        Objects.requireNonNull(maxClockOffset, "maxClockOffset");
        if (maxClockOffset.isNegative() || maxClockOffset.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException("maxClockOffset must be from 0 (off) to 10 minutes, was " + maxClockOffset);
        }
    }

    public static StoreConfig defaults() {
        return DEFAULTS;
    }

    private static void range(String name, int v, int min, int max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(name + " must be from " + min + " to " + max + ", was " + v);
        }
    }

    private static void positive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
    }

    public StoreConfig withReplicas(int v) {
        return new StoreConfig(v, partitions, maxKeyBytes, maxValueBytes, writeRetry, operationTimeout, tick,
                antiEntropyInterval, handoffInterval, transferBatchEntries, transferBatchBytes, transferWindow,
                transferTimeout, transferRetries, tombstoneGrace, minClusterSize, maxPendingOperations, maxReversions, maxClockOffset);
    }

    public StoreConfig withPartitions(int v) {
        return new StoreConfig(replicas, v, maxKeyBytes, maxValueBytes, writeRetry, operationTimeout, tick,
                antiEntropyInterval, handoffInterval, transferBatchEntries, transferBatchBytes, transferWindow,
                transferTimeout, transferRetries, tombstoneGrace, minClusterSize, maxPendingOperations, maxReversions, maxClockOffset);
    }

    public StoreConfig withMaxKeyBytes(int v) {
        return new StoreConfig(replicas, partitions, v, maxValueBytes, writeRetry, operationTimeout, tick,
                antiEntropyInterval, handoffInterval, transferBatchEntries, transferBatchBytes, transferWindow,
                transferTimeout, transferRetries, tombstoneGrace, minClusterSize, maxPendingOperations, maxReversions, maxClockOffset);
    }

    public StoreConfig withMaxValueBytes(int v) {
        return new StoreConfig(replicas, partitions, maxKeyBytes, v, writeRetry, operationTimeout, tick,
                antiEntropyInterval, handoffInterval, transferBatchEntries, transferBatchBytes, transferWindow,
                transferTimeout, transferRetries, tombstoneGrace, minClusterSize, maxPendingOperations, maxReversions, maxClockOffset);
    }

    public StoreConfig withAntiEntropyInterval(Duration v) {
        return new StoreConfig(replicas, partitions, maxKeyBytes, maxValueBytes, writeRetry, operationTimeout, tick,
                v, handoffInterval, transferBatchEntries, transferBatchBytes, transferWindow,
                transferTimeout, transferRetries, tombstoneGrace, minClusterSize, maxPendingOperations, maxReversions, maxClockOffset);
    }

    public StoreConfig withOperationTimeout(Duration v) {
        return new StoreConfig(replicas, partitions, maxKeyBytes, maxValueBytes, writeRetry, v, tick,
                antiEntropyInterval, handoffInterval, transferBatchEntries, transferBatchBytes, transferWindow,
                transferTimeout, transferRetries, tombstoneGrace, minClusterSize, maxPendingOperations, maxReversions, maxClockOffset);
    }

    public StoreConfig withTombstoneGrace(Duration v) {
        return new StoreConfig(replicas, partitions, maxKeyBytes, maxValueBytes, writeRetry, operationTimeout, tick,
                antiEntropyInterval, handoffInterval, transferBatchEntries, transferBatchBytes, transferWindow,
                transferTimeout, transferRetries, v, minClusterSize, maxPendingOperations, maxReversions, maxClockOffset);
    }

    public StoreConfig withMinClusterSize(int v) {
        return new StoreConfig(replicas, partitions, maxKeyBytes, maxValueBytes, writeRetry, operationTimeout, tick,
                antiEntropyInterval, handoffInterval, transferBatchEntries, transferBatchBytes, transferWindow,
                transferTimeout, transferRetries, tombstoneGrace, v, maxPendingOperations, maxReversions, maxClockOffset);
    }

    public StoreConfig withTransfer(int batchEntries, int batchBytes, int window) {
        return new StoreConfig(replicas, partitions, maxKeyBytes, maxValueBytes, writeRetry, operationTimeout, tick,
                antiEntropyInterval, handoffInterval, batchEntries, batchBytes, window,
                transferTimeout, transferRetries, tombstoneGrace, minClusterSize, maxPendingOperations, maxReversions, maxClockOffset);
    }

    public StoreConfig withMaxPendingOperations(int v) {
        return new StoreConfig(replicas, partitions, maxKeyBytes, maxValueBytes, writeRetry, operationTimeout, tick,
                antiEntropyInterval, handoffInterval, transferBatchEntries, transferBatchBytes, transferWindow,
                transferTimeout, transferRetries, tombstoneGrace, minClusterSize, v, maxReversions, maxClockOffset);
    }

    public StoreConfig withMaxClockOffset(Duration v) {
        return new StoreConfig(replicas, partitions, maxKeyBytes, maxValueBytes, writeRetry, operationTimeout, tick,
                antiEntropyInterval, handoffInterval, transferBatchEntries, transferBatchBytes, transferWindow,
                transferTimeout, transferRetries, tombstoneGrace, minClusterSize, maxPendingOperations, maxReversions, v);
    }
}
