package dev.tandem.store.internal;

import dev.tandem.cluster.KeyHash;
import dev.tandem.cluster.NodeId;

/**
 * Versions: a hybrid logical clock value (physical milliseconds in the high 48 bits, a logical
 * counter in the low 16) plus a 63-bit writer tag derived from the writer's {@link NodeId}; the top
 * bit of the stored tag marks a tombstone and takes no part in ordering.
 */
final class Versions {
    static final long TOMBSTONE = Long.MIN_VALUE;
    static final long TAG_MASK = Long.MAX_VALUE;
    static final int LOGICAL_BITS = 16;

    private Versions() {
    }

    /** The writer tag of a node: stable for one incarnation, different for the next one. */
    static long tagOf(NodeId id) {
        return KeyHash.mix(KeyHash.of(id.name()) + KeyHash.mix(id.incarnation() + 0x632BE59BD9B4E019L)) & TAG_MASK;
    }

    static boolean isTombstone(long tag) {
        return tag < 0;
    }

    /** Orders (hlc, tag) pairs; the tombstone bit is ignored. */
    static int compare(long hlc1, long tag1, long hlc2, long tag2) {
        int c = Long.compare(hlc1, hlc2);
        return c != 0 ? c : Long.compare(tag1 & TAG_MASK, tag2 & TAG_MASK);
    }

    static long physicalMillis(long hlc) {
        return hlc >>> LOGICAL_BITS;
    }

    /** The hybrid logical clock of one node; node-thread only. */
    static final class Hlc {
        private long last;

        /** A new timestamp, greater than every one issued or observed before. */
        long next(long wallMillis) {
            long physical = Math.max(0, wallMillis) << LOGICAL_BITS;
            last = Math.max(last + 1, physical);
            return last;
        }

        /** Merges a timestamp seen in a message, so later local timestamps exceed it. */
        void observe(long hlc) {
            if (hlc > last && hlc < Long.MAX_VALUE / 2) {
                last = hlc;
            }
        }

        long last() {
            return last;
        }
    }
}
